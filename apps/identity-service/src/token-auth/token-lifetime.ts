import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';

/**
 * How long a machine-identity token lives. MAX_MACHINE_IDENTITY_TOKEN_AGE caps every token
 * (0 = no cap); a Token Auth token also ends at its TTL. Whole seconds, counted from the
 * second the token is issued in, so exp − iat is exactly the lifetime.
 */
@Injectable()
export class TokenLifetime {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * How old a token may be when it is presented (0 = any age): MAX_MACHINE_IDENTITY_TOKEN_AGE as
   * configured now, so lowering it applies to every token already out, not just to new ones.
   */
  get maxAgeMs(): number {
    return this.config.maxMachineIdentityTokenAgeMs;
  }

  /**
   * When a token minted now expires: after min(ttlSeconds, MAX_MACHINE_IDENTITY_TOKEN_AGE), the
   * TTL alone when the age is 0, and null (never) when neither bounds it — the bootstrap's root
   * token, which has no TTL, with an age of 0.
   */
  expiryFrom(now: Date, ttlSeconds?: number): Date | null {
    const ageMs = this.config.maxMachineIdentityTokenAgeMs;
    const maxAgeSeconds = ageMs === 0 ? undefined : Math.floor(ageMs / 1000);
    const lifeSeconds = ttlSeconds === undefined ? maxAgeSeconds : Math.min(ttlSeconds, maxAgeSeconds ?? ttlSeconds);
    return lifeSeconds === undefined ? null : new Date(Math.floor(now.getTime() / 1000) * 1000 + lifeSeconds * 1000);
  }

  /**
   * The record fields of a bootstrap root token minted now: it lives MAX_MACHINE_IDENTITY_TOKEN_AGE,
   * not a Token Auth TTL, and its record says so (0 = it never expires), so a token list shows
   * its real lifetime.
   */
  rootTokenLifetime(now: Date): { expiresAt: Date | null; accessTokenTTL: number; accessTokenMaxTTL: number } {
    const expiresAt = this.expiryFrom(now);
    const seconds = expiresAt === null ? 0 : Math.round((expiresAt.getTime() - Math.floor(now.getTime() / 1000) * 1000) / 1000);
    return { expiresAt, accessTokenTTL: seconds, accessTokenMaxTTL: seconds };
  }
}
