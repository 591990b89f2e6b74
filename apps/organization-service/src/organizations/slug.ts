import { randomInt } from 'node:crypto';
import slugify from '@sindresorhus/slugify';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomSuffix(length = 4): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * WIRE: Infisical's rule: slugify(`<name>-<4 random chars>`), lower-cased, transliterated and
 * split at camel case, which is how `dog` + `vE5l` became `dog-v-e5l`.
 */
export function organizationSlug(name: string, suffix: string = randomSuffix()): string {
  return slugify(`${name}-${suffix}`);
}
