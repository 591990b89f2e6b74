import { Injectable } from '@nestjs/common';
import { CompensatedReply, ErrorCodes, OrganizationView, OrgRole, Principal } from '@app/contracts';
import { DomainError } from '@app/common';
import { compensateSaga, enterSagaStep, execute } from '@app/database';
import { DataSource, EntityManager } from 'typeorm';
import { requireOrgAdmin } from '../memberships/org-access';
import { OrganizationEntity } from './organization.entity';
import { organizationSlug } from './slug';

/** 62^4 suffixes make a collision rare; a handful of attempts makes failing one negligible. */
const SLUG_ATTEMPTS = 8;

function toView(org: OrganizationEntity): OrganizationView {
  return { id: org.id, name: org.name, slug: org.slug };
}

@Injectable()
export class OrganizationsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Creates the organization and its admin user's membership. Idempotent on the saga id. */
  async createWithAdmin(sagaId: string, name: string, adminUserId: string): Promise<OrganizationView> {
    return this.dataSource.transaction(async (m) => {
      await enterSagaStep(m, sagaId);
      const { rows } = await execute<OrganizationView>(m, 'SELECT id, name, slug FROM organizations WHERE saga_id = $1', [sagaId]);
      if (rows.length === 1) return rows[0];
      const org = await this.insertWithUniqueSlug(m, name, sagaId);
      await execute(m, `INSERT INTO org_memberships (org_id, user_id, role, saga_id) VALUES ($1, $2, 'admin', $3)`, [org.id, adminUserId, sagaId]);
      return toView(org);
    });
  }

  /**
   * A saga step. Without a caller it is the bootstrap's (the system's own); with one, the
   * caller must be allowed to manage the organization's members. Idempotent on the saga id: a
   * saga adds one identity membership, and a replay naming another organization or identity
   * (saga ids are public) is refused with SAGA.FINISHED and adds nothing.
   */
  async addIdentityMembership(
    sagaId: string,
    orgId: string,
    identityId: string,
    { caller, role = 'admin' }: { caller?: Principal; role?: OrgRole } = {},
  ): Promise<string> {
    return this.dataSource.transaction(async (m) => {
      await enterSagaStep(m, sagaId);
      const { rows: added } = await execute<{ id: string; org_id: string; identity_id: string }>(
        m,
        'SELECT id, org_id, identity_id FROM org_memberships WHERE saga_id = $1 AND identity_id IS NOT NULL',
        [sagaId],
      );
      if (added.length > 0) {
        if (added[0].org_id === orgId && added[0].identity_id === identityId) return added[0].id;
        throw new DomainError(ErrorCodes.sagaFinished, 'This saga already added a machine identity to an organization');
      }
      if ((await execute(m, 'SELECT 1 FROM organizations WHERE id = $1', [orgId])).rows.length === 0) {
        throw new DomainError(ErrorCodes.organizationNotFound, 'Organization not found');
      }
      if (caller !== undefined) {
        // Authorization is ours (see org-access.ts).
        await requireOrgAdmin(m, orgId, caller, 'You must be an admin of this organization to add a machine identity to it');
      }
      // Already a member (added by another saga): that membership is the answer, unchanged.
      const { rows } = await execute<{ id: string }>(
        m,
        `WITH ins AS (
           INSERT INTO org_memberships (org_id, identity_id, role, saga_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id
         )
         SELECT id FROM ins UNION ALL SELECT id FROM org_memberships WHERE org_id = $1 AND identity_id = $2`,
        [orgId, identityId, role, sagaId],
      );
      if (rows.length > 0) return rows[0].id;
      // The conflicting row was committed after this statement's snapshot: a new one sees it.
      const again = await execute<{ id: string }>(m, 'SELECT id FROM org_memberships WHERE org_id = $1 AND identity_id = $2', [orgId, identityId]);
      return again.rows[0].id;
    });
  }

  removeIdentityMembershipsForSaga(sagaId: string): Promise<CompensatedReply> {
    return compensateSaga(this.dataSource, sagaId, async (m) => {
      const sql = 'DELETE FROM org_memberships WHERE saga_id = $1 AND identity_id IS NOT NULL';
      return (await execute(m, sql, [sagaId])).affected;
    });
  }

  /** Compensation of createWithAdmin: the organization goes, and its memberships with it. */
  deleteForSaga(sagaId: string): Promise<CompensatedReply> {
    return compensateSaga(this.dataSource, sagaId, async (m) => (await m.delete(OrganizationEntity, { sagaId })).affected ?? 0);
  }

  private async insertWithUniqueSlug(m: EntityManager, name: string, sagaId: string): Promise<OrganizationEntity> {
    for (let attempt = 0; attempt < SLUG_ATTEMPTS; attempt += 1) {
      const { rows } = await execute<OrganizationEntity>(
        m,
        `INSERT INTO organizations (name, slug, saga_id) VALUES ($1, $2, $3)
         ON CONFLICT (slug) DO NOTHING RETURNING id, name, slug`,
        [name, organizationSlug(name), sagaId],
      );
      if (rows.length === 1) return rows[0];
    }
    throw new Error('Could not find a free organization slug');
  }
}
