import { Injectable } from '@nestjs/common';
import { ErrorCodes, MintedToken, TokenAuthView } from '@app/contracts';
import { DomainError } from '@app/common';
import { TokenService } from '@app/tokens';
import { execute } from '@app/database';
import { DataSource } from 'typeorm';
import { AccessTokenEntity } from './access-token.entity';
import { accessTokenView } from './access-token.view';
import { TokenAuthEntity } from './token-auth.entity';
import { TokenLifetime } from './token-lifetime';

/** WIRE: Infisical names a token "token" when the request gives no name. */
const DEFAULT_TOKEN_NAME = 'token';

/** Attaching Token Auth to an identity and minting its tokens. The privilege-escalation guard authorized the caller. */
@Injectable()
export class TokenAuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly lifetime: TokenLifetime,
  ) {}

  async attach(identityId: string, accessTokenTTL: number, accessTokenMaxTTL: number): Promise<TokenAuthView> {
    return this.dataSource.transaction(async (m) => {
      // Holds the identity until the insert commits: a concurrent delete cannot orphan it.
      const { rows: identity } = await execute(m, 'SELECT 1 FROM identities WHERE id = $1 FOR SHARE', [identityId]);
      if (identity.length === 0) throw new DomainError(ErrorCodes.identityNotFound, 'Identity not found');
      const { rows: inserted } = await execute(
        m,
        `INSERT INTO identity_token_auths (identity_id, access_token_ttl, access_token_max_ttl) VALUES ($1, $2, $3)
         ON CONFLICT (identity_id) DO NOTHING RETURNING identity_id`,
        [identityId, accessTokenTTL, accessTokenMaxTTL],
      );
      if (inserted.length === 0) {
        throw new DomainError(ErrorCodes.tokenAuthAlreadyAttached, 'Token Auth is already attached to this identity');
      }
      return { identityId, accessTokenTTL, accessTokenMaxTTL };
    });
  }

  /**
   * A new access-token record carrying the identity's TTLs, and the token signed over it. The
   * token expires after its TTL, capped by MAX_MACHINE_IDENTITY_TOKEN_AGE. The token is
   * returned once and never stored or logged.
   */
  async createToken(identityId: string, name: string = DEFAULT_TOKEN_NAME): Promise<MintedToken> {
    // One instant for the record's expiry and the token's iat, so exp − iat is exactly the lifetime.
    const now = new Date();
    const record = await this.dataSource.transaction(async (m) => {
      // FOR SHARE: the identity (and so its Token Auth) cannot be deleted until the record is in.
      const auth = await m.findOne(TokenAuthEntity, { where: { identityId }, lock: { mode: 'pessimistic_read' } });
      if (auth === null) {
        const { rows } = await execute(m, 'SELECT 1 FROM identities WHERE id = $1', [identityId]);
        if (rows.length === 0) throw new DomainError(ErrorCodes.identityNotFound, 'Identity not found');
        throw new DomainError(ErrorCodes.tokenAuthNotAttached, 'Token Auth is not attached to this identity');
      }
      const token = m.create(AccessTokenEntity, {
        identityId,
        name,
        accessTokenTTL: auth.accessTokenTTL,
        accessTokenMaxTTL: auth.accessTokenMaxTTL,
        expiresAt: this.lifetime.expiryFrom(now, auth.accessTokenTTL),
      });
      return m.save(token);
    });
    const view = accessTokenView(record);
    return {
      accessToken: this.tokens.signIdentityAccessToken(identityId, record.id, now, record.expiresAt),
      tokenType: 'Bearer',
      expiresIn: record.expiresAt === null ? 0 : record.expiresAt.getTime() / 1000 - Math.floor(now.getTime() / 1000),
      accessTokenMaxTTL: view.accessTokenMaxTTL,
      tokenData: view,
    };
  }
}
