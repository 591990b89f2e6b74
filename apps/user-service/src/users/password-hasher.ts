import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/*
 * argon2id with OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1): about 16 ms per hash
 * here. Bootstrap and login are unauthenticated, so every hash is work an anonymous caller can
 * make us do; the argon2 package defaults (64 MiB, t = 3, p = 4) cost 86 ms and 3x the memory
 * per concurrent attempt for no gain against offline guessing that OWASP considers necessary.
 * Parameters are stored in each PHC string, so raising them later re-hashes nothing.
 *
 * argon2's hash and verify run on libuv's threadpool, never on the event loop: other commands
 * keep flowing while a password is checked. Keep them async.
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return argon2.verify(hash, password);
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash nobody knows the password of, made once. Awaited at start (see UsersService): that first
 * hash also starts libuv's threadpool and argon2's native code, a cost that would otherwise land
 * on the first bootstrap.
 */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64url')).catch((error: unknown) => {
    dummyHash = undefined;
    throw error;
  });
  return dummyHash;
}

/**
 * Checks a password against the dummy hash, with the same parameters as a real one: an unknown
 * email then costs what a wrong password costs, so the time of the answer does not tell whether
 * the email exists.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(await prepareDummyHash(), password);
  return false;
}
