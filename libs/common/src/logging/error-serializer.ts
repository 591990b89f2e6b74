/**
 * What of an error reaches a log line. An error is an open bag of properties, and some carry
 * secrets: TypeORM's QueryFailedError holds the statement (`query`), its `parameters` (a
 * password hash on a failed insert) and the driver's error, whose `detail` repeats the failing
 * row. So only an allow-list is kept — name, message, code, the stack frames — for the error and
 * for what it wraps (`cause`, an AggregateError's `errors`); everything else is dropped.
 */
export interface SerializedError {
  type: string;
  message: string;
  code?: string | number;
  stack?: string;
  cause?: SerializedError | string;
  errors?: Array<SerializedError | string>;
}

/** Bounds a chain of causes (which may even be circular). */
const MAX_DEPTH = 4;
const MAX_ERRORS = 10;

type ErrorLike = { name?: unknown; message?: unknown; code?: unknown; stack?: unknown; cause?: unknown; errors?: unknown };

/** pino's serializer for `err`: anything that is not an object is logged as it is. */
export function serializeError(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return serialize(value as ErrorLike, 0);
}

function serialize(error: ErrorLike, depth: number): SerializedError {
  const type = typeof error.name === 'string' && error.name !== '' ? error.name : (error.constructor?.name ?? 'Error');
  const message = typeof error.message === 'string' ? error.message : '';
  const out: SerializedError = { type, message };
  if (typeof error.code === 'string' || typeof error.code === 'number') out.code = error.code;
  if (typeof error.stack === 'string') out.stack = framesOnly(error.stack, type, message);
  if (depth < MAX_DEPTH) {
    if (error.cause !== undefined) out.cause = nested(error.cause, depth);
    if (Array.isArray(error.errors)) out.errors = error.errors.slice(0, MAX_ERRORS).map((inner) => nested(inner, depth));
  }
  return out;
}

function nested(value: unknown, depth: number): SerializedError | string {
  return typeof value === 'object' && value !== null ? serialize(value as ErrorLike, depth + 1) : typeof value === 'string' ? value : String(value);
}

/**
 * The stack rebuilt from its header and its `at` frames only: anything else in it (a message
 * that spans lines, an SQL statement some library appended) is dropped.
 */
function framesOnly(stack: string, type: string, message: string): string {
  const frames = stack.split('\n').filter((line) => /^\s+at\s/.test(line));
  return [`${type}: ${message}`, ...frames].join('\n');
}
