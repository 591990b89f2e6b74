/**
 * Refuses secrets that are obviously guessable, at start, with a reason that never repeats the
 * value. This is an estimate, not a proof: it cannot tell a random value from a memorable one,
 * only catch what a guesser would try first — one character repeated, a placeholder, too few
 * distinct characters, a sequence or a repeated pattern — and values too short to hold the
 * entropy the secret needs.
 */
export interface SecretRule {
  /** Estimated entropy required, in bits. */
  minBits: number;
  /** Distinct characters required, when the rule has such a floor. */
  minDistinct?: number;
  /** How to make a good one, for the message. */
  hint: string;
}

/** AUTH_SECRET and BOOTSTRAP_RECLAIM_SECRET: HMAC keys, 128 bits like the keys they stand for. */
export const HMAC_KEY_RULE: SecretRule = { minBits: 128, minDistinct: 10, hint: 'generate one with `openssl rand -base64 48`' };
/** BOOTSTRAP_KEY: a shared password for one call, compared in constant time: 64 bits. */
export const BOOTSTRAP_KEY_RULE: SecretRule = { minBits: 64, hint: 'generate one with `openssl rand -base64 24`' };

/**
 * Placeholder words, and the filler around them ("my-secret-key-here", "changeme123"): a value
 * made only of these (letters and digits compared, case ignored) is refused however long.
 */
const PLACEHOLDER =
  /^(?:change|me|my|your|the|secret|password|passw0rd|pass|passwd|default|example|sample|test|testing|dummy|demo|admin|root|letmein|qwerty|token|key|auth|jwt|bootstrap|reclaim|super|here|please|replace|todo|fixme|placeholder|insecure|dev|local|x)+\d*$/;

/** Why the value is refused (one clause, without the value), or undefined when it passes. */
export function secretWeakness(value: string, rule: SecretRule): string | undefined {
  const chars = [...value];
  const distinct = new Set(chars).size;
  if (distinct === 1) return `is one character repeated; ${rule.hint}`;
  if (PLACEHOLDER.test(value.toLowerCase().replace(/[^a-z0-9]/g, ''))) return `is a well-known placeholder; ${rule.hint}`;
  if (rule.minDistinct !== undefined && distinct < rule.minDistinct) {
    return `has only ${distinct} distinct characters, at least ${rule.minDistinct} needed; ${rule.hint}`;
  }
  const bits = estimatedBits(chars);
  if (bits < rule.minBits) {
    return `looks guessable: about ${Math.floor(bits)} bits of entropy estimated, at least ${rule.minBits} needed; ${rule.hint}`;
  }
  return undefined;
}

/**
 * Shannon entropy × length, of the characters and of the steps between them (so "abcdef…" or
 * "0123…" is worth little), whichever is lower, over the value's smallest repeating unit (so
 * "Xk9#Xk9#Xk9#" counts as "Xk9#").
 */
export function estimatedBits(chars: string[]): number {
  const unit = chars.slice(0, smallestPeriod(chars));
  const steps = unit.slice(1).map((c, i) => c.codePointAt(0)! - unit[i].codePointAt(0)!);
  return Math.min(shannonBits(unit), shannonBits(steps) + Math.log2(Math.max(2, new Set(unit).size)));
}

function shannonBits<T>(symbols: T[]): number {
  const counts = new Map<T, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  let perSymbol = 0;
  for (const n of counts.values()) perSymbol -= (n / symbols.length) * Math.log2(n / symbols.length);
  return perSymbol * symbols.length;
}

/** The length of the shortest unit the value repeats (its own length when it repeats none). */
function smallestPeriod(chars: string[]): number {
  for (let p = 1; p <= chars.length / 2; p += 1) {
    if (chars.every((c, i) => i < p || c === chars[i - p])) return p;
  }
  return chars.length;
}
