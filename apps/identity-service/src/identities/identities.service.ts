import { Injectable } from '@nestjs/common';
import {
  CompensatedReply,
  CreateInstanceAdminIdentityReply,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  INSTANCE_ADMIN_IDENTITY_NAME,
  INSTANCE_ADMIN_TOKEN_NAME,
  IdentityView,
} from '@app/contracts';
import { TokenService } from '@app/common';
import { compensateSaga, enterSagaStep, finishSaga } from '@app/database';
import { DataSource, IsNull } from 'typeorm';
import { AccessTokenEntity } from '../token-auth/access-token.entity';
import { TokenAuthEntity } from '../token-auth/token-auth.entity';
import { TokenLifetime } from '../token-auth/token-lifetime';
import { IdentityEntity } from './identity.entity';
import { hasTokenAuth } from './identity.queries';
import { identityView } from './identity.views';

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
      const existing = await m.findOne(IdentityEntity, { where: { sagaId } });
      if (existing !== null) {
        const token = await m.findOneOrFail(AccessTokenEntity, {
          where: { identityId: existing.id, name: INSTANCE_ADMIN_TOKEN_NAME, revokedAt: IsNull() },
          order: { createdAt: 'DESC' },
        });
        return { identity: existing, record: token };
      }
      const created = m.create(IdentityEntity, { name: INSTANCE_ADMIN_IDENTITY_NAME, orgId, isInstanceAdmin: true, sagaId });
      await m.save(created);
      await m.insert(TokenAuthEntity, {
        identityId: created.id,
        accessTokenTTL: DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
        accessTokenMaxTTL: DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
      });
      const token = m.create(AccessTokenEntity, {
        identityId: created.id,
        name: INSTANCE_ADMIN_TOKEN_NAME,
        ...this.lifetime.rootTokenLifetime(now),
      });
      await m.save(token);
      return { identity: created, record: token };
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

  /**
   * The orchestrator's word that the saga completed (sent before its public event names the
   * saga): every later step of it is refused. Idempotent.
   */
  async finish(sagaId: string): Promise<Record<string, never>> {
    await finishSaga(this.dataSource, sagaId);
    return {};
  }

  /** Compensation: the identity goes with its Token Auth and token records, so its tokens die. */
  deleteForSaga(sagaId: string): Promise<CompensatedReply> {
    return compensateSaga(this.dataSource, sagaId, async (m) => (await m.delete(IdentityEntity, { sagaId })).affected ?? 0);
  }
}
