import { Injectable } from '@nestjs/common';
import { CompensatedReply, ErrorCodes, Member, OrgRole, Principal } from '@app/contracts';
import { DomainError } from '@app/common';
import { execute, markSagasFinished } from '@app/database';
import { DataSource } from 'typeorm';
import { memberColumn, requireOrgAdmin } from './org-access';

@Injectable()
export class MembershipsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Other services ask this to authorize their own data; null means not a member. */
  async roleOf(orgId: string, member: Member): Promise<OrgRole | null> {
    const { rows } = await execute<{ role: OrgRole | null }>(
      this.dataSource.manager,
      `SELECT m.role FROM organizations o
       LEFT JOIN org_memberships m ON m.org_id = o.id AND m.${memberColumn(member.type)} = $2
       WHERE o.id = $1`,
      [orgId, member.id],
    );
    if (rows.length === 0) throw new DomainError(ErrorCodes.organizationNotFound, 'Organization not found');
    return rows[0].role;
  }

  async setIdentityRole(caller: Principal, orgId: string, identityId: string, role: OrgRole): Promise<OrgRole> {
    return this.dataSource.transaction(async (m) => {
      // Authorization is ours (see org-access.ts).
      await requireOrgAdmin(m, orgId, caller, "You must be an admin of this organization to change a machine identity's role");
      const { affected } = await execute(m, 'UPDATE org_memberships SET role = $3 WHERE org_id = $1 AND identity_id = $2', [
        orgId,
        identityId,
        role,
      ]);
      if (affected === 0) throw new DomainError(ErrorCodes.identityNotFound, 'Identity is not a member of this organization');
      return role;
    });
  }

  /**
   * After its owner deleted a user or an identity: every membership it had goes, in
   * organizations and in projects. Idempotent: a retry removes nothing more.
   */
  async removeMember(member: Member): Promise<CompensatedReply> {
    const column = memberColumn(member.type);
    return this.dataSource.transaction(async (m) => {
      // The sagas that added these memberships are over: a replay of their step (saga ids are
      // public) must not add them back. Their locks come before the rows', as in a compensation.
      const { rows } = await execute<{ saga_id: string }>(
        m,
        `SELECT DISTINCT saga_id FROM org_memberships WHERE ${column} = $1 AND saga_id IS NOT NULL`,
        [member.id],
      );
      await markSagasFinished(m, rows.map((row) => row.saga_id));
      // Organization memberships first: this waits for a create-project holding one (FOR SHARE)
      // to commit, and the next statement's fresh snapshot then sees its project membership.
      const { affected } = await execute(m, `DELETE FROM org_memberships WHERE ${column} = $1`, [member.id]);
      await execute(m, `DELETE FROM project_memberships WHERE ${column} = $1`, [member.id]);
      return { removed: affected };
    });
  }
}
