import { performance } from 'node:perf_hooks';
import { ErrorCodes } from '@app/contracts';
import { DomainError, metrics } from '@app/common';

export type BootstrapOutcome = 'completed' | 'reclaimed' | 'already_initialized' | 'in_progress' | 'refused' | 'failed';

/** Failures of the machinery (a step failed or timed out, a dependency was down); any other code is a participant's refusal. */
const FAILURES = new Set<string>([ErrorCodes.sagaStepFailed, ErrorCodes.dependencyUnavailable, ErrorCodes.internal, ErrorCodes.sagaCancelled]);

export function bootstrapFailureOutcome(error: unknown): BootstrapOutcome {
  if (!(error instanceof DomainError)) return 'failed';
  if (error.code === ErrorCodes.instanceAlreadyInitialized) return 'already_initialized';
  if (error.code === ErrorCodes.bootstrapInProgress) return 'in_progress';
  return FAILURES.has(error.code) ? 'failed' : 'refused';
}

/** What the run tells the measurement beyond success or failure. */
export interface BootstrapMark {
  reclaimed: boolean;
}

/** Counts one bootstrap command by outcome and observes how long it took to answer. */
export async function measureBootstrap<R>(run: (mark: BootstrapMark) => Promise<R>): Promise<R> {
  const started = performance.now();
  const mark: BootstrapMark = { reclaimed: false };
  let outcome: BootstrapOutcome = 'failed';
  try {
    const reply = await run(mark);
    outcome = mark.reclaimed ? 'reclaimed' : 'completed';
    return reply;
  } catch (error) {
    outcome = bootstrapFailureOutcome(error);
    throw error;
  } finally {
    metrics.bootstraps.inc({ outcome });
    metrics.bootstrapDuration.observe({ outcome }, (performance.now() - started) / 1000);
  }
}
