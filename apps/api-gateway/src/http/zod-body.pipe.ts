import { PipeTransform } from '@nestjs/common';
import { ZodType } from 'zod';
import { HttpError } from './http-error';

/** Validates into the schema's output (trimmed, lower-cased, defaults…) or throws Infisical's 422 with the issues. */
function validate<T>(schema: ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new HttpError(
    422,
    'ValidationFailure',
    parsed.error.issues.map((issue) => ({ message: issue.message, path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))) })),
  );
}

/**
 * Validates a request body into its schema's output (trimmed, lower-cased…); unknown keys are
 * dropped. Failures are a 422 whose message is the array of issues (WIRE: Infisical's shape).
 */
export class ZodBodyPipe<T> implements PipeTransform<unknown, T> {
  /** `optional`: a request without a body (no content type, nothing sent) counts as `{}`. */
  constructor(
    private readonly schema: ZodType<T>,
    private readonly options: { optional?: boolean } = {},
  ) {}

  transform(value: unknown): T {
    if (value === undefined && this.options.optional) return validate(this.schema, {});
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new HttpError(422, 'ValidationFailure', [{ message: 'Request body must be a JSON object', path: [] }]);
    }
    return validate(this.schema, value);
  }
}

/** Validates a route's path parameters or query string (all of it, as one object), like a body. */
export class ZodInputPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: ZodType<T>) {}

  transform(value: unknown): T {
    return validate(this.schema, value ?? {});
  }
}
