import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The Idempotency-Keys a re-claim accepts: 22 or more base64url characters, 132 bits or more when
 * drawn at random (e.g. `randomBytes(16).toString('base64url')`). The key is what keeps a
 * stranger from re-claiming, so it must be unguessable; the lockout then only guards the password.
 * Any other valid key still works for the bootstrap itself, but is never stored, so a repeat
 * with it is a plain 400.
 */
export const RECLAIMABLE_KEY = /^[A-Za-z0-9_-]{22,}$/;

export function isReclaimableKey(key: string | undefined): key is string {
  return key !== undefined && RECLAIMABLE_KEY.test(key);
}

/**
 * What the saga stores of a reclaimable Idempotency-Key: HMAC-SHA256 under
 * BOOTSTRAP_RECLAIM_SECRET, hex. Unlike a bare sha256, a leaked saga row (a backup, a log of
 * `data`) does not let anyone test candidate keys offline without the orchestrator's secret.
 */
export class ReclaimKeyDigest {
  constructor(private readonly secret: string) {}

  of(key: string): string {
    return createHmac('sha256', this.secret).update(key, 'utf8').digest('hex');
  }

  /** Compared in constant time; a stored value of another shape (an older row) never matches. */
  matches(key: string, stored: string): boolean {
    const presented = Buffer.from(this.of(key), 'hex');
    const expected = Buffer.from(stored, 'hex');
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  }
}
