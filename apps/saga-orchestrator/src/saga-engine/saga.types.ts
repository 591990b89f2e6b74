import type { CommandMap, CommandSubject, ReplyOf, StepTiming } from '@app/contracts';

export type { StepTiming };

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

/** A step the orchestrator runs itself (e.g. a commit point in its own database). */
export interface LocalStep<D, T, R = unknown> {
  name: string;
  /** The steps that must be complete before this one starts; unset = every step declared before it. */
  after?: readonly string[];
  invoke(ctx: SagaContext<D, T>): Promise<R>;
  /** Records the reply: ids into ctx.data, secrets into ctx.transient. */
  onReply?(ctx: SagaContext<D, T>, reply: R): void;
  /** Undoes the step. Must be idempotent: it may run twice, or for a step that never ran. */
  compensate?(ctx: SagaContext<D, T>): Promise<unknown>;
}

/** A compensation command: it takes the saga id alone, since a step that timed out may have run without us learning its ids. */
export type UndoSubject = {
  [S in CommandSubject]: { sagaId: string } extends CommandMap[S]['request'] ? S : never;
}[CommandSubject];

/**
 * A step that is one command to a participant. The engine sends it with the saga's correlation
 * id, bounded by the step timeout and the saga's remaining time, and its `undo` with the saga id.
 */
export interface CommandStep<D, T, S extends CommandSubject = CommandSubject> {
  name: string;
  /** The steps that must be complete before this one starts; unset = every step declared before it. */
  after?: readonly string[];
  command: S;
  payload(ctx: SagaContext<D, T>): CommandMap[S]['request'];
  onReply?(ctx: SagaContext<D, T>, reply: ReplyOf<S>): void;
  undo?: UndoSubject;
}

export type SagaStep<D, T> = LocalStep<D, T, any> | CommandStep<D, T, any>;

export interface SagaDefinition<D, T> {
  type: string;
  /** How answers name this saga: "Bootstrap failed at step 'user'…". */
  label: string;
  steps: ReadonlyArray<SagaStep<D, T>>;
}

/**
 * The steps `s` waits for. Only steps declared before it may be named, so declaration order is
 * always a valid order to run them in (no cycles, nothing unknown).
 */
export function prerequisitesOf<D, T>(definition: SagaDefinition<D, T>, s: SagaStep<D, T>): readonly string[] {
  const earlier = definition.steps.slice(0, definition.steps.indexOf(s)).map((e) => e.name);
  if (s.after === undefined) return earlier;
  const unknown = s.after.filter((name) => !earlier.includes(name));
  if (unknown.length > 0) throw new Error(`saga '${definition.type}': step '${s.name}' comes after steps not declared before it: ${unknown.join(', ')}`);
  return s.after;
}

/** Declares a local step with its reply type inferred from `invoke`. */
export function step<D, T, R>(s: LocalStep<D, T, R>): LocalStep<D, T, R> {
  return s;
}

/** Declares a command step with payload and reply types taken from the contract. */
export function command<D, T, S extends CommandSubject>(s: CommandStep<D, T, S>): CommandStep<D, T, S> {
  return s;
}

/** The persisted saga row. */
export interface SagaRecord<D = unknown> {
  id: string;
  type: string;
  state: SagaState;
  /** For people reading the row: the step started last among those running. */
  currentStep: string | null;
  /** Steps started and not yet complete: they may have run, so a sweep undoes them too. */
  runningSteps: string[];
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
    runningSteps: [],
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

export type SagaOutcome =
  | { state: 'COMPLETED'; timings: StepTiming[] }
  | {
      state: 'COMPENSATED' | 'COMPENSATION_FAILED';
      failedStep: string;
      reason: string;
      /** What made the step fail (not persisted): a participant's refusal reaches the caller as it is. */
      error?: unknown;
      timings: StepTiming[];
    }
  /** Another orchestrator (a deadline sweep) took the saga over; this one must stop touching it. */
  | { state: 'TAKEN_OVER'; timings: StepTiming[] };
