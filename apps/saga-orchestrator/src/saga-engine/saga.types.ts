/** Final states are COMPLETED, COMPENSATED and COMPENSATION_FAILED (the last needs an operator or a later sweep). */
export type SagaState = 'RUNNING' | 'COMPENSATING' | 'COMPLETED' | 'COMPENSATED' | 'COMPENSATION_FAILED';

/**
 * What a running step sees. `data` is persisted after every step and must never hold a secret;
 * `transient` lives only in this process's memory (the password in, the token out).
 */
export interface SagaContext<D, T> {
  readonly sagaId: string;
  readonly correlationId: string;
  readonly deadlineAt: Date;
  data: D;
  transient: T;
  /** Milliseconds left before the saga's deadline (never negative). */
  remainingMs(): number;
}

export interface SagaStep<D, T, R = unknown> {
  name: string;
  invoke(ctx: SagaContext<D, T>): Promise<R>;
  /** Records the reply: ids into ctx.data, secrets into ctx.transient. */
  onReply?(ctx: SagaContext<D, T>, reply: R): void;
  /** Undoes the step. Must be idempotent: it may run twice, or for a step that never ran. */
  compensate?(ctx: SagaContext<D, T>): Promise<unknown>;
}

export interface SagaDefinition<D, T> {
  type: string;
  steps: ReadonlyArray<SagaStep<D, T, any>>;
}

/** Declares a step with its reply type inferred from `invoke`. */
export function step<D, T, R>(s: SagaStep<D, T, R>): SagaStep<D, T, R> {
  return s;
}

/** The persisted saga row. */
export interface SagaRecord<D = unknown> {
  id: string;
  type: string;
  state: SagaState;
  currentStep: string | null;
  completedSteps: string[];
  /** Steps to undo once compensation starts (completed ones, plus a failed one that may have run). */
  toCompensate: string[];
  compensatedSteps: string[];
  failedStep: string | null;
  error: string | null;
  data: D;
  version: number;
  deadlineAt: Date;
}

/** The row of a saga that was just recorded (version 1, nothing run yet). */
export function newSagaRecord<D>(id: string, type: string, data: D, deadlineAt: Date): SagaRecord<D> {
  return {
    id,
    type,
    state: 'RUNNING',
    currentStep: null,
    completedSteps: [],
    toCompensate: [],
    compensatedSteps: [],
    failedStep: null,
    error: null,
    data,
    version: 1,
    deadlineAt,
  };
}

export type SagaPatch<D> = Partial<Omit<SagaRecord<D>, 'id' | 'type' | 'version' | 'deadlineAt'>>;

/** Persistence port of the engine: a Postgres table in production, a Map in unit tests. */
export interface SagaStore {
  /** Applies the patch if the row is still at `expectedVersion`; returns the new version, or null if someone else moved it. */
  update<D>(id: string, expectedVersion: number, patch: SagaPatch<D>): Promise<number | null>;
}

export interface StepTiming {
  name: string;
  durationMs: number;
}

export type SagaOutcome =
  | { state: 'COMPLETED'; timings: StepTiming[] }
  | {
      state: 'COMPENSATED' | 'COMPENSATION_FAILED';
      failedStep: string;
      reason: string;
      timings: StepTiming[];
    }
  /** Another orchestrator (a deadline sweep) took the saga over; this one must stop touching it. */
  | { state: 'TAKEN_OVER'; timings: StepTiming[] };
