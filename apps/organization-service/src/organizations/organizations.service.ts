import { Injectable } from '@nestjs/common';
import { CompensatedReply, ErrorCodes, OrganizationView, OrgRole, Principal } from '@app/contracts';
import { DomainError } from '@app/common';
import { compensateSaga, enterSagaStep, execute } from '@app/database';
import { DataSource, EntityManager, IsNull, Not } from 'typeorm';
import { requireOrgAdmin } from '../memberships/org-access';
import { MembershipEntity } from './membership.entity';
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
      const existing = await m.findOne(OrganizationEntity, { where: { sagaId } });
      if (existing !== null) return toView(existing);
      const org = await this.insertWithUniqueSlug(m, name, sagaId);
      await m.insert(MembershipEntity, { orgId: org.id, userId: adminUserId, role: 'admin', sagaId });
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
      const added = await m.findOne(MembershipEntity, { where: { sagaId, identityId: Not(IsNull()) } });
      if (added !== null) {
        if (added.orgId === orgId && added.identityId === identityId) return added.id;
        throw new DomainError(ErrorCodes.sagaFinished, 'This saga already added a machine identity to an organization');
      }
      if (!(await m.exists(OrganizationEntity, { where: { id: orgId } }))) {
        throw new DomainError(ErrorCodes.organizationNotFound, 'Organization not found');
      }
      if (caller !== undefined) {
        // Authorization is ours (see org-access.ts).
        await requireOrgAdmin(m, orgId, caller, 'You must be an admin of this organization to add a machine identity to it');
      }
      await m
        .createQueryBuilder()
        .insert()
        .into(MembershipEntity)
        .values({ orgId, identityId, role, sagaId })
        .orIgnore()
        .execute();
      const membership = await m.findOneOrFail(MembershipEntity, { where: { orgId, identityId } });
      return membership.id;
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
