import { Controller, Inject, Logger } from '@nestjs/common';
import { BootstrapStartSchema, ErrorCodes, PingReply, ReplyOf, ServiceNames, Subjects } from '@app/contracts';
import { currentCorrelationId, DomainError, NATS_LINK, NatsLink, PayloadPipe, SecretMatcher } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { databasePing } from '@app/database';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { TypeormSagaStore } from '../../saga-engine/typeorm-saga.store';
import { BootstrapService } from './bootstrap.service';

@Controller()
export class BootstrapMessageController {
  private readonly logger = new Logger(BootstrapMessageController.name);
  /** BOOTSTRAP_KEY, checked here again: the gateway's NATS credentials alone must not skip it. */
  private readonly key: SecretMatcher | undefined;

  constructor(
    private readonly bootstrap: BootstrapService,
    private readonly dataSource: DataSource,
    private readonly store: TypeormSagaStore,
    @Inject(NATS_LINK) private readonly nats: NatsLink,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.key = config.bootstrapKey === undefined ? undefined : new SecretMatcher(config.bootstrapKey);
  }

  @MessagePattern(Subjects.bootstrap.start)
  async start(
    @Payload(new PayloadPipe(BootstrapStartSchema)) cmd: z.infer<typeof BootstrapStartSchema>,
  ): Promise<ReplyOf<typeof Subjects.bootstrap.start>> {
    if (this.key !== undefined && (cmd.bootstrapKey === undefined || !this.key.matches(Buffer.from(cmd.bootstrapKey, 'base64')))) {
      this.logger.warn({ msg: 'Bootstrap refused: the start command does not carry BOOTSTRAP_KEY' });
      throw new DomainError(ErrorCodes.bootstrapKeyInvalid, 'X-Bootstrap-Key is not valid');
    }
    return this.bootstrap.start(cmd, currentCorrelationId() ?? 'unknown');
  }

  @MessagePattern(Subjects.bootstrap.getState)
  getState(): Promise<ReplyOf<typeof Subjects.bootstrap.getState>> {
    return this.bootstrap.getState();
  }

  /**
   * Health: its database, its own outgoing NATS connection (it drives the other services), and
   * the sagas whose rollback keeps failing, which /api/health shows as degraded.
   */
  @MessagePattern(Subjects.bootstrap.ping)
  async ping(): Promise<PingReply> {
    const reply = await databasePing(ServiceNames.orchestrator, this.dataSource);
    if (this.nats.connection === undefined) return { ...reply, ok: false };
    if (reply.database === 'down') return reply;
    const stuck = await this.store.needingAttention();
    return { ...reply, attention: stuck.map((s) => ({ sagaId: s.id, state: s.state, failedStep: s.failedStep })) };
  }
}
