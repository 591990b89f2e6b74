import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandMap, CommandSubject } from '@app/contracts';
import { COMPENSATION_TIMEOUT_MS, SAGA_STEP_TIMEOUT_MS, SendOptions } from '@app/common';
import { failureReason, SagaDeadlineExceeded } from './saga-errors';
import {
  SagaContext,
  SagaDefinition,
  SagaOutcome,
  SagaPatch,
  SagaRecord,
  SagaStep,
  SagaStore,
  StepTiming,
} from './saga.types';

/** The bus as the engine sends on it (BusClient in production). */
export interface SagaBus {
  send<S extends CommandSubject>(subject: S, payload: CommandMap[S]['request'], options?: SendOptions): Promise<CommandMap[S]['reply']>;
}

export interface SagaEngineOptions {
  /** Attempts per compensation before the saga is marked COMPENSATION_FAILED. */
  compensationAttempts: number;
  /** First retry delay; doubles on every further attempt. */
  compensationBackoffMs: number;
  sleep: (ms: number) => Promise<unknown>;
  /** Upper bound of one command step; the saga's remaining time bounds it further. */
  stepTimeoutMs: number;
  /** Bound of one compensation attempt. */
  compensationTimeoutMs: number;
  /** Where command steps and their compensations are sent. */
  bus?: SagaBus;
}

/** Lets the caller follow a run, e.g. to name the step in an answer it must give before the end. */
export interface SagaObserver {
  onStep?(name: string): void;
}

export const DEFAULT_ENGINE_OPTIONS: SagaEngineOptions = {
  compensationAttempts: 6,
  compensationBackoffMs: 100,
  sleep,
  stepTimeoutMs: SAGA_STEP_TIMEOUT_MS,
  compensationTimeoutMs: COMPENSATION_TIMEOUT_MS,
};

class TakenOver extends Error {}

/** Writes one saga row with optimistic locking: a row moved by someone else means we lost it. */
class SagaRow<D> {
  constructor(
    private readonly store: SagaStore,
    private readonly id: string,
    private version: number,
  ) {}

  async save(patch: SagaPatch<D>): Promise<void> {
    const next = await this.store.update(this.id, this.version, patch);
    if (next === null) throw new TakenOver();
    this.version = next;
  }
}

/** Whether a failed step may nevertheless have taken effect (a timeout), so must be undone too. */
function mayHaveRun(error: unknown): boolean {
  const flag = (error as { mayHaveRun?: unknown } | null)?.mayHaveRun;
  return typeof flag === 'boolean' ? flag : true;
}

/**
 * Runs any declarative saga: persists the row before and after every step, and on a failure
 * compensates what finished, in reverse order, each compensation retried with backoff. It keeps
 * no state of its own, so any replica can resume a saga from its row.
 */
export class SagaEngine {
  private readonly logger = new Logger(SagaEngine.name);
  private readonly options: SagaEngineOptions;

  constructor(
    private readonly store: SagaStore,
    options: Partial<SagaEngineOptions> = {},
  ) {
    this.options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
  }

  private get bus(): SagaBus {
    if (this.options.bus === undefined) throw new Error('This saga engine has no bus for command steps');
    return this.options.bus;
  }

  /** Runs a step: a local one itself, a command one on the bus, bounded by the saga's deadline. */
  private invoke<D, T>(s: SagaStep<D, T>, ctx: SagaContext<D, T>): Promise<unknown> {
    if (!('command' in s)) return s.invoke(ctx);
    return this.bus.send(s.command, s.payload(ctx), {
      timeoutMs: Math.max(1, Math.min(this.options.stepTimeoutMs, ctx.remainingMs())),
      correlationId: ctx.correlationId,
      causationId: ctx.sagaId,
    });
  }

  /** The compensation of a step, or undefined when it has none. */
  private undoer<D, T>(s: SagaStep<D, T> | undefined, ctx: SagaContext<D, T>): (() => Promise<unknown>) | undefined {
    if (s === undefined) return undefined;
    if ('command' in s) {
      const undo = s.undo;
      if (undo === undefined) return undefined;
      const options = { timeoutMs: this.options.compensationTimeoutMs, correlationId: ctx.correlationId, causationId: ctx.sagaId };
      return () => this.bus.send(undo, { sagaId: ctx.sagaId }, options);
    }
    const compensate = s.compensate;
    return compensate === undefined ? undefined : () => compensate.call(s, ctx);
  }

  async run<D, T>(
    definition: SagaDefinition<D, T>,
    record: SagaRecord<D>,
    ctx: SagaContext<D, T>,
    observer: SagaObserver = {},
  ): Promise<SagaOutcome> {
    const timings: StepTiming[] = [];
    const completed = [...record.completedSteps];
    const row = new SagaRow<D>(this.store, record.id, record.version);

    try {
      for (const s of definition.steps) {
        if (completed.includes(s.name)) continue;
        if (ctx.remainingMs() <= 0) {
          return await this.abort(definition, ctx, row, s.name, new SagaDeadlineExceeded(), completed, timings);
        }
        await row.save({ state: 'RUNNING', currentStep: s.name });
        observer.onStep?.(s.name);
        const started = performance.now();
        let reply: unknown;
        try {
          reply = await this.invoke(s, ctx);
        } catch (error) {
          timings.push({ name: s.name, durationMs: performance.now() - started });
          return await this.abort(definition, ctx, row, s.name, error, completed, timings);
        }
        timings.push({ name: s.name, durationMs: performance.now() - started });
        s.onReply?.(ctx, reply as never);
        completed.push(s.name);
        await row.save({ completedSteps: [...completed], data: ctx.data });
        this.logger.debug({ msg: 'Saga step completed', sagaId: ctx.sagaId, step: s.name });
      }
      await row.save({ state: 'COMPLETED', currentStep: null });
      return { state: 'COMPLETED', timings };
    } catch (error) {
      if (error instanceof TakenOver) {
        this.logger.warn({ msg: 'Saga was taken over by another orchestrator; stopping', sagaId: ctx.sagaId });
        return { state: 'TAKEN_OVER', timings };
      }
      throw error;
    }
  }

  /**
   * Undoes `record.toCompensate` minus what is already compensated, in reverse order. Used by
   * run() after a failure and by a deadline sweep resuming a saga another process abandoned.
   */
  async compensate<D, T>(
    definition: SagaDefinition<D, T>,
    record: SagaRecord<D>,
    ctx: SagaContext<D, T>,
  ): Promise<'COMPENSATED' | 'COMPENSATION_FAILED' | 'TAKEN_OVER'> {
    const row = new SagaRow<D>(this.store, record.id, record.version);
    try {
      return await this.compensateRow(definition, row, record.toCompensate, record.compensatedSteps, ctx);
    } catch (error) {
      if (error instanceof TakenOver) return 'TAKEN_OVER';
      throw error;
    }
  }

  private async compensateRow<D, T>(
    definition: SagaDefinition<D, T>,
    row: SagaRow<D>,
    toCompensate: string[],
    alreadyCompensated: string[],
    ctx: SagaContext<D, T>,
  ): Promise<'COMPENSATED' | 'COMPENSATION_FAILED'> {
    const done = [...alreadyCompensated];
    for (const name of [...toCompensate].reverse()) {
      if (done.includes(name)) continue;
      const undo = this.undoer(definition.steps.find((candidate) => candidate.name === name), ctx);
      if (undo !== undefined && !(await this.compensateStep(undo, ctx, name))) {
        await row.save({ state: 'COMPENSATION_FAILED', compensatedSteps: [...done] });
        this.logger.error({ msg: 'Compensation failed; the saga needs attention', sagaId: ctx.sagaId, step: name });
        return 'COMPENSATION_FAILED';
      }
      done.push(name);
      await row.save({ compensatedSteps: [...done] });
    }
    await row.save({ state: 'COMPENSATED', currentStep: null });
    return 'COMPENSATED';
  }

  private async abort<D, T>(
    definition: SagaDefinition<D, T>,
    ctx: SagaContext<D, T>,
    row: SagaRow<D>,
    failedStep: string,
    error: unknown,
    completed: string[],
    timings: StepTiming[],
  ): Promise<SagaOutcome> {
    const reason = failureReason(failedStep, error);
    const toCompensate = mayHaveRun(error) ? [...completed, failedStep] : [...completed];
    this.logger.warn({ msg: 'Saga step failed; compensating', sagaId: ctx.sagaId, step: failedStep, reason, err: error });
    await row.save({ state: 'COMPENSATING', failedStep, error: reason, toCompensate });
    const state = await this.compensateRow(definition, row, toCompensate, [], ctx);
    return { state, failedStep, reason, error, timings };
  }

  private async compensateStep<D, T>(undo: () => Promise<unknown>, ctx: SagaContext<D, T>, name: string): Promise<boolean> {
    for (let attempt = 1; attempt <= this.options.compensationAttempts; attempt += 1) {
      try {
        await undo();
        return true;
      } catch (error) {
        this.logger.warn({ msg: 'Compensation attempt failed', sagaId: ctx.sagaId, step: name, attempt, reason: failureReason(name, error), err: error });
        if (attempt < this.options.compensationAttempts) {
          await this.options.sleep(this.options.compensationBackoffMs * 2 ** (attempt - 1));
        }
      }
    }
    return false;
  }
}
