import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';

/** How long a machine-identity token lives: at most MAX_MACHINE_IDENTITY_TOKEN_AGE (0 = no expiry). */
@Injectable()
export class TokenLifetime {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** When a token minted now expires, or null when MAX_MACHINE_IDENTITY_TOKEN_AGE is 0. */
  expiryFrom(now: Date): Date | null {
    const ageMs = this.config.maxMachineIdentityTokenAgeMs;
    return ageMs === 0 ? null : new Date(Math.floor(now.getTime() / 1000) * 1000 + Math.floor(ageMs / 1000) * 1000);
  }
}
