import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandMap, CommandSubject } from '@app/contracts';
import { COMPENSATION_TIMEOUT_MS, metrics, SAGA_STEP_TIMEOUT_MS, SendOptions } from '@app/common';
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
  prerequisitesOf,
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

/** How one step ended. */
type Settled<D, T> = { step: SagaStep<D, T>; started: number } & ({ failed: false; reply: unknown } | { failed: true; error: unknown });

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
 * Runs any declarative saga: each step starts as soon as the steps it comes after are complete
 * (independent steps side by side), the row records every step before it starts and after it
 * ends, and on a failure the steps still running are waited for, then everything that finished
 * (or may have) is compensated in reverse order of completion, each compensation retried with
 * backoff. It keeps
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

  /** One measurement of a step, for the caller's Server-Timing and the step histogram. */
  private timed(saga: string, name: string, started: number, outcome: 'ok' | 'error'): StepTiming {
    const durationMs = performance.now() - started;
    metrics.sagaStepDuration.observe({ saga, step: name, outcome }, durationMs / 1000);
    return { name, durationMs };
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
    const running = new Map<string, Promise<Settled<D, T>>>();
    const failures: Array<{ name: string; error: unknown }> = [];

    /**
     * Starts every step whose prerequisites are complete, after one write that records progress
     * so far and names them as running: whatever may have been sent is on the row before it is
     * sent, so a sweep that finds the saga abandoned knows what to undo. With nothing left to
     * run, the same write completes the saga.
     */
    const advance = async (progress: SagaPatch<D>): Promise<void> => {
      let ready = definition.steps.filter(
        (s) => !completed.includes(s.name) && !running.has(s.name) && prerequisitesOf(definition, s).every((p) => completed.includes(p)),
      );
      if (ready.length > 0 && ctx.remainingMs() <= 0) {
        failures.push({ name: ready[0].name, error: new SagaDeadlineExceeded() });
        ready = [];
      }
      const runningSteps = [...running.keys(), ...ready.map((s) => s.name)];
      if (runningSteps.length === 0 && failures.length === 0) {
        await row.save({ ...progress, state: 'COMPLETED', currentStep: null, runningSteps: [] });
        return;
      }
      await row.save({ ...progress, currentStep: runningSteps[runningSteps.length - 1] ?? null, runningSteps });
      for (const s of ready) {
        observer.onStep?.(s.name);
        running.set(s.name, this.settle(s, ctx));
      }
    };

    try {
      await advance({ state: 'RUNNING' });
      while (running.size > 0) {
        const settled = await Promise.race(running.values());
        running.delete(settled.step.name);
        timings.push(this.timed(definition.type, settled.step.name, settled.started, settled.failed ? 'error' : 'ok'));
        if (settled.failed) {
          failures.push({ name: settled.step.name, error: settled.error });
          continue;
        }
        settled.step.onReply?.(ctx, settled.reply as never);
        completed.push(settled.step.name);
        this.logger.debug({ msg: 'Saga step completed', sagaId: ctx.sagaId, step: settled.step.name });
        // After a failure nothing new starts; the steps still running are waited for, then undone.
        if (failures.length === 0) await advance({ completedSteps: [...completed], data: ctx.data });
      }
      // Reported in declaration order, whatever order side-by-side steps ended in.
      const names = definition.steps.map((s) => s.name);
      timings.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
      if (failures.length === 0) return { state: 'COMPLETED', timings };
      const [first] = failures;
      // Undone in reverse order of completion; a failed step that may have run counts as the latest.
      const toCompensate = [...completed, ...failures.filter((f) => mayHaveRun(f.error)).map((f) => f.name)];
      return await this.abort(definition, ctx, row, first.name, first.error, toCompensate, timings);
    } catch (error) {
      if (error instanceof TakenOver) {
        this.logger.warn({ msg: 'Saga was taken over by another orchestrator; stopping', sagaId: ctx.sagaId });
        return { state: 'TAKEN_OVER', timings };
      }
      throw error;
    }
  }

  /** Runs one step to its end, never rejecting: the run loop waits for several at once. */
  private async settle<D, T>(step: SagaStep<D, T>, ctx: SagaContext<D, T>): Promise<Settled<D, T>> {
    const started = performance.now();
    try {
      return { step, started, failed: false, reply: await this.invoke(step, ctx) };
    } catch (error) {
      return { step, started, failed: true, error };
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
    toCompensate: string[],
    timings: StepTiming[],
  ): Promise<SagaOutcome> {
    const reason = failureReason(failedStep, error);
    this.logger.warn({ msg: 'Saga step failed; compensating', sagaId: ctx.sagaId, step: failedStep, reason, err: error });
    await row.save({ state: 'COMPENSATING', failedStep, error: reason, toCompensate, runningSteps: [] });
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
