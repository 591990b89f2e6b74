import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { BOOTSTRAP_SUCCESS_MESSAGE, BootstrapStartReply, BootstrapStartSchema, ErrorCodes, ErrorMessages, InstanceStateReply } from '@app/contracts';
import { DomainError } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { z } from 'zod';
import { BootstrapEventsPublisher } from '../../events/bootstrap-events.publisher';
import { InstanceService } from '../../instance/instance.service';
import { orDependencyUnavailable } from '../../saga-engine/saga-errors';
import { SagaRegistry } from '../../saga-engine/saga-handler';
import { SagaRunner } from '../../saga-engine/saga-runner';
import { BootstrapSagaHandler } from './bootstrap.handler';
import { BootstrapMark, measureBootstrap } from './bootstrap.metrics';
import { BootstrapData } from './bootstrap.saga';
import { ReclaimService } from './reclaim.service';

type StartCommand = z.infer<typeof BootstrapStartSchema>;

@Injectable()
export class BootstrapService implements OnModuleInit {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly instance: InstanceService,
    private readonly runner: SagaRunner,
    private readonly handler: BootstrapSagaHandler,
    private readonly registry: SagaRegistry,
    private readonly events: BootstrapEventsPublisher,
    private readonly reclaim: ReclaimService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.handler);
  }

  async getState(): Promise<InstanceStateReply> {
    return orDependencyUnavailable(() => this.instance.getState());
  }

  start(command: StartCommand, correlationId: string): Promise<BootstrapStartReply> {
    return measureBootstrap((mark) => this.claimAndRun(command, correlationId, mark));
  }

  private async claimAndRun(command: StartCommand, correlationId: string, mark: BootstrapMark): Promise<BootstrapStartReply> {
    const sagaId = randomUUID();
    const deadlineAt = new Date(Date.now() + this.config.bootstrapTimeoutMs);
    const idempotencyKeyDigest = this.reclaim.digestOf(command.idempotencyKey);
    const data: BootstrapData = {
      email: command.email,
      organizationName: command.organization,
      userId: randomUUID(),
      ...(idempotencyKeyDigest === undefined ? {} : { idempotencyKeyDigest }),
    };
    // The claim records the saga row in the same transaction: one winner, never a claim without its saga.
    const claim = await orDependencyUnavailable(() =>
      this.instance.claim({ id: sagaId, type: this.handler.definition.type, correlationId, deadlineAt, data }),
    );
    if (claim === 'initialized') {
      const reclaimed = command.idempotencyKey === undefined ? null : await this.reclaim.tryReclaim(command, correlationId);
      if (reclaimed !== null) {
        mark.reclaimed = true;
        return reclaimed;
      }
      throw new DomainError(ErrorCodes.instanceAlreadyInitialized, ErrorMessages.instanceAlreadyInitialized);
    }
    if (claim === 'in-progress') {
      throw new DomainError(ErrorCodes.bootstrapInProgress, 'Instance bootstrap is already in progress');
    }
    this.logger.log({ msg: 'Bootstrap claimed the instance', sagaId });
    await this.events.started(sagaId, correlationId).catch((error: unknown) => {
      this.logger.error({ msg: 'Could not publish bootstrap.evt.started', sagaId, err: error });
    });

    const done = await this.runner.run(this.handler, { sagaId, correlationId, deadlineAt, data, transient: { password: command.password } });
    this.logger.log({ msg: 'Bootstrap completed', sagaId });
    const { user, organization, identity } = done.data;
    return {
      response: {
        message: BOOTSTRAP_SUCCESS_MESSAGE,
        user: user!,
        organization: organization!,
        identity: { id: identity!.id, name: identity!.name, credentials: { token: done.transient.token! } },
      },
      timings: done.timings,
    };
  }
}
