import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BOOTSTRAP_SUCCESS_MESSAGE,
  BootstrapRequest,
  BootstrapStartReply,
  ErrorCodes,
  InstanceStateReply,
} from '@app/contracts';
import { BusClient, DomainError } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { BootstrapEventsPublisher } from '../../events/bootstrap-events.publisher';
import { InstanceService } from '../../instance/instance.service';
import { SagaEngine } from '../../saga-engine/saga-engine';
import { newSagaRecord, SagaContext, SagaDefinition } from '../../saga-engine/saga.types';
import { BootstrapData, bootstrapSaga, BootstrapTransient } from './bootstrap.saga';

const STEP_TIMEOUT_MS = 5_000;
const COMPENSATION_TIMEOUT_MS = 2_000;

@Injectable()
export class BootstrapService {
  private readonly logger = new Logger(BootstrapService.name);
  private readonly saga: SagaDefinition<BootstrapData, BootstrapTransient>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly instance: InstanceService,
    private readonly engine: SagaEngine,
    private readonly events: BootstrapEventsPublisher,
    bus: BusClient,
  ) {
    this.saga = bootstrapSaga({
      bus,
      instance,
      stepTimeoutMs: STEP_TIMEOUT_MS,
      compensationTimeoutMs: COMPENSATION_TIMEOUT_MS,
    });
  }

  getState(): Promise<InstanceStateReply> {
    return this.instance.getState();
  }

  async start(request: BootstrapRequest, correlationId: string): Promise<BootstrapStartReply> {
    const sagaId = randomUUID();
    const deadlineAt = new Date(Date.now() + this.config.bootstrapTimeoutMs);
    const data: BootstrapData = { email: request.email, organizationName: request.organization };

    const claim = await this.instance.claim({ id: sagaId, type: this.saga.type, correlationId, deadlineAt, data });
    if (claim === 'initialized') {
      throw new DomainError(ErrorCodes.instanceAlreadyInitialized, 'Instance has already been set up');
    }
    if (claim === 'in-progress') {
      throw new DomainError(ErrorCodes.bootstrapInProgress, 'Instance bootstrap is already in progress');
    }
    this.logger.log({ msg: 'Bootstrap claimed the instance', sagaId });
    await this.publishSafely(() => this.events.started(sagaId, correlationId));

    const ctx: SagaContext<BootstrapData, BootstrapTransient> = {
      sagaId,
      correlationId,
      deadlineAt,
      data,
      transient: { password: request.password },
      remainingMs: () => Math.max(0, deadlineAt.getTime() - Date.now()),
    };
    const outcome = await this.engine.run(this.saga, newSagaRecord(sagaId, this.saga.type, data, deadlineAt), ctx);

    if (outcome.state === 'COMPLETED') {
      const user = ctx.data.user!;
      const organization = ctx.data.organization!;
      const identity = ctx.data.identity!;
      this.logger.log({ msg: 'Bootstrap completed', sagaId });
      await this.publishSafely(() => this.events.completed(sagaId, correlationId, { user, organization, identity }));
      return {
        response: {
          message: BOOTSTRAP_SUCCESS_MESSAGE,
          user,
          organization,
          identity: { id: identity.id, name: identity.name, credentials: { token: ctx.transient.token! } },
        },
        timings: outcome.timings,
      };
    }
    if (outcome.state === 'TAKEN_OVER') {
      throw new DomainError(ErrorCodes.bootstrapStepFailed, 'Bootstrap did not finish before its deadline and was rolled back; retry', {
        step: 'deadline',
      });
    }
    if (outcome.state === 'COMPENSATED') {
      await this.instance.release(sagaId);
      await this.publishSafely(() => this.events.failed(sagaId, correlationId, outcome.failedStep, outcome.reason));
    }
    throw new DomainError(
      ErrorCodes.bootstrapStepFailed,
      `Bootstrap failed at step '${outcome.failedStep}': ${outcome.reason}. ` +
        (outcome.state === 'COMPENSATED'
          ? 'Everything it created was rolled back; the same request can be retried.'
          : 'Its rollback is not complete yet; the instance stays claimed until it is.'),
      { step: outcome.failedStep },
    );
  }

  /** An event that cannot be published must not undo a bootstrap that happened. */
  private async publishSafely(publish: () => Promise<void>): Promise<void> {
    try {
      await publish();
    } catch (error) {
      this.logger.error({ msg: 'Could not publish a bootstrap event', err: error });
    }
  }
}
