import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  BOOTSTRAP_SUCCESS_MESSAGE,
  BootstrapStartReply,
  BootstrapStartSchema,
  ErrorCodes,
  InstanceStateReply,
} from '@app/contracts';
import { DomainError } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { z } from 'zod';
import { BootstrapEventsPublisher } from '../../events/bootstrap-events.publisher';
import { ClaimResult, InstanceService } from '../../instance/instance.service';
import { SagaEngine } from '../../saga-engine/saga-engine';
import { SagaRegistry } from '../../saga-engine/saga-handler';
import { SagaEntity } from '../../saga-engine/saga.entity';
import { newSagaRecord, SagaContext, SagaOutcome } from '../../saga-engine/saga.types';
import { TypeormSagaStore } from '../../saga-engine/typeorm-saga.store';
import { hashIdempotencyKey, stepFailed } from './bootstrap.errors';
import { BootstrapSagaHandler } from './bootstrap.handler';
import { BootstrapData, BootstrapTransient } from './bootstrap.saga';
import { ReclaimService } from './reclaim.service';

/**
 * How long after the saga's deadline the caller still waits for the rollback to finish. Past
 * it, the caller gets its 503 and the rollback goes on in the background (or in a sweep).
 */
const REPLY_GRACE_MS = 2_000;

type StartCommand = z.infer<typeof BootstrapStartSchema>;
type Ctx = SagaContext<BootstrapData, BootstrapTransient>;

@Injectable()
export class BootstrapService implements OnModuleInit {
  private readonly logger = new Logger(BootstrapService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly instance: InstanceService,
    private readonly engine: SagaEngine,
    private readonly handler: BootstrapSagaHandler,
    private readonly registry: SagaRegistry,
    private readonly store: TypeormSagaStore,
    private readonly events: BootstrapEventsPublisher,
    private readonly reclaim: ReclaimService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.handler);
  }

  async getState(): Promise<InstanceStateReply> {
    return this.orDependencyUnavailable(() => this.instance.getState());
  }

  async start(command: StartCommand, correlationId: string): Promise<BootstrapStartReply> {
    const sagaId = randomUUID();
    const deadlineAt = new Date(Date.now() + this.config.bootstrapTimeoutMs);
    const data: BootstrapData = {
      email: command.email,
      organizationName: command.organization,
      ...(command.idempotencyKey === undefined ? {} : { idempotencyKeyHash: hashIdempotencyKey(command.idempotencyKey) }),
    };
    const type = this.handler.definition.type;
    const claim: ClaimResult = await this.orDependencyUnavailable(() =>
      this.instance.claim({ id: sagaId, type, correlationId, deadlineAt, data }),
    );
    if (claim === 'initialized') {
      const reclaimed = command.idempotencyKey === undefined ? null : await this.reclaim.tryReclaim(command, correlationId);
      if (reclaimed !== null) return reclaimed;
      throw new DomainError(ErrorCodes.instanceAlreadyInitialized, 'Instance has already been set up');
    }
    if (claim === 'in-progress') {
      throw new DomainError(ErrorCodes.bootstrapInProgress, 'Instance bootstrap is already in progress');
    }
    this.logger.log({ msg: 'Bootstrap claimed the instance', sagaId });
    await this.events.started(sagaId, correlationId).catch((error: unknown) => {
      this.logger.error({ msg: 'Could not publish bootstrap.evt.started', sagaId, err: error });
    });

    const ctx: Ctx = {
      sagaId,
      correlationId,
      deadlineAt,
      data,
      transient: { password: command.password },
      remainingMs: () => Math.max(0, deadlineAt.getTime() - Date.now()),
    };
    let step = this.handler.definition.steps[0].name;
    // A database failure mid-saga leaves the saga to a sweep, and the caller a 503.
    const concluded = this.orDependencyUnavailable(async () => {
      const record = newSagaRecord(sagaId, type, data, deadlineAt);
      const outcome = await this.engine.run(this.handler.definition, record, ctx, { onStep: (name) => (step = name) });
      return this.conclude(outcome, ctx);
    });
    // The caller is answered by the deadline (plus a grace for a quick rollback) whatever the
    // steps do; a slow rollback then finishes in the background, or in a sweep.
    const cancelTimer = new AbortController();
    const late = sleep(deadlineAt.getTime() + REPLY_GRACE_MS - Date.now(), undefined, { signal: cancelTimer.signal }).then(() => {
      throw stepFailed(step, `Bootstrap did not finish in time at step '${step}'; it is being rolled back and can then be retried.`);
    });
    late.catch(() => undefined);
    concluded.catch(() => undefined);
    try {
      return await Promise.race([concluded, late]);
    } finally {
      cancelTimer.abort();
    }
  }

  /** Turns the saga's outcome into the reply, after the final side effects (claim, event). */
  private async conclude(outcome: SagaOutcome, ctx: Ctx): Promise<BootstrapStartReply> {
    if (outcome.state === 'TAKEN_OVER') {
      throw stepFailed('deadline', 'Bootstrap did not finish before its deadline and is being rolled back; retry shortly.');
    }
    const saga = Object.assign(new SagaEntity(), {
      id: ctx.sagaId,
      type: this.handler.definition.type,
      state: outcome.state,
      correlationId: ctx.correlationId,
      data: ctx.data,
      failedStep: 'failedStep' in outcome ? outcome.failedStep : null,
      error: 'reason' in outcome ? outcome.reason : null,
    });
    if (outcome.state !== 'COMPENSATION_FAILED' && (await this.handler.finish(saga))) {
      await this.store.markEventPublished(ctx.sagaId);
    }
    if (outcome.state === 'COMPLETED') {
      this.logger.log({ msg: 'Bootstrap completed', sagaId: ctx.sagaId });
      const { user, organization, identity } = ctx.data;
      return {
        response: {
          message: BOOTSTRAP_SUCCESS_MESSAGE,
          user: user!,
          organization: organization!,
          identity: { id: identity!.id, name: identity!.name, credentials: { token: ctx.transient.token! } },
        },
        timings: outcome.timings,
      };
    }
    throw stepFailed(
      outcome.failedStep,
      `Bootstrap failed at step '${outcome.failedStep}': ${outcome.reason}. ` +
        (outcome.state === 'COMPENSATED'
          ? 'Everything it created was rolled back; the same request can be retried.'
          : 'Its rollback is not complete yet; the instance stays claimed until it is.'),
    );
  }

  /** The orchestrator's own database being down is a 503 for the caller, not an internal error. */
  private async orDependencyUnavailable<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof DomainError) throw error;
      this.logger.error({ msg: 'Orchestrator database unavailable', err: error });
      throw new DomainError(ErrorCodes.dependencyUnavailable, 'The orchestrator cannot reach its database; nothing was done, retry later');
    }
  }
}
