import { randomUUID } from 'node:crypto';
import { Member, OrganizationView, OrgRole, Principal } from '@app/contracts';
import { DataSource } from 'typeorm';
import { MembershipEntity } from '../src/organizations/membership.entity';
import { OrganizationsService } from '../src/organizations/organizations.service';

/** A caller as the gateway would send it after authenticating a token. */
export function principal(member: Member, orgId: string | null, isInstanceAdmin = false): Principal {
  return { ...member, orgId, isInstanceAdmin, tokenId: randomUUID() };
}

export const user = (): Member => ({ type: 'user', id: randomUUID() });
export const identity = (): Member => ({ type: 'identity', id: randomUUID() });

/** A member row written directly: the set-up of a test, not the behaviour under test. */
export async function addMember(dataSource: DataSource, orgId: string, member: Member, role: OrgRole): Promise<void> {
  const ids = member.type === 'user' ? { userId: member.id } : { identityId: member.id };
  await dataSource.getRepository(MembershipEntity).insert({ orgId, ...ids, role });
}

/** An organization made the way the bootstrap makes it, with its admin user as a caller. */
export async function organizationWithAdmin(
  organizations: OrganizationsService,
  name = 'Org',
): Promise<{ org: OrganizationView; admin: Principal }> {
  const adminUser = user();
  const org = await organizations.createWithAdmin(randomUUID(), name, adminUser.id);
  return { org, admin: principal(adminUser, org.id) };
}
