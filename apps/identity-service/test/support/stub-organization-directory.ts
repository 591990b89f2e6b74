import { Member, OrgRole, Principal } from '@app/contracts';
import { OrganizationDirectory } from '@app/common';

/** Organization roles as a test sets them; organization-service is not running. */
export class StubOrganizationDirectory extends OrganizationDirectory {
  private readonly roles = new Map<string, OrgRole>();
  readonly roleChanges: Array<{ caller: Principal; organizationId: string; identityId: string; role: OrgRole }> = [];
  /** When set, setIdentityRole fails with it (as organization-service's refusal would). */
  refuseRoleChangesWith: Error | undefined;

  grant(organizationId: string, member: Member, role: OrgRole): void {
    this.roles.set(key(organizationId, member), role);
  }

  async memberRole(organizationId: string, member: Member): Promise<OrgRole | null> {
    return this.roles.get(key(organizationId, member)) ?? null;
  }

  async setIdentityRole(caller: Principal, organizationId: string, identityId: string, role: OrgRole): Promise<OrgRole> {
    if (this.refuseRoleChangesWith !== undefined) throw this.refuseRoleChangesWith;
    this.roleChanges.push({ caller, organizationId, identityId, role });
    this.grant(organizationId, { type: 'identity', id: identityId }, role);
    return role;
  }
}

const key = (organizationId: string, member: Member) => `${organizationId}/${member.type}/${member.id}`;
