import type { IncomingHttpHeaders } from 'node:http';
import { IdempotencyKeySchema } from '@app/contracts';
import { HttpError } from '../http/http-error';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * The optional Idempotency-Key header, validated like a body field: a 422 ValidationFailure
 * whose issue path names the header.
 */
export function idempotencyKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
  if (value === undefined) return undefined;
  const parsed = IdempotencyKeySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new HttpError(
    422,
    'ValidationFailure',
    parsed.error.issues.map((issue) => ({ message: issue.message, path: [IDEMPOTENCY_KEY_HEADER] })),
  );
}
