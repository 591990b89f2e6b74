import { ErrorCodes, Member, OrgRole, Principal } from '@app/contracts';
import { DomainError } from '@app/common';
import { EntityManager } from 'typeorm';

/*
 * This service owns organizations, memberships and projects, so it is the one that authorizes
 * what a caller may do with them: the gateway only authenticates. A caller's role in an
 * organization is the role of its own membership row there.
 */

/** The membership column that holds a member of this type. A fixed map: safe to put in SQL. */
export function memberColumn(type: Member['type']): 'user_id' | 'identity_id' {
  return type === 'user' ? 'user_id' : 'identity_id';
}

/**
 * The member's role in the organization, or null when it is not a member. `lock` holds the row
 * until the transaction ends, so a concurrent removal or role change cannot slip in between the
 * check and what the caller is allowed to do.
 */
export async function roleIn(m: EntityManager, orgId: string, member: Member, lock = false): Promise<OrgRole | null> {
  const rows: Array<{ role: OrgRole }> = await m.query(
    `SELECT role FROM org_memberships WHERE org_id = $1 AND ${memberColumn(member.type)} = $2${lock ? ' FOR SHARE' : ''}`,
    [orgId, member.id],
  );
  return rows[0]?.role ?? null;
}

/** Project routes act in the organization of the token; a user token from login may have none. */
export function scopedOrg(caller: Principal): string {
  if (caller.orgId === null) {
    throw new DomainError(ErrorCodes.unauthorized, 'This route needs a token scoped to an organization');
  }
  return caller.orgId;
}

/** Managing an organization's members takes an admin of it, or an instance admin. */
export async function requireOrgAdmin(m: EntityManager, orgId: string, caller: Principal, refusal: string): Promise<void> {
  if (caller.isInstanceAdmin) return;
  // A token acts in one organization (Infisical's rule): admin rights elsewhere do not count.
  if (caller.orgId !== orgId || (await roleIn(m, orgId, caller, true)) !== 'admin') {
    throw new DomainError(ErrorCodes.permissionDenied, refusal);
  }
}
