import { PipeTransform } from '@nestjs/common';
import { ZodType } from 'zod';
import { HttpError } from './http-error';

/**
 * Validates a request body into its schema's output (trimmed, lower-cased…); unknown keys are
 * dropped. Failures are a 422 whose message is the array of issues (WIRE: Infisical's shape).
 */
export class ZodBodyPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: ZodType<T>) {}

  transform(value: unknown): T {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new HttpError(422, 'ValidationFailure', [{ message: 'Request body must be a JSON object', path: [] }]);
    }
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new HttpError(
      422,
      'ValidationFailure',
      parsed.error.issues.map((issue) => ({ message: issue.message, path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))) })),
    );
  }
}
