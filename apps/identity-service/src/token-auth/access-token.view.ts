import { AccessTokenView, DEFAULT_ACCESS_TOKEN_TTL_SECONDS } from '@app/contracts';

export interface AccessTokenRecord {
  id: string;
  name: string;
  identityId: string;
  accessTokenTTL: number | null;
  accessTokenMaxTTL: number | null;
  revokedAt: Date | null;
  createdAt: Date;
  expiresAt: Date | null;
}

/** The TTLs a record shows when it did not keep its own (older records): its identity's Token Auth now. */
export interface FallbackTTLs {
  accessTokenTTL: number | null;
  accessTokenMaxTTL: number | null;
}

/** WIRE: `tokenData` — what a token record shows; never the token. */
export function accessTokenView(record: AccessTokenRecord, fallback?: FallbackTTLs): AccessTokenView {
  return {
    id: record.id,
    name: record.name,
    identityId: record.identityId,
    // Token Auth is the only way to mint a token here.
    authMethod: 'token-auth',
    accessTokenTTL: record.accessTokenTTL ?? fallback?.accessTokenTTL ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
    accessTokenMaxTTL: record.accessTokenMaxTTL ?? fallback?.accessTokenMaxTTL ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
    isAccessTokenRevoked: record.revokedAt !== null,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt === null ? null : record.expiresAt.toISOString(),
  };
}
