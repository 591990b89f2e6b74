import { Injectable } from '@nestjs/common';
import {
  CompensatedReply,
  CreateInstanceAdminIdentityReply,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  INSTANCE_ADMIN_IDENTITY_NAME,
  INSTANCE_ADMIN_TOKEN_NAME,
  IdentityView,
} from '@app/contracts';
import { TokenService } from '@app/tokens';
import { compensateSaga, enterSagaStep, execute } from '@app/database';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AccessTokenEntity } from '../token-auth/access-token.entity';
import { TokenLifetime } from '../token-auth/token-lifetime';
import { IdentityEntity } from './identity.entity';
import { hasTokenAuth } from './identity.queries';
import { identityView } from './identity.views';

/**
 * The identity, its Token Auth and its first token record in one statement (the bootstrap's
 * critical path: one round trip, and plain SQL instead of three entity saves, whose query
 * building costs more CPU than the inserts on a first, cold call). The foreign keys are checked
 * at the end of the statement, when all three rows exist.
 */
async function insertInstanceAdmin(
  m: EntityManager,
  sagaId: string,
  orgId: string,
  lifetime: { expiresAt: Date | null; accessTokenTTL: number; accessTokenMaxTTL: number },
): Promise<{ identity: Pick<IdentityEntity, 'id' | 'name' | 'orgId' | 'isInstanceAdmin'>; record: Pick<AccessTokenEntity, 'id' | 'expiresAt'> }> {
  const { rows } = await execute<{ id: string; name: string; org_id: string; token_id: string; expires_at: Date | null }>(
    m,
    `WITH i AS (
       INSERT INTO identities (name, org_id, is_instance_admin, saga_id) VALUES ($1, $2, true, $3) RETURNING id, name, org_id
     ), a AS (
       INSERT INTO identity_token_auths (identity_id, access_token_ttl, access_token_max_ttl) SELECT id, $4, $4 FROM i
     ), t AS (
       INSERT INTO identity_access_tokens (identity_id, name, access_token_ttl, access_token_max_ttl, expires_at)
       SELECT id, $5, $6, $7, $8 FROM i RETURNING id, expires_at
     )
     SELECT i.id, i.name, i.org_id, t.id AS token_id, t.expires_at FROM i, t`,
    [
      INSTANCE_ADMIN_IDENTITY_NAME,
      orgId,
      sagaId,
      DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
      INSTANCE_ADMIN_TOKEN_NAME,
      lifetime.accessTokenTTL,
      lifetime.accessTokenMaxTTL,
      lifetime.expiresAt,
    ],
  );
  const row = rows[0];
  return {
    identity: { id: row.id, name: row.name, orgId: row.org_id, isInstanceAdmin: true },
    record: { id: row.token_id, expiresAt: row.expires_at },
  };
}

/** The saga steps that create identities, and their compensations. */
@Injectable()
export class IdentitiesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    private readonly lifetime: TokenLifetime,
  ) {}

  /**
   * Creates the instance-admin identity with Token Auth and one access-token record, and signs
   * its token. Idempotent on the saga id while the saga runs: a retry re-signs the same record's
   * token. Once the saga has finished (finishSaga) or was rolled back, it is refused
   * (SAGA.FINISHED / SAGA.CANCELLED) before anything is read or signed: the saga id is public
   * (bootstrap events), so a replay must not mint a root token.
   */
  async createInstanceAdmin(sagaId: string, orgId: string): Promise<CreateInstanceAdminIdentityReply> {
    // One instant for the record's expiry and the token's iat, so exp - iat is exactly the age.
    const now = new Date();
    const { identity, record } = await this.dataSource.transaction(async (m) => {
      await enterSagaStep(m, sagaId);
      const { rows: retried } = await execute(m, 'SELECT 1 FROM identities WHERE saga_id = $1', [sagaId]);
      if (retried.length === 0) return insertInstanceAdmin(m, sagaId, orgId, this.lifetime.rootTokenLifetime(now));
      // A retry: the same record again.
      const existing = await m.findOneByOrFail(IdentityEntity, { sagaId });
      const token = await m.findOneOrFail(AccessTokenEntity, {
        where: { identityId: existing.id, name: INSTANCE_ADMIN_TOKEN_NAME, revokedAt: IsNull() },
        order: { createdAt: 'DESC' },
      });
      return { identity: existing, record: token };
    });
    return {
      identity: { id: identity.id, name: identity.name, orgId: identity.orgId, isInstanceAdmin: identity.isInstanceAdmin },
      accessToken: {
        id: record.id,
        token: this.tokens.signIdentityAccessToken(identity.id, record.id, now, record.expiresAt),
      },
    };
  }

  /**
   * The identity-creation saga's step: an identity with the id the orchestrator chose, never an
   * instance admin, without Token Auth. The caller was authorized by the step before (its
   * membership, added by organization-service). Idempotent on the saga id.
   */
  async create(sagaId: string, identityId: string, name: string, orgId: string): Promise<{ identity: IdentityView }> {
    return this.dataSource.transaction(async (m) => {
      await enterSagaStep(m, sagaId);
      const existing = await m.findOne(IdentityEntity, { where: { sagaId } });
      if (existing !== null) return { identity: identityView(existing, await hasTokenAuth(m, existing.id)) };
      await m.insert(IdentityEntity, { id: identityId, name, orgId, isInstanceAdmin: false, sagaId });
      const created = await m.findOneByOrFail(IdentityEntity, { id: identityId });
      return { identity: identityView(created, false) };
    });
  }

  /** Compensation: the identity goes with its Token Auth and token records, so its tokens die. */
  deleteForSaga(sagaId: string): Promise<CompensatedReply> {
    return compensateSaga(this.dataSource, sagaId, async (m) => (await m.delete(IdentityEntity, { sagaId })).affected ?? 0);
  }
}
