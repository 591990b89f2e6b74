import { ErrorCode, ErrorCodes } from '@app/contracts';
import { BusRemoteError, DomainError } from '@app/common';
import { Logger } from '@nestjs/common';

/** A saga (or one of its steps) could not run: the gateway answers 503 naming the step. */
export function stepFailed(step: string, message: string): DomainError {
  return new DomainError(ErrorCodes.sagaStepFailed, message, { step });
}

/** Failures of the machinery, never a participant's decision: the caller sees a 503 for them. */
const NOT_A_REFUSAL = new Set<ErrorCode>([
  ErrorCodes.internal,
  ErrorCodes.invalidPayload,
  ErrorCodes.dependencyUnavailable,
  ErrorCodes.sagaCancelled,
  ErrorCodes.sagaStepFailed,
]);

/**
 * A participant's business refusal (organization not found, not an admin of it…): an expected
 * outcome, which reaches the caller as its own 4xx once the saga is rolled back — not as a
 * 503 "step failed".
 */
export function refusalOf(error: unknown): DomainError | undefined {
  if (!(error instanceof BusRemoteError)) return undefined;
  const code = error.code as ErrorCode;
  if (!Object.values(ErrorCodes).includes(code) || NOT_A_REFUSAL.has(code)) return undefined;
  return new DomainError(code, error.body.message, error.body.details);
}

const logger = new Logger('SagaDatabase');

/** The orchestrator's own database being down is a 503 for the caller, not an internal error. */
export async function orDependencyUnavailable<R>(fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    logger.error({ msg: 'Orchestrator database unavailable', err: error });
    throw new DomainError(ErrorCodes.dependencyUnavailable, 'The orchestrator cannot reach its database; nothing was done, retry later');
  }
}
