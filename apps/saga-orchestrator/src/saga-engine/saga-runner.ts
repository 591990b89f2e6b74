import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { SAGA_REPLY_GRACE_MS } from '@app/common';
import { SagaEngine } from './saga-engine';
import { orDependencyUnavailable, refusalOf, stepFailed } from './saga-errors';
import { SagaHandler } from './saga-handler';
import { SagaEntity } from './saga.entity';
import { newSagaRecord, SagaContext, SagaOutcome, StepTiming } from './saga.types';
import { TypeormSagaStore } from './typeorm-saga.store';

/** A saga about to run: its row is written, or written by start(). */
export interface SagaLaunch<D, T> {
  sagaId: string;
  correlationId: string;
  deadlineAt: Date;
  data: D;
  transient: T;
}

export interface SagaResult<D, T> {
  data: D;
  transient: T;
  timings: StepTiming[];
}

/**
 * Runs one saga for a caller who waits for it: the engine drives the steps; the caller is
 * answered by the saga's deadline (plus a grace for a quick rollback) whatever the steps do, and
 * a slow rollback then finishes in the background or in a sweep; the saga's final side effects
 * (its handler's finish, the outbox mark) run before the answer. Completed: the result. Failed:
 * a participant's refusal as it is, else a 503 naming the step.
 */
@Injectable()
export class SagaRunner {
  constructor(
    private readonly engine: SagaEngine,
    private readonly store: TypeormSagaStore,
  ) {}

  /** Records a new saga and runs it (for sagas that claim nothing first). */
  async start<D, T>(handler: SagaHandler<D, T>, launch: SagaLaunch<D, T>): Promise<SagaResult<D, T>> {
    const { type } = handler.definition;
    await orDependencyUnavailable(() => this.store.insert(newSagaRecord(launch.sagaId, type, launch.data, launch.deadlineAt), launch.correlationId));
    return this.run(handler, launch);
  }

  /** Runs a saga whose row was just recorded (version 1, nothing run yet). */
  async run<D, T>(handler: SagaHandler<D, T>, launch: SagaLaunch<D, T>): Promise<SagaResult<D, T>> {
    const { definition } = handler;
    const { deadlineAt } = launch;
    const ctx: SagaContext<D, T> = { ...launch, remainingMs: () => Math.max(0, deadlineAt.getTime() - Date.now()) };
    let step = definition.steps[0].name;
    // A database failure mid-saga leaves the saga to a sweep, and the caller a 503.
    const concluded = orDependencyUnavailable(async () => {
      const record = newSagaRecord(launch.sagaId, definition.type, launch.data, deadlineAt);
      const outcome = await this.engine.run(definition, record, ctx, { onStep: (name) => (step = name) });
      return this.conclude(handler, outcome, ctx);
    });
    const cancelTimer = new AbortController();
    const late = sleep(deadlineAt.getTime() + SAGA_REPLY_GRACE_MS - Date.now(), undefined, { signal: cancelTimer.signal }).then(() => {
      throw stepFailed(step, `${definition.label} did not finish in time at step '${step}'; it is being rolled back and can then be retried.`);
    });
    late.catch(() => undefined);
    concluded.catch(() => undefined);
    try {
      return await Promise.race([concluded, late]);
    } finally {
      cancelTimer.abort();
    }
  }

  private async conclude<D, T>(handler: SagaHandler<D, T>, outcome: SagaOutcome, ctx: SagaContext<D, T>): Promise<SagaResult<D, T>> {
    const { label, type } = handler.definition;
    if (outcome.state === 'TAKEN_OVER') {
      throw stepFailed('deadline', `${label} did not finish before its deadline and is being rolled back; retry shortly.`);
    }
    const saga = Object.assign(new SagaEntity(), {
      id: ctx.sagaId,
      type,
      state: outcome.state,
      correlationId: ctx.correlationId,
      data: ctx.data,
      failedStep: 'failedStep' in outcome ? outcome.failedStep : null,
      error: 'reason' in outcome ? outcome.reason : null,
    });
    if (outcome.state !== 'COMPENSATION_FAILED' && (await handler.finish(saga))) {
      await this.store.markEventPublished(ctx.sagaId);
    }
    if (outcome.state === 'COMPLETED') return { data: ctx.data, transient: ctx.transient, timings: outcome.timings };
    const refusal = outcome.state === 'COMPENSATED' ? refusalOf(outcome.error) : undefined;
    if (refusal !== undefined) throw refusal;
    throw stepFailed(
      outcome.failedStep,
      // The reason is a fixed text naming the step ("step 'user' timed out"), never an error's message.
      `${label} failed: ${outcome.reason}. ` +
        (outcome.state === 'COMPENSATED'
          ? 'Everything it created was rolled back; the same request can be retried.'
          : 'Its rollback is not complete yet; it is retried until it is.'),
    );
  }
}
