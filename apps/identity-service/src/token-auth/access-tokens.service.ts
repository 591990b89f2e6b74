import { Injectable } from '@nestjs/common';
import { ErrorCodes, INSTANCE_ADMIN_TOKEN_NAME, SignedPrincipal } from '@app/contracts';
import { currentCorrelationId, DomainError, PrincipalSigner } from '@app/common';
import { TokenService } from '@app/tokens';
import { execute } from '@app/database';
import { DataSource, IsNull } from 'typeorm';
import { AccessTokenEntity } from './access-token.entity';
import { TokenLifetime } from './token-lifetime';

interface TokenRow {
  token_id: string;
  identity_id: string;
  org_id: string;
  is_instance_admin: boolean;
  revoked_at: Date | null;
  expired: boolean;
}

/** Access tokens after they are issued: re-issuing the root credential, and checking a token. */
@Injectable()
export class AccessTokensService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly lifetime: TokenLifetime,
    private readonly principals: PrincipalSigner,
  ) {}

  /**
   * A fresh Instance Admin Token for an instance-admin identity; every earlier one is revoked in
   * the same transaction, so at most one root credential from bootstrap is ever alive.
   */
  async reissueInstanceAdminToken(identityId: string): Promise<{ id: string; token: string }> {
    const now = new Date();
    const record = await this.dataSource.transaction(async (m) => {
      const { rows } = await execute(m, 'SELECT id FROM identities WHERE id = $1 AND is_instance_admin FOR UPDATE', [identityId]);
      if (rows.length === 0) throw new DomainError(ErrorCodes.identityNotFound, 'Instance admin identity not found');
      await m.update(
        AccessTokenEntity,
        { identityId, name: INSTANCE_ADMIN_TOKEN_NAME, revokedAt: IsNull() },
        { revokedAt: now },
      );
      const token = m.create(AccessTokenEntity, { identityId, name: INSTANCE_ADMIN_TOKEN_NAME, ...this.lifetime.rootTokenLifetime(now) });
      return m.save(token);
    });
    return { id: record.id, token: this.tokens.signIdentityAccessToken(identityId, record.id, now, record.expiresAt) };
  }

  /**
   * Who the token belongs to: signature, algorithm, expiry and age first, then its record, every
   * time (revoked, its identity gone, or past the record's own expiry); answered as a principal
   * signed for this request (the correlation id it runs in).
   */
  async authenticate(token: string): Promise<SignedPrincipal> {
    const claims = this.tokens.verifyIdentityAccessToken(token, this.lifetime.maxAgeMs);
    const { rows } = await execute<TokenRow>(
      this.dataSource.manager,
      `SELECT t.id AS token_id, t.revoked_at, t.expires_at <= now() AS expired, i.id AS identity_id, i.org_id, i.is_instance_admin
         FROM identity_access_tokens t JOIN identities i ON i.id = t.identity_id
        WHERE t.id = $1`,
      [claims.identityAccessTokenId],
    );
    const row = rows[0];
    if (row === undefined || row.identity_id !== claims.identityId || row.revoked_at !== null) {
      throw new DomainError(ErrorCodes.tokenRevoked, 'Token has been revoked');
    }
    // The record is the authority on expiry (a token whose `exp` says otherwise was not signed by us, or signed before a change).
    if (row.expired) throw new DomainError(ErrorCodes.tokenInvalid, 'Invalid token');
    const who = { type: 'identity' as const, id: row.identity_id, tokenId: row.token_id, orgId: row.org_id, isInstanceAdmin: row.is_instance_admin };
    return this.principals.sign(who, currentCorrelationId() ?? '');
  }
}
