import { AnswerError } from '@app/common';

/**
 * WIRE: an error the gateway answers with, rendered as Infisical's envelope
 * { reqId, statusCode, message, error } plus any `extra` fields (e.g. health's `dependencies`).
 * An answer: no stack (see AnswerError).
 */
export class HttpError extends AnswerError {
  constructor(
    readonly statusCode: number,
    readonly error: string,
    readonly body: string | Array<{ message: string; path: Array<string | number> }>,
    readonly extra: Record<string, unknown> = {},
    /** Response headers that go with it (Retry-After on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'string' ? body : error);
    this.name = 'HttpError';
  }
}

/** The `error` names of the envelope (WIRE: Infisical's spellings), by status. */
export const ERROR_NAMES: Record<number, string> = {
  400: 'BadRequest',
  401: 'UnauthorizedError',
  403: 'ForbiddenError',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  408: 'RequestTimeout',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  414: 'URITooLong',
  415: 'UnsupportedMediaType',
  422: 'ValidationFailure',
  429: 'RateLimitExceeded',
  431: 'RequestHeaderFieldsTooLarge',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

/** WIRE: the error envelope itself, the one shape of every non-2xx body. */
export function envelope(
  reqId: string,
  statusCode: number,
  message: HttpError['body'],
  error: string = ERROR_NAMES[statusCode] ?? 'Error',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { reqId, statusCode, message, error, ...extra };
}
