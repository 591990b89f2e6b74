import { ErrorCodes } from '@app/contracts';
import { BusRemoteError, BusTimeoutError, BusUnavailableError } from '@app/common';
import { HttpError } from './http-error';

/** The one table from domain error codes to HTTP. A code not listed here is a 500. */
const CODE_TO_HTTP: Record<string, { status: number; error: string }> = {
  [ErrorCodes.instanceAlreadyInitialized]: { status: 400, error: 'BadRequest' },
  [ErrorCodes.bootstrapInProgress]: { status: 409, error: 'Conflict' },
  [ErrorCodes.bootstrapStepFailed]: { status: 503, error: 'ServiceUnavailable' },
  [ErrorCodes.dependencyUnavailable]: { status: 503, error: 'ServiceUnavailable' },
};

/** Turns a failed bus call into what the HTTP caller sees; `what` names the service for a 503. */
export function httpErrorFromBus(error: unknown, what: string): HttpError | undefined {
  if (error instanceof BusRemoteError) {
    const mapped = CODE_TO_HTTP[error.code];
    return mapped === undefined ? undefined : new HttpError(mapped.status, mapped.error, error.body.message);
  }
  if (error instanceof BusUnavailableError) {
    return new HttpError(503, 'ServiceUnavailable', `${what} is unavailable; nothing was done, retry later`);
  }
  if (error instanceof BusTimeoutError) {
    return new HttpError(503, 'ServiceUnavailable', `${what} did not answer in time`);
  }
  return undefined;
}
