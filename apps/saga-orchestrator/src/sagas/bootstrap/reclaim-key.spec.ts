import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isReclaimableKey, ReclaimKeyDigest } from './reclaim-key';

const SECRET = 'a-reclaim-secret-of-at-least-32-characters';
const KEY = randomBytes(16).toString('base64url');

describe(isReclaimableKey.name, () => {
  it.each([
    ['16 random bytes in base64url (22 characters, 128+ bits)', KEY],
    ['a longer base64url key', randomBytes(48).toString('base64url')],
    ['exactly 22 characters of the alphabet, - and _ included', 'Az09-_Az09-_Az09-_Az09'],
  ])('accepts %s', (_case, key) => {
    expect(isReclaimableKey(key)).toBe(true);
  });

  it.each([
    ['no key', undefined],
    ['21 characters', 'a'.repeat(21)],
    ['a readable CI key', 'ci-job-4711:bootstrap'],
    ['base64 padding', `${KEY}==`],
    ['standard base64 characters', `${KEY}+/`],
    ['a space', `${KEY} x`],
  ])('refuses %s', (_case, key) => {
    expect(isReclaimableKey(key)).toBe(false);
  });
});

describe(ReclaimKeyDigest.name, () => {
  const digest = new ReclaimKeyDigest(SECRET);

  it('is HMAC-SHA256 of the key under the secret, in hex', () => {
    expect(digest.of(KEY)).toBe(createHmac('sha256', SECRET).update(KEY).digest('hex'));
  });

  it('is not the bare sha256 of the key', () => {
    expect(digest.of(KEY)).not.toBe(createHash('sha256').update(KEY).digest('hex'));
  });

  it('depends on the secret', () => {
    expect(new ReclaimKeyDigest(`${SECRET}!`).of(KEY)).not.toBe(digest.of(KEY));
  });

  it('matches the same key only', () => {
    const stored = digest.of(KEY);
    expect(digest.matches(KEY, stored)).toBe(true);
    expect(digest.matches(`${KEY}x`, stored)).toBe(false);
  });

  it('never matches a stored value of another shape (a row written before digests were HMACs)', () => {
    expect(digest.matches(KEY, '')).toBe(false);
    expect(digest.matches(KEY, 'not hex')).toBe(false);
    expect(digest.matches(KEY, createHash('sha256').update(KEY).digest('hex'))).toBe(false);
  });
});
