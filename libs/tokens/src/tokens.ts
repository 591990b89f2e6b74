import { createSecretKey } from 'node:crypto';
import { Provider } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { AppConfig, APP_CONFIG, requireAuthSecret } from '@app/config';
import { JwtService } from '@nestjs/jwt';
import { z } from 'zod';
import { DomainError } from '@app/common';

/*
 * The one place where tokens are signed and verified, and where their claims are defined.
 * WIRE: Infisical's claim names. Both kinds are HS256 over AUTH_SECRET.
 */

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

export const TokenClaimsSchema = z.discriminatedUnion('authTokenType', [IdentityAccessTokenClaimsSchema, UserAccessTokenClaimsSchema]);
export type IdentityAccessTokenClaims = z.infer<typeof IdentityAccessTokenClaimsSchema>;
export type UserAccessTokenClaims = z.infer<typeof UserAccessTokenClaimsSchema>;
export type TokenClaims = z.infer<typeof TokenClaimsSchema>;

const toSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Signs and verifies with a KeyObject built once from AUTH_SECRET's UTF-8 bytes: given a
 * string, jsonwebtoken re-parses it as a possible PEM key on every call (60x slower). Only
 * HS256 is signed or accepted, so `alg: none`, HS512 and algorithm confusion are refused.
 */
export class TokenService {
  private readonly jwt: JwtService;

  constructor(secret: string) {
    this.jwt = new JwtService({
      secret: createSecretKey(Buffer.from(secret, 'utf8')),
      signOptions: { algorithm: 'HS256' },
      verifyOptions: { algorithms: ['HS256'] },
    });
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
    return this.jwt.sign(claims);
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
    return this.jwt.sign(claims);
  }

  /** Signature, algorithm, expiry and claims' shape; throws TOKEN.INVALID for anything wrong. */
  verify(token: string): TokenClaims {
    try {
      return TokenClaimsSchema.parse(this.jwt.verify(token));
    } catch {
      throw new DomainError(ErrorCodes.tokenInvalid, 'Invalid token');
    }
  }
}

/** TokenService for the apps that sign or verify tokens (they need AUTH_SECRET). */
export const tokenServiceProvider: Provider = {
  provide: TokenService,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new TokenService(requireAuthSecret(config)),
};
