import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

/**
 * Compares presented bytes with a configured secret in constant time: both sides are hashed
 * first, so neither the secret's length nor where a guess differs shows in the timing.
 */
export class SecretMatcher {
  private readonly expected: Buffer;

  constructor(secret: string) {
    this.expected = sha256(Buffer.from(secret, 'utf8'));
  }

  matches(presented: Buffer): boolean {
    return timingSafeEqual(sha256(presented), this.expected);
  }
}
