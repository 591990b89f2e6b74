import { ErrorCode, ErrorCodes, serviceOfSubject } from '@app/contracts';
import { BusRemoteError, BusTimeoutError, BusUnavailableError } from '@app/common';
import { HttpError } from './http-error';

interface HttpMapping {
  status: number;
  error: string;
}

/**
 * The one table from domain error codes to HTTP (WIRE: Infisical's statuses and `error` names).
 * Exhaustive by type: a new code does not compile until it has a row here.
 */
export const BUS_ERROR_HTTP: Record<ErrorCode, HttpMapping> = {
  [ErrorCodes.invalidPayload]: { status: 422, error: 'ValidationFailure' },
  [ErrorCodes.internal]: { status: 500, error: 'InternalServerError' },
  // Only a misconfiguration makes it reach HTTP (the authenticating and the acting services hold keys of different pairs).
  [ErrorCodes.callerUnverified]: { status: 500, error: 'InternalServerError' },
  [ErrorCodes.instanceAlreadyInitialized]: { status: 400, error: 'BadRequest' },
  [ErrorCodes.bootstrapInProgress]: { status: 409, error: 'Conflict' },
  [ErrorCodes.bootstrapKeyInvalid]: { status: 401, error: 'UnauthorizedError' },
  [ErrorCodes.sagaStepFailed]: { status: 503, error: 'ServiceUnavailable' },
  [ErrorCodes.sagaCancelled]: { status: 409, error: 'Conflict' },
  [ErrorCodes.sagaFinished]: { status: 409, error: 'Conflict' },
  [ErrorCodes.dependencyUnavailable]: { status: 503, error: 'ServiceUnavailable' },
  [ErrorCodes.serviceBusy]: { status: 429, error: 'RateLimitExceeded' },
  [ErrorCodes.emailTaken]: { status: 400, error: 'BadRequest' },
  [ErrorCodes.userNotFound]: { status: 404, error: 'NotFound' },
  [ErrorCodes.identityNotFound]: { status: 404, error: 'NotFound' },
  [ErrorCodes.tokenInvalid]: { status: 403, error: 'TokenError' },
  [ErrorCodes.tokenRevoked]: { status: 401, error: 'UnauthorizedError' },
  [ErrorCodes.organizationNotFound]: { status: 404, error: 'NotFound' },
  [ErrorCodes.unauthorized]: { status: 401, error: 'UnauthorizedError' },
  [ErrorCodes.permissionDenied]: { status: 403, error: 'PermissionDenied' },
  [ErrorCodes.instanceAdminProtected]: { status: 403, error: 'ForbiddenError' },
  [ErrorCodes.notInstanceAdmin]: { status: 400, error: 'BadRequest' },
  [ErrorCodes.lastInstanceAdmin]: { status: 400, error: 'BadRequest' },
  [ErrorCodes.projectSlugTaken]: { status: 400, error: 'BadRequest' },
  [ErrorCodes.tokenAuthNotAttached]: { status: 400, error: 'BadRequest' },
  [ErrorCodes.tokenAuthAlreadyAttached]: { status: 400, error: 'BadRequest' },
  [ErrorCodes.tokenNotFound]: { status: 404, error: 'NotFound' },
  [ErrorCodes.loginInvalid]: { status: 400, error: 'BadRequest' },
  [ErrorCodes.loginLocked]: { status: 429, error: 'RateLimitExceeded' },
};

const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(BUS_ERROR_HTTP, code);

type Issues = Array<{ message: string; path: Array<string | number> }>;

/** A refused payload answers like a refused body: 422 with the issues (paths and messages only). */
function issuesOf(error: BusRemoteError): Issues | undefined {
  const issues = error.body.details?.issues;
  return Array.isArray(issues) ? (issues as Issues) : undefined;
}

/**
 * What the HTTP caller sees for a failed bus call; undefined for anything that is not one (the
 * envelope filter answers those with a bare 500). A code this gateway does not know (a newer
 * service) is a 500 too. The 503s name the service that could not answer.
 */
export function httpErrorFromBus(error: unknown): HttpError | undefined {
  if (error instanceof BusRemoteError) {
    if (!isErrorCode(error.code)) return undefined;
    const { status, error: name } = BUS_ERROR_HTTP[error.code];
    if (status >= 500 && status !== 503) return undefined;
    // A 429 says when to come back (Retry-After), from the refusing service's `retryAfterSeconds`.
    const retryAfter = error.body.details?.retryAfterSeconds;
    const headers: Record<string, string> = status === 429 && typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {};
    return new HttpError(status, name, (status === 422 ? issuesOf(error) : undefined) ?? error.body.message, {}, headers);
  }
  const service = (error as { subject?: string }).subject;
  const what = (service !== undefined && serviceOfSubject(service)) || 'a service';
  if (error instanceof BusUnavailableError) {
    return new HttpError(503, 'ServiceUnavailable', `${what} is unavailable; nothing was done, retry later`);
  }
  if (error instanceof BusTimeoutError) {
    return new HttpError(503, 'ServiceUnavailable', `${what} did not answer in time`);
  }
  return undefined;
}
