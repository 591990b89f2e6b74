import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { JwtService } from '@nestjs/jwt';

/** WIRE: Infisical's machine-identity token claims. */
export interface IdentityAccessTokenClaims {
  identityId: string;
  identityAccessTokenId: string;
  authTokenType: 'identityAccessToken';
  iat: number;
  jti: string;
  exp?: number;
}

@Injectable()
export class TokenSigner {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** When a token minted now expires, or null when MAX_MACHINE_IDENTITY_TOKEN_AGE is 0. */
  expiryFrom(now: Date): Date | null {
    const ageMs = this.config.maxMachineIdentityTokenAgeMs;
    return ageMs === 0 ? null : new Date(Math.floor(now.getTime() / 1000) * 1000 + Math.floor(ageMs / 1000) * 1000);
  }

  /** Signs a token for an access-token record; `exp` matches the record's expiry. */
  signIdentityAccessToken(identityId: string, tokenId: string, issuedAt: Date, expiresAt: Date | null): string {
    const claims: IdentityAccessTokenClaims = {
      identityId,
      identityAccessTokenId: tokenId,
      authTokenType: 'identityAccessToken',
      iat: Math.floor(issuedAt.getTime() / 1000),
      jti: tokenId,
    };
    if (expiresAt !== null) claims.exp = Math.floor(expiresAt.getTime() / 1000);
    return this.jwt.sign(claims);
  }
}
