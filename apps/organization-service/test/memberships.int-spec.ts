import { randomUUID } from 'node:crypto';
import { CreateProjectSchema, ErrorCodes } from '@app/contracts';
import { useServiceDatabase } from '@app/testing';
import { DataSource } from 'typeorm';
import { MembershipsService } from '../src/memberships/memberships.service';
import { organizationDatabase } from '../src/organization.database';
import { MembershipEntity } from '../src/organizations/membership.entity';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { ProjectMembershipEntity } from '../src/projects/project-membership.entity';
import { ProjectsService } from '../src/projects/projects.service';
import { addMember, identity, organizationWithAdmin, principal, user } from './fixtures';

describe(MembershipsService.name, () => {
  const database = useServiceDatabase('int_members', organizationDatabase);
  let dataSource: DataSource;
  let organizations: OrganizationsService;
  let memberships: MembershipsService;
  let projects: ProjectsService;

  beforeAll(() => {
    ({ dataSource } = database);
    organizations = new OrganizationsService(dataSource);
    memberships = new MembershipsService(dataSource);
    projects = new ProjectsService(dataSource);
  });

  const orgRows = () => dataSource.getRepository(MembershipEntity);
  const projectRows = () => dataSource.getRepository(ProjectMembershipEntity);

  describe('roleOf (get-member-role)', () => {
    it("answers the admin user's role", async () => {
      const { org, admin } = await organizationWithAdmin(organizations);
      await expect(memberships.roleOf(org.id, { type: 'user', id: admin.id })).resolves.toBe('admin');
    });

    it("answers an identity's role", async () => {
      const { org } = await organizationWithAdmin(organizations);
      const member = identity();
      await addMember(dataSource, org.id, member, 'no-access');
      await expect(memberships.roleOf(org.id, member)).resolves.toBe('no-access');
    });

    it('answers null for someone who is not a member', async () => {
      const { org } = await organizationWithAdmin(organizations);
      await expect(memberships.roleOf(org.id, user())).resolves.toBeNull();
    });

    it('tells users and identities apart: the same id as the other type is not a member', async () => {
      const { org, admin } = await organizationWithAdmin(organizations);
      await expect(memberships.roleOf(org.id, { type: 'identity', id: admin.id })).resolves.toBeNull();
    });

    it('answers null for a member of another organization only', async () => {
      const { org } = await organizationWithAdmin(organizations);
      const other = await organizationWithAdmin(organizations);
      await expect(memberships.roleOf(org.id, other.admin)).resolves.toBeNull();
    });

    it('refuses an unknown organization with ORGANIZATION.NOT_FOUND', async () => {
      await expect(memberships.roleOf(randomUUID(), user())).rejects.toMatchObject({
        name: 'DomainError',
        code: ErrorCodes.organizationNotFound,
        message: 'Organization not found',
      });
    });
  });

  describe('setIdentityRole', () => {
    async function orgWithIdentity() {
      const { org, admin } = await organizationWithAdmin(organizations);
      const target = identity();
      await addMember(dataSource, org.id, target, 'admin');
      const roleOfTarget = async () => (await orgRows().findOneByOrFail({ orgId: org.id, identityId: target.id })).role;
      return { org, admin, target, roleOfTarget };
    }

    it("lets an organization admin change an identity's role", async () => {
      const { org, admin, target, roleOfTarget } = await orgWithIdentity();
      await expect(memberships.setIdentityRole(admin, org.id, target.id, 'member')).resolves.toBe('member');
      await expect(roleOfTarget()).resolves.toBe('member');
    });

    it('lets an instance admin who is not a member do it', async () => {
      const { org, target, roleOfTarget } = await orgWithIdentity();
      const instanceAdmin = principal(identity(), randomUUID(), true);
      await expect(memberships.setIdentityRole(instanceAdmin, org.id, target.id, 'no-access')).resolves.toBe('no-access');
      await expect(roleOfTarget()).resolves.toBe('no-access');
    });

    it.each(['member', 'no-access'] as const)('refuses a %s of the organization and changes nothing', async (role) => {
      const { org, target, roleOfTarget } = await orgWithIdentity();
      const caller = principal(user(), org.id);
      await addMember(dataSource, org.id, caller, role);
      await expect(memberships.setIdentityRole(caller, org.id, target.id, 'member')).rejects.toMatchObject({
        code: ErrorCodes.permissionDenied,
      });
      await expect(roleOfTarget()).resolves.toBe('admin');
    });

    it('refuses an admin of another organization', async () => {
      const { org, target } = await orgWithIdentity();
      const other = await organizationWithAdmin(organizations);
      await expect(memberships.setIdentityRole(other.admin, org.id, target.id, 'member')).rejects.toMatchObject({
        code: ErrorCodes.permissionDenied,
      });
    });

    it('answers IDENTITY.NOT_FOUND for an identity that is not a member', async () => {
      const { org, admin } = await organizationWithAdmin(organizations);
      await expect(memberships.setIdentityRole(admin, org.id, randomUUID(), 'member')).rejects.toMatchObject({
        code: ErrorCodes.identityNotFound,
        message: 'Identity is not a member of this organization',
      });
    });

    it("never changes a user's role, even one with the identity's id", async () => {
      const { org, admin } = await organizationWithAdmin(organizations);
      await expect(memberships.setIdentityRole(admin, org.id, admin.id, 'no-access')).rejects.toMatchObject({
        code: ErrorCodes.identityNotFound,
      });
      await expect(memberships.roleOf(org.id, admin)).resolves.toBe('admin');
    });
  });

  describe('removeMember', () => {
    it("removes an identity's memberships in every organization and project", async () => {
      const first = await organizationWithAdmin(organizations);
      const second = await organizationWithAdmin(organizations);
      const gone = identity();
      await addMember(dataSource, first.org.id, gone, 'admin');
      await addMember(dataSource, second.org.id, gone, 'member');
      await projects.create(CreateProjectSchema.parse({ projectName: 'One', caller: principal(gone, first.org.id) }));
      await projects.create(CreateProjectSchema.parse({ projectName: 'Two', caller: principal(gone, second.org.id) }));

      await expect(memberships.removeMember(gone)).resolves.toEqual({ removed: 2 });
      await expect(orgRows().countBy({ identityId: gone.id })).resolves.toBe(0);
      await expect(projectRows().countBy({ identityId: gone.id })).resolves.toBe(0);
    });

    it("removes a user's memberships and leaves everyone else's", async () => {
      const { org, admin } = await organizationWithAdmin(organizations);
      const stays = identity();
      await addMember(dataSource, org.id, stays, 'member');
      const project = await projects.create(CreateProjectSchema.parse({ projectName: 'Kept', caller: admin }));
      await projects.create(CreateProjectSchema.parse({ projectName: 'Also', caller: principal(stays, org.id) }));

      await expect(memberships.removeMember(admin)).resolves.toEqual({ removed: 1 });
      await expect(orgRows().findBy({ orgId: org.id })).resolves.toEqual([expect.objectContaining({ identityId: stays.id })]);
      await expect(projectRows().countBy({ projectId: project.id })).resolves.toBe(0);
      await expect(projectRows().countBy({ identityId: stays.id })).resolves.toBe(1);
    });

    it('is idempotent: a second call removes nothing', async () => {
      const { admin } = await organizationWithAdmin(organizations);
      await memberships.removeMember(admin);
      await expect(memberships.removeMember(admin)).resolves.toEqual({ removed: 0 });
    });

    it('removes nothing of a user when asked about an identity with the same id', async () => {
      const { admin } = await organizationWithAdmin(organizations);
      await expect(memberships.removeMember({ type: 'identity', id: admin.id })).resolves.toEqual({ removed: 0 });
      await expect(orgRows().countBy({ userId: admin.id })).resolves.toBe(1);
    });

    it('takes away access at once: the removed member can no longer create projects', async () => {
      const { org, admin } = await organizationWithAdmin(organizations);
      await memberships.removeMember(admin);
      await expect(projects.create(CreateProjectSchema.parse({ projectName: 'Late', caller: admin }))).rejects.toMatchObject({
        code: ErrorCodes.permissionDenied,
      });
      await expect(memberships.roleOf(org.id, admin)).resolves.toBeNull();
    });
  });
});
