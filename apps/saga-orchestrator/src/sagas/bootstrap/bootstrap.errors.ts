import { createHash } from 'node:crypto';

/** The Idempotency-Key is kept only as this hash. */
export function hashIdempotencyKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
