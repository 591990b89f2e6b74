import { hkdfSync, KeyObject, createSecretKey } from 'node:crypto';
import { Provider } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { AppConfig, APP_CONFIG, requireAuthSecret } from '@app/config';
import { JwtService } from '@nestjs/jwt';
import { z } from 'zod';
import { DomainError } from '@app/common';

/*
 * The one place where tokens are signed and verified, and where their claims are defined.
 * WIRE: Infisical's claim names, HS256.
 *
 * WIRE SECURITY (beyond Infisical, which signs both kinds with one secret): each kind has a key
 * of its own, derived from AUTH_SECRET with HKDF-SHA256 and named in the header (`kid`), and an
 * audience of its own (`aud`); both carry `iss`. A token of one kind never verifies as the other,
 * and a leaked key of one kind forges nothing of the other (the derivation does not run back).
 */

export const TOKEN_ISSUER = 'bootstrap-platform';

const KINDS = {
  identityAccessToken: { kid: 'identity-access-v1', audience: 'identity-access' },
  accessToken: { kid: 'user-access-v1', audience: 'user-access' },
} as const;
type Kind = keyof typeof KINDS;

const seconds = z.number().int().nonnegative();

/** A machine identity's access token (Token Auth). `jti` = the token record's id. */
export const IdentityAccessTokenClaimsSchema = z.object({
  authTokenType: z.literal('identityAccessToken'),
  identityId: z.uuid(),
  identityAccessTokenId: z.uuid(),
  jti: z.string().optional(),
  iat: seconds,
  exp: seconds.optional(),
});

/** A user's token from login; scoped to an organization once one is selected. */
export const UserAccessTokenClaimsSchema = z.object({
  authTokenType: z.literal('accessToken'),
  userId: z.uuid(),
  /** The login session it belongs to: ending the session ends the token. */
  tokenVersionId: z.uuid(),
  organizationId: z.uuid().optional(),
  iat: seconds,
  exp: seconds,
});

export type IdentityAccessTokenClaims = z.infer<typeof IdentityAccessTokenClaimsSchema>;
export type UserAccessTokenClaims = z.infer<typeof UserAccessTokenClaimsSchema>;

const toSeconds = (date: Date) => Math.floor(date.getTime() / 1000);
const invalid = () => new DomainError(ErrorCodes.tokenInvalid, 'Invalid token');

/** A kind's HMAC key: HKDF-SHA256 of AUTH_SECRET's UTF-8 bytes, salt the issuer, info the kind's key id. */
export function tokenKeyOf(secret: string, kind: Kind): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), TOKEN_ISSUER, KINDS[kind].kid, 32));
}

const keyOf = (secret: string, kind: Kind): KeyObject => createSecretKey(tokenKeyOf(secret, kind));

/**
 * Signs and verifies with KeyObjects built once (given a string, jsonwebtoken re-parses it as a
 * possible PEM key on every call: 60x slower). Only HS256 is signed or accepted, so `alg: none`,
 * HS512 and algorithm confusion are refused; so is a token of the other kind, of another issuer
 * or audience, past its `exp`, or older than the maximum age the verifier is given now (so that
 * lowering the maximum age applies to tokens already out).
 */
export class TokenService {
  private readonly jwt: Record<Kind, JwtService>;

  constructor(secret: string) {
    const service = (kind: Kind) =>
      new JwtService({
        secret: keyOf(secret, kind),
        signOptions: { algorithm: 'HS256', keyid: KINDS[kind].kid, issuer: TOKEN_ISSUER, audience: KINDS[kind].audience },
        verifyOptions: { algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience: KINDS[kind].audience },
      });
    this.jwt = { identityAccessToken: service('identityAccessToken'), accessToken: service('accessToken') };
  }

  private sign(kind: Kind, claims: object): string {
    return this.jwt[kind].sign(claims);
  }

  private verify(kind: Kind, token: string, maxAgeMs: number): unknown {
    try {
      return this.jwt[kind].verify(token, maxAgeMs > 0 ? { maxAge: `${Math.floor(maxAgeMs / 1000)}s` } : {});
    } catch {
      throw invalid();
    }
  }

  /** A Token Auth token for an access-token record; `exp` matches the record's expiry (none when null). */
  signIdentityAccessToken(identityId: string, tokenId: string, issuedAt: Date, expiresAt: Date | null): string {
    const claims: IdentityAccessTokenClaims = {
      identityId,
      identityAccessTokenId: tokenId,
      authTokenType: 'identityAccessToken',
      iat: toSeconds(issuedAt),
      jti: tokenId,
    };
    if (expiresAt !== null) claims.exp = toSeconds(expiresAt);
    return this.sign('identityAccessToken', claims);
  }

  signUserAccessToken(userId: string, sessionId: string, issuedAt: Date, expiresAt: Date, organizationId?: string): string {
    const claims: UserAccessTokenClaims = {
      authTokenType: 'accessToken',
      userId,
      tokenVersionId: sessionId,
      ...(organizationId === undefined ? {} : { organizationId }),
      iat: toSeconds(issuedAt),
      exp: toSeconds(expiresAt),
    };
    return this.sign('accessToken', claims);
  }

  /**
   * A machine identity's token: signature, kind, expiry and claims' shape; TOKEN.INVALID for
   * anything wrong. With a maximum age (MAX_MACHINE_IDENTITY_TOKEN_AGE, 0 = none) it must carry
   * `exp` and be younger than that age now; only with none may it lack `exp`.
   */
  verifyIdentityAccessToken(token: string, maxAgeMs: number): IdentityAccessTokenClaims {
    const claims = IdentityAccessTokenClaimsSchema.safeParse(this.verify('identityAccessToken', token, maxAgeMs));
    if (!claims.success || (maxAgeMs > 0 && claims.data.exp === undefined)) throw invalid();
    return claims.data;
  }

  /** A user's token: signature, kind, expiry, claims' shape, and younger than `maxAgeMs` (JWT_AUTH_LIFETIME) now. */
  verifyUserAccessToken(token: string, maxAgeMs: number): UserAccessTokenClaims {
    const claims = UserAccessTokenClaimsSchema.safeParse(this.verify('accessToken', token, maxAgeMs));
    if (!claims.success) throw invalid();
    return claims.data;
  }
}

/** TokenService for the apps that sign or verify tokens (they need AUTH_SECRET). */
export const tokenServiceProvider: Provider = {
  provide: TokenService,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new TokenService(requireAuthSecret(config)),
};
