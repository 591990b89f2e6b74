import { Controller, Inject } from '@nestjs/common';
import { BootstrapStartSchema, PingReply, ReplyOf, ServiceNames, Subjects } from '@app/contracts';
import { currentCorrelationId, NATS_LINK, NatsLink, PayloadPipe } from '@app/common';
import { databasePing } from '@app/database';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { TypeormSagaStore } from '../../saga-engine/typeorm-saga.store';
import { BootstrapService } from './bootstrap.service';

@Controller()
export class BootstrapMessageController {
  constructor(
    private readonly bootstrap: BootstrapService,
    private readonly dataSource: DataSource,
    private readonly store: TypeormSagaStore,
    @Inject(NATS_LINK) private readonly nats: NatsLink,
  ) {}

  @MessagePattern(Subjects.bootstrap.start)
  start(
    @Payload(new PayloadPipe(BootstrapStartSchema)) cmd: z.infer<typeof BootstrapStartSchema>,
  ): Promise<ReplyOf<typeof Subjects.bootstrap.start>> {
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
