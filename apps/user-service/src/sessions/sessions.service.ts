import { Inject, Injectable } from '@nestjs/common';
import { ErrorCodes, SignedPrincipal } from '@app/contracts';
import { currentCorrelationId, DomainError, PrincipalSigner } from '@app/common';
import { TokenService } from '@app/tokens';
import { AppConfig, APP_CONFIG } from '@app/config';
import { execute } from '@app/database';
import { DataSource } from 'typeorm';

const revoked = () => new DomainError(ErrorCodes.tokenRevoked, 'Token has been revoked');

/** Only sessions that can still carry a token: not ended, not past their expiry. */
const ACTIVE = 's.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()';

/** Login sessions: opening one, and checking the tokens that name one. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly principals: PrincipalSigner,
  ) {}

  /** Opens a session for the user; its first token is scoped to no organization. */
  async open(userId: string): Promise<string> {
    const now = new Date();
    // Whole seconds, so the token's `exp` and the session's expiry are the same instant.
    const lifetimeS = Math.max(1, Math.floor(this.config.jwtAuthLifetimeMs / 1000));
    const expiresAt = new Date((Math.floor(now.getTime() / 1000) + lifetimeS) * 1000);
    const { rows } = await execute<{ id: string }>(
      this.dataSource.manager,
      'INSERT INTO user_sessions (user_id, expires_at) VALUES ($1, $2) RETURNING id',
      [userId, expiresAt],
    );
    return this.tokens.signUserAccessToken(userId, rows[0].id, now, expiresAt);
  }

  /**
   * Who the token belongs to: signature, algorithm and expiry first, then its session and user,
   * every time; answered as a principal signed for this request (the correlation id it runs in).
   */
  async authenticate(token: string): Promise<SignedPrincipal> {
    const claims = this.tokens.verifyUserAccessToken(token, this.config.jwtAuthLifetimeMs);
    const { rows } = await execute<{ super_admin: boolean }>(
      this.dataSource.manager,
      `SELECT u.super_admin FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE ${ACTIVE}`,
      [claims.tokenVersionId, claims.userId],
    );
    if (rows.length === 0) throw revoked();
    const who = { type: 'user' as const, id: claims.userId, orgId: claims.organizationId ?? null, isInstanceAdmin: rows[0].super_admin, tokenId: claims.tokenVersionId };
    return this.principals.sign(who, currentCorrelationId() ?? '');
  }

  /** When the user's session ends; TOKEN.REVOKED when it already has, or is not theirs. */
  async activeUntil(sessionId: string, userId: string): Promise<Date> {
    const { rows } = await execute<{ expires_at: Date }>(
      this.dataSource.manager,
      `SELECT s.expires_at FROM user_sessions s WHERE ${ACTIVE}`,
      [sessionId, userId],
    );
    if (rows.length === 0) throw revoked();
    return rows[0].expires_at;
  }
}
