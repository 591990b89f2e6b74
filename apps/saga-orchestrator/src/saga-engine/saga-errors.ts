import { ErrorCode, ErrorCodes, ServiceNames, serviceOfSubject } from '@app/contracts';
import { BusRemoteError, BusTimeoutError, BusUnavailableError, DomainError } from '@app/common';
import { Logger } from '@nestjs/common';

/** The saga's deadline passed before a step could start: nothing of that step ran. */
export class SagaDeadlineExceeded extends Error {
  readonly mayHaveRun = false;
  constructor() {
    super('saga deadline exceeded');
    this.name = 'SagaDeadlineExceeded';
  }
}

/** Named when the failing service cannot be told from the error (a local step, an unknown subject). */
const SOME_SERVICE = 'its service';

/**
 * Why a step failed, as saga rows (`error`), `bootstrap.evt.failed` (`reason`) and 503 bodies
 * say it: a fixed text built from the step and the kind of failure, never an error's own
 * message, which may name hosts, subjects or SQL. The error itself is logged, serialized safely.
 */
export function failureReason(step: string, error: unknown): string {
  if (error instanceof BusTimeoutError || error instanceof SagaDeadlineExceeded) return timedOutReason(step);
  if (error instanceof BusUnavailableError) return unavailableReason(step, error.subject);
  if (error instanceof BusRemoteError) {
    if (error.code === ErrorCodes.dependencyUnavailable) return unavailableReason(step, error.subject);
    if (refusalOf(error) !== undefined) return `step '${step}' refused`;
  }
  return `step '${step}' failed`;
}

export function timedOutReason(step: string): string {
  return `step '${step}' timed out`;
}

function unavailableReason(step: string, subject: string): string {
  return `step '${step}': ${serviceOfSubject(subject) ?? SOME_SERVICE} unavailable`;
}

/**
 * A stored reason as it may be published: one of failureReason's texts for this step, else
 * (a row written before reasons were fixed texts) the generic one.
 */
export function publicReason(step: string, stored: string | null): string {
  const known = [
    timedOutReason(step),
    `step '${step}' refused`,
    `step '${step}' failed`,
    ...[...Object.values(ServiceNames), SOME_SERVICE].map((service) => `step '${step}': ${service} unavailable`),
  ];
  return stored !== null && known.includes(stored) ? stored : `step '${step}' failed`;
}

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
