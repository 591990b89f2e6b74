import { Injectable, Logger } from '@nestjs/common';
import { AccessTokenView, ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/common';
import { TokenService } from '@app/tokens';
import { TokenLifetime } from './token-lifetime';
import { execute } from '@app/database';
import { DataSource } from 'typeorm';
import { AccessTokenRecord, accessTokenView } from './access-token.view';

type TokenRow = AccessTokenRecord & { fallbackTTL: number | null; fallbackMaxTTL: number | null };

/** An identity's token records: listing them and revoking one. The token itself is never stored. */
@Injectable()
export class TokenRecordsService {
  private readonly logger = new Logger(TokenRecordsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly lifetime: TokenLifetime,
  ) {}

  /** Newest first, revoked ones included. Records without their own TTLs show the identity's Token Auth TTLs. */
  async list(identityId: string, offset: number, limit: number): Promise<AccessTokenView[]> {
    const { rows } = await execute<TokenRow>(
      this.dataSource.manager,
      `SELECT t.id, t.name, t.identity_id AS "identityId", t.access_token_ttl AS "accessTokenTTL",
              t.access_token_max_ttl AS "accessTokenMaxTTL", t.revoked_at AS "revokedAt",
              t.created_at AS "createdAt", t.expires_at AS "expiresAt",
              a.access_token_ttl AS "fallbackTTL", a.access_token_max_ttl AS "fallbackMaxTTL"
         FROM identity_access_tokens t LEFT JOIN identity_token_auths a ON a.identity_id = t.identity_id
        WHERE t.identity_id = $1
        ORDER BY t.created_at DESC, t.id DESC
        OFFSET $2 LIMIT $3`,
      [identityId, offset, limit],
    );
    return rows.map((r) => accessTokenView(r, { accessTokenTTL: r.fallbackTTL, accessTokenMaxTTL: r.fallbackMaxTTL }));
  }

  /** Idempotent: revoking a revoked record keeps its first revocation time. */
  async revoke(tokenId: string): Promise<void> {
    const { affected } = await execute(
      this.dataSource.manager,
      'UPDATE identity_access_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [tokenId],
    );
    if (affected > 0) {
      this.logger.log({ msg: 'Access token revoked', tokenId });
      return;
    }
    const { rows } = await execute(this.dataSource.manager, 'SELECT 1 FROM identity_access_tokens WHERE id = $1', [tokenId]);
    if (rows.length === 0) throw new DomainError(ErrorCodes.tokenNotFound, 'Access token not found');
  }

  /**
   * Revokes the token presented: holding a valid token is the authorization (this is how the
   * root credential is rotated — mint a new one, revoke the old). A forged, expired or user
   * token is TOKEN.INVALID; one whose record is already revoked or gone is answered as revoked.
   */
  async revokePresented(token: string): Promise<void> {
    const claims = this.tokens.verifyIdentityAccessToken(token, this.lifetime.maxAgeMs);
    const { affected } = await execute(
      this.dataSource.manager,
      'UPDATE identity_access_tokens SET revoked_at = now() WHERE id = $1 AND identity_id = $2 AND revoked_at IS NULL',
      [claims.identityAccessTokenId, claims.identityId],
    );
    if (affected > 0) this.logger.log({ msg: 'Presented access token revoked', tokenId: claims.identityAccessTokenId });
  }
}
