import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Brackets, DataSource } from 'typeorm';
import { SagaEngine } from './saga-engine';
import { timedOutReason } from './saga-errors';
import { SagaRegistry } from './saga-handler';
import { SagaEntity } from './saga.entity';
import { toSagaRecord, TypeormSagaStore } from './typeorm-saga.store';

export interface SweeperTiming {
  /** Pause between sweeps. */
  intervalMs: number;
  /** A saga past its deadline with no write for this long has lost its runner. */
  staleAfterMs: number;
  /** Cap of the exponential pause between retries of a failed rollback. */
  maxRetryDelayS: number;
}

export const DEFAULT_SWEEPER_TIMING: SweeperTiming = { intervalMs: 2_000, staleAfterMs: 5_000, maxRetryDelayS: 60 };
export const SWEEPER_TIMING = Symbol('SWEEPER_TIMING');

/**
 * Crash recovery, run by every orchestrator replica on start and then periodically. It takes
 * over sagas whose runner died (past their deadline, no progress) or whose rollback failed
 * earlier, one row at a time with FOR UPDATE SKIP LOCKED so replicas never take the same one,
 * and drives them to a final state; then it publishes final events that were not published.
 */
@Injectable()
export class SagaSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SagaSweeper.name);
  private stopped = false;
  private loop?: Promise<void>;
  private readonly wake = new AbortController();

  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: SagaEngine,
    private readonly registry: SagaRegistry,
    private readonly store: TypeormSagaStore,
    @Optional() @Inject(SWEEPER_TIMING) private readonly timing: SweeperTiming = DEFAULT_SWEEPER_TIMING,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake.abort();
    await this.loop;
  }

  /** One full pass; answers how many sagas it moved. */
  async sweepOnce(): Promise<number> {
    let moved = 0;
    while (!this.stopped && (await this.recoverOne())) moved += 1;
    return moved + (await this.publishPending());
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.sweepOnce();
      } catch (error) {
        this.logger.warn({ msg: 'Saga sweep failed; will retry', err: error });
      }
      await sleep(this.timing.intervalMs, undefined, { signal: this.wake.signal }).catch(() => undefined);
    }
  }

  /** Takes over one abandoned saga and drives it to a final state; false when there is none. */
  private async recoverOne(): Promise<boolean> {
    const taken = await this.dataSource.transaction(async (m): Promise<{ saga: SagaEntity; committed: boolean } | null> => {
      const saga = await m
        .getRepository(SagaEntity)
        .createQueryBuilder('s')
        .where(
          new Brackets((q) =>
            q
              .where(`s.state IN ('RUNNING', 'COMPENSATING')`)
              .andWhere(`s.deadline_at < now() - :stale * interval '1 millisecond'`)
              .andWhere(`s.updated_at < now() - :stale * interval '1 millisecond'`),
          ),
        )
        .orWhere(`s.state = 'COMPENSATION_FAILED' AND s.updated_at < now() - least(:cap, power(2, s.attempts)) * interval '1 second'`)
        .setParameters({ stale: this.timing.staleAfterMs, cap: this.timing.maxRetryDelayS })
        .orderBy('s.deadline_at', 'ASC')
        .limit(1)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getOne();
      if (saga === null) return null;
      const handler = this.registry.get(saga.type);
      if (handler === undefined) {
        this.logger.error({ msg: 'Abandoned saga of an unknown type', sagaId: saga.id, type: saga.type });
        return null;
      }
      if (saga.state === 'RUNNING' && (await handler.isCommitted(m, saga.id))) {
        // The runner died after the commit point: finish forward, never undo.
        await this.store.update(saga.id, saga.version, { state: 'COMPLETED', currentStep: null }, m);
        return { saga: Object.assign(saga, { state: 'COMPLETED', currentStep: null }), committed: true };
      }
      const toCompensate =
        saga.state === 'RUNNING'
          ? // current_step too: the row may come from an orchestrator of before running_steps (a rolling upgrade).
            [...new Set([...saga.completedSteps, ...saga.runningSteps, ...(saga.currentStep === null ? [] : [saga.currentStep])])]
          : saga.toCompensate;
      const failedStep = saga.failedStep ?? saga.currentStep ?? 'unknown';
      // Its runner died: the step it was at did not finish before the saga's deadline.
      const patch: Partial<SagaEntity> = { state: 'COMPENSATING', toCompensate, failedStep, error: saga.error ?? timedOutReason(failedStep) };
      const version = await this.store.update(saga.id, saga.version, patch, m);
      await m.increment(SagaEntity, { id: saga.id }, 'attempts', 1);
      return { saga: Object.assign(saga, patch, { version: version! }), committed: false };
    });
    if (taken === null) return false;

    const { saga } = taken;
    const handler = this.registry.get(saga.type)!;
    if (taken.committed) {
      this.logger.warn({ msg: 'Completed a saga whose runner died after its commit point', sagaId: saga.id });
    } else {
      this.logger.warn({ msg: 'Taking over an abandoned saga to roll it back', sagaId: saga.id, attempt: saga.attempts + 1 });
      const ctx = {
        sagaId: saga.id,
        correlationId: saga.correlationId,
        deadlineAt: saga.deadlineAt,
        data: saga.data,
        transient: {},
        remainingMs: () => 0,
      };
      const state = await this.engine.compensate(handler.definition, toSagaRecord(saga), ctx);
      if (state !== 'COMPENSATED') return true;
      saga.state = 'COMPENSATED';
      this.logger.log({ msg: 'Rolled back an abandoned saga', sagaId: saga.id });
    }
    if (await handler.finish(saga)) await this.store.markEventPublished(saga.id);
    return true;
  }

  /** The event outbox: final states whose public event is still unpublished (e.g. NATS was down). */
  private async publishPending(): Promise<number> {
    const pending = await this.dataSource
      .getRepository(SagaEntity)
      .createQueryBuilder('s')
      .where(`s.state IN ('COMPLETED', 'COMPENSATED') AND s.event_published_at IS NULL`)
      .andWhere(`s.updated_at < now() - :stale * interval '1 millisecond'`, { stale: this.timing.staleAfterMs })
      .orderBy('s.updated_at', 'ASC')
      .limit(20)
      .getMany();
    let published = 0;
    for (const saga of pending) {
      const handler = this.registry.get(saga.type);
      if (handler !== undefined && (await handler.finish(saga))) {
        await this.store.markEventPublished(saga.id);
        published += 1;
      }
    }
    return published;
  }
}
