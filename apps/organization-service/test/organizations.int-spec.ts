import crypto, { randomUUID } from 'node:crypto';
import slugify from '@sindresorhus/slugify';
import { ErrorCodes } from '@app/contracts';
import { finishSaga } from '@app/database';
import { useServiceDatabase } from '@app/testing';
import { DataSource } from 'typeorm';
import { MembershipsService } from '../src/memberships/memberships.service';
import { organizationDatabase } from '../src/organization.database';
import { MembershipEntity } from '../src/organizations/membership.entity';
import { OrganizationEntity } from '../src/organizations/organization.entity';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { addMember, identity, organizationWithAdmin, principal, user } from './fixtures';

describe(OrganizationsService.name, () => {
  const database = useServiceDatabase('int_orgs', organizationDatabase);
  let dataSource: DataSource;
  let organizations: OrganizationsService;

  beforeAll(() => {
    ({ dataSource } = database);
    organizations = new OrganizationsService(dataSource);
  });

  const orgs = () => dataSource.getRepository(OrganizationEntity);
  const memberships = () => dataSource.getRepository(MembershipEntity);

  describe('createWithAdmin', () => {
    it('creates the organization with the given name', async () => {
      const created = await organizations.createWithAdmin(randomUUID(), 'Acme Corp', randomUUID());
      await expect(orgs().findOneByOrFail({ id: created.id })).resolves.toMatchObject({ name: 'Acme Corp', slug: created.slug });
    });

    it('slugs the name plus four random characters, as slugify(name-xxxx)', async () => {
      const { slug } = await organizations.createWithAdmin(randomUUID(), 'Acme Corp', randomUUID());
      const prefix = `${slugify('Acme Corp')}-`;
      expect(slug.startsWith(prefix)).toBe(true);
      // slugify lower-cases the suffix and may split it at camel case (vE5l -> v-e5l).
      expect(slug.slice(prefix.length).replace(/-/g, '')).toMatch(/^[0-9a-z]{4}$/);
    });

    it('gives the admin user an admin membership of the organization', async () => {
      const sagaId = randomUUID();
      const userId = randomUUID();
      const org = await organizations.createWithAdmin(sagaId, 'Members Inc', userId);
      await expect(memberships().findBy({ orgId: org.id })).resolves.toEqual([
        expect.objectContaining({ userId, identityId: null, role: 'admin', sagaId }),
      ]);
    });

    it('is idempotent on the saga id: a retry returns the same organization and membership', async () => {
      const sagaId = randomUUID();
      const userId = randomUUID();
      const first = await organizations.createWithAdmin(sagaId, 'Retry Ltd', userId);
      const second = await organizations.createWithAdmin(sagaId, 'Retry Ltd', userId);
      expect(second).toStrictEqual(first);
      await expect(orgs().countBy({ sagaId })).resolves.toBe(1);
      await expect(memberships().countBy({ orgId: first.id })).resolves.toBe(1);
    });

    it('draws a new suffix when the slug is already taken', async () => {
      // Suffix digits: 0000 for the first organization, 0000 again (taken) then 1111 for the second.
      const draws = [...'00000000'].concat([...'1111']).map(Number);
      const randomInt = jest.spyOn(crypto, 'randomInt') as unknown as jest.SpyInstance<number, []>;
      randomInt.mockImplementation(() => draws.shift() ?? 2);
      try {
        const first = await organizations.createWithAdmin(randomUUID(), 'Collide', randomUUID());
        const second = await organizations.createWithAdmin(randomUUID(), 'Collide', randomUUID());
        expect([first.slug, second.slug]).toEqual(['collide-0000', 'collide-1111']);
      } finally {
        randomInt.mockRestore();
      }
    });

    it('gives organizations of the same name distinct slugs', async () => {
      const created = await Promise.all(
        Array.from({ length: 30 }, () => organizations.createWithAdmin(randomUUID(), 'Same Name', randomUUID())),
      );
      expect(new Set(created.map((o) => o.slug)).size).toBe(30);
    });
  });

  describe('addIdentityMembership', () => {
    it('adds an admin membership for the identity', async () => {
      const sagaId = randomUUID();
      const identityId = randomUUID();
      const org = await organizations.createWithAdmin(sagaId, 'Identity Co', randomUUID());
      const membershipId = await organizations.addIdentityMembership(sagaId, org.id, identityId);
      await expect(memberships().findOneByOrFail({ id: membershipId })).resolves.toMatchObject({
        orgId: org.id,
        identityId,
        userId: null,
        role: 'admin',
        sagaId,
      });
    });

    it('is idempotent: a retry returns the same membership and adds none', async () => {
      const sagaId = randomUUID();
      const identityId = randomUUID();
      const org = await organizations.createWithAdmin(sagaId, 'Identity Retry', randomUUID());
      const first = await organizations.addIdentityMembership(sagaId, org.id, identityId);
      const second = await organizations.addIdentityMembership(sagaId, org.id, identityId);
      expect(second).toBe(first);
      await expect(memberships().countBy({ orgId: org.id, identityId })).resolves.toBe(1);
    });

    it('refuses an unknown organization with ORGANIZATION.NOT_FOUND', async () => {
      await expect(organizations.addIdentityMembership(randomUUID(), randomUUID(), randomUUID())).rejects.toMatchObject({
        name: 'DomainError',
        code: ErrorCodes.organizationNotFound,
      });
    });
  });

  describe('replays with the id of a finished saga (saga ids are public)', () => {
    const FINISHED = { name: 'DomainError', code: ErrorCodes.sagaFinished };
    const removeMember = (member: { type: 'user' | 'identity'; id: string }) => new MembershipsService(dataSource).removeMember(member);

    /** What the bootstrap saga leaves here: the organization, the admin user's and the identity's memberships. */
    async function bootstrapped() {
      const sagaId = randomUUID();
      const adminUserId = randomUUID();
      const identityId = randomUUID();
      const org = await organizations.createWithAdmin(sagaId, 'Finished Co', adminUserId);
      const membershipId = await organizations.addIdentityMembership(sagaId, org.id, identityId);
      return { sagaId, adminUserId, identityId, org, membershipId };
    }

    it('createWithAdmin answers the same organization and adds nothing, whatever name and admin it carries', async () => {
      const { sagaId, org } = await bootstrapped();
      const intruder = randomUUID();
      await expect(organizations.createWithAdmin(sagaId, 'Intruder Inc', intruder)).resolves.toStrictEqual(org);
      await expect(orgs().countBy({ sagaId })).resolves.toBe(1);
      await expect(memberships().countBy({ userId: intruder })).resolves.toBe(0);
    });

    it('addIdentityMembership naming another organization or identity is refused with SAGA.FINISHED and adds nothing', async () => {
      const { sagaId, org, identityId } = await bootstrapped();
      const elsewhere = await organizations.createWithAdmin(randomUUID(), 'Elsewhere', randomUUID());
      const intruder = randomUUID();
      await expect(organizations.addIdentityMembership(sagaId, org.id, intruder)).rejects.toMatchObject(FINISHED);
      await expect(organizations.addIdentityMembership(sagaId, elsewhere.id, identityId)).rejects.toMatchObject(FINISHED);
      await expect(organizations.addIdentityMembership(sagaId, elsewhere.id, intruder)).rejects.toMatchObject(FINISHED);
      await expect(memberships().countBy({ identityId: intruder })).resolves.toBe(0);
      await expect(memberships().countBy({ orgId: elsewhere.id, identityId })).resolves.toBe(0);
    });

    it('addIdentityMembership with the same arguments answers the same membership', async () => {
      const { sagaId, org, identityId, membershipId } = await bootstrapped();
      await expect(organizations.addIdentityMembership(sagaId, org.id, identityId)).resolves.toBe(membershipId);
    });

    it("once the saga's identity is gone (its memberships removed), every step of the saga is refused and adds nothing", async () => {
      const { sagaId, org, identityId, adminUserId } = await bootstrapped();
      await removeMember({ type: 'identity', id: identityId });
      await expect(organizations.addIdentityMembership(sagaId, org.id, identityId)).rejects.toMatchObject(FINISHED);
      await expect(organizations.createWithAdmin(sagaId, 'Finished Co', adminUserId)).rejects.toMatchObject(FINISHED);
      await expect(memberships().countBy({ identityId })).resolves.toBe(0);
    });

    it("once the saga's admin user is gone, its steps are refused too", async () => {
      const { sagaId, org, adminUserId } = await bootstrapped();
      await removeMember({ type: 'user', id: adminUserId });
      const intruder = randomUUID();
      await expect(organizations.addIdentityMembership(sagaId, org.id, intruder)).rejects.toMatchObject(FINISHED);
      await expect(organizations.createWithAdmin(sagaId, 'Finished Co', adminUserId)).rejects.toMatchObject(FINISHED);
      await expect(memberships().countBy({ orgId: org.id })).resolves.toBe(1);
    });

    it('the identity-creation saga: a replay naming another identity is refused, even for an admin caller', async () => {
      const { org, admin } = await organizationWithAdmin(organizations);
      const sagaId = randomUUID();
      const caller = admin;
      await organizations.addIdentityMembership(sagaId, org.id, randomUUID(), { caller, role: 'member' });
      const intruder = randomUUID();
      await expect(organizations.addIdentityMembership(sagaId, org.id, intruder, { caller, role: 'admin' })).rejects.toMatchObject(FINISHED);
      await expect(memberships().countBy({ identityId: intruder })).resolves.toBe(0);
    });
  });

  describe('addIdentityMembership with a caller', () => {
    const denied = 'You must be an admin of this organization to add a machine identity to it';

    it('lets an organization admin add an identity with the given role', async () => {
      const { org, admin } = await organizationWithAdmin(organizations);
      const sagaId = randomUUID();
      const identityId = randomUUID();
      const membershipId = await organizations.addIdentityMembership(sagaId, org.id, identityId, { caller: admin, role: 'member' });
      await expect(memberships().findOneByOrFail({ id: membershipId })).resolves.toMatchObject({ orgId: org.id, identityId, role: 'member', sagaId });
    });

    it('lets an instance admin who is not a member add one', async () => {
      const { org } = await organizationWithAdmin(organizations);
      const caller = principal(identity(), randomUUID(), true);
      const membershipId = await organizations.addIdentityMembership(randomUUID(), org.id, randomUUID(), { caller, role: 'no-access' });
      await expect(memberships().findOneByOrFail({ id: membershipId })).resolves.toMatchObject({ role: 'no-access' });
    });

    it.each(['member', 'no-access'] as const)('refuses a %s of the organization and adds nothing', async (role) => {
      const { org } = await organizationWithAdmin(organizations);
      const caller = principal(user(), org.id);
      await addMember(dataSource, org.id, caller, role);
      const identityId = randomUUID();
      await expect(organizations.addIdentityMembership(randomUUID(), org.id, identityId, { caller })).rejects.toMatchObject({
        code: ErrorCodes.permissionDenied,
        message: denied,
      });
      await expect(memberships().countBy({ identityId })).resolves.toBe(0);
    });

    it('refuses an admin of another organization', async () => {
      const { org } = await organizationWithAdmin(organizations);
      const other = await organizationWithAdmin(organizations);
      await expect(organizations.addIdentityMembership(randomUUID(), org.id, randomUUID(), { caller: other.admin })).rejects.toMatchObject({
        code: ErrorCodes.permissionDenied,
      });
    });

    it('refuses an admin of the organization whose token acts in another organization', async () => {
      const { org, admin } = await organizationWithAdmin(organizations);
      const caller = { ...admin, orgId: randomUUID() };
      await expect(organizations.addIdentityMembership(randomUUID(), org.id, randomUUID(), { caller })).rejects.toMatchObject({
        code: ErrorCodes.permissionDenied,
        message: denied,
      });
    });

    it('answers ORGANIZATION.NOT_FOUND for an unknown organization, even to an instance admin', async () => {
      const caller = principal(identity(), randomUUID(), true);
      await expect(organizations.addIdentityMembership(randomUUID(), randomUUID(), randomUUID(), { caller })).rejects.toMatchObject({
        code: ErrorCodes.organizationNotFound,
        message: 'Organization not found',
      });
    });

    it('is idempotent on the saga id', async () => {
      const { org, admin } = await organizationWithAdmin(organizations);
      const sagaId = randomUUID();
      const identityId = randomUUID();
      const first = await organizations.addIdentityMembership(sagaId, org.id, identityId, { caller: admin, role: 'member' });
      const second = await organizations.addIdentityMembership(sagaId, org.id, identityId, { caller: admin, role: 'member' });
      expect(second).toBe(first);
      await expect(memberships().countBy({ identityId })).resolves.toBe(1);
    });

    it('is undone by its compensation, which then refuses a late retry', async () => {
      const { org, admin } = await organizationWithAdmin(organizations);
      const sagaId = randomUUID();
      const identityId = randomUUID();
      await organizations.addIdentityMembership(sagaId, org.id, identityId, { caller: admin });
      await expect(organizations.removeIdentityMembershipsForSaga(sagaId)).resolves.toEqual({ removed: 1 });
      await expect(organizations.addIdentityMembership(sagaId, org.id, identityId, { caller: admin })).rejects.toMatchObject({
        code: ErrorCodes.sagaCancelled,
      });
      await expect(memberships().countBy({ identityId })).resolves.toBe(0);
    });
  });

  describe('removeIdentityMembershipsForSaga', () => {
    it("removes the saga's identity membership and keeps the user's", async () => {
      const sagaId = randomUUID();
      const userId = randomUUID();
      const org = await organizations.createWithAdmin(sagaId, 'Remove Identity', userId);
      await organizations.addIdentityMembership(sagaId, org.id, randomUUID());
      await expect(organizations.removeIdentityMembershipsForSaga(sagaId)).resolves.toEqual({ removed: 1 });
      await expect(memberships().findBy({ orgId: org.id })).resolves.toEqual([expect.objectContaining({ userId })]);
    });

    it('is idempotent: a second call removes nothing', async () => {
      const sagaId = randomUUID();
      const org = await organizations.createWithAdmin(sagaId, 'Remove Twice', randomUUID());
      await organizations.addIdentityMembership(sagaId, org.id, randomUUID());
      await organizations.removeIdentityMembershipsForSaga(sagaId);
      await expect(organizations.removeIdentityMembershipsForSaga(sagaId)).resolves.toEqual({ removed: 0 });
    });

    it('refuses an addIdentityMembership that arrives after it with SAGA.CANCELLED', async () => {
      const sagaId = randomUUID();
      const org = await organizations.createWithAdmin(sagaId, 'Late Membership', randomUUID());
      await organizations.removeIdentityMembershipsForSaga(sagaId);
      const identityId = randomUUID();
      await expect(organizations.addIdentityMembership(sagaId, org.id, identityId)).rejects.toMatchObject({
        code: ErrorCodes.sagaCancelled,
      });
      await expect(memberships().countBy({ identityId })).resolves.toBe(0);
    });
  });

  describe('deleteForSaga', () => {
    it('deletes the organization and, by cascade, all its memberships', async () => {
      const sagaId = randomUUID();
      const org = await organizations.createWithAdmin(sagaId, 'Doomed', randomUUID());
      await organizations.addIdentityMembership(sagaId, org.id, randomUUID());
      await expect(organizations.deleteForSaga(sagaId)).resolves.toEqual({ removed: 1 });
      await expect(orgs().existsBy({ id: org.id })).resolves.toBe(false);
      await expect(memberships().countBy({ orgId: org.id })).resolves.toBe(0);
    });

    it('is idempotent: a second call removes nothing', async () => {
      const sagaId = randomUUID();
      await organizations.createWithAdmin(sagaId, 'Doomed Twice', randomUUID());
      await organizations.deleteForSaga(sagaId);
      await expect(organizations.deleteForSaga(sagaId)).resolves.toEqual({ removed: 0 });
    });

    it('refuses to undo a saga that finished (SAGA.FINISHED): the organization and its memberships stay', async () => {
      const sagaId = randomUUID();
      const org = await organizations.createWithAdmin(sagaId, 'Finished', randomUUID());
      await organizations.addIdentityMembership(sagaId, org.id, randomUUID());
      await finishSaga(dataSource, sagaId);
      const finished = { name: 'DomainError', code: ErrorCodes.sagaFinished };
      await expect(organizations.deleteForSaga(sagaId)).rejects.toMatchObject(finished);
      await expect(organizations.removeIdentityMembershipsForSaga(sagaId)).rejects.toMatchObject(finished);
      await expect(orgs().existsBy({ id: org.id })).resolves.toBe(true);
      await expect(memberships().countBy({ orgId: org.id })).resolves.toBe(2);
    });

    it('leaves the organizations of other sagas alone', async () => {
      const kept = await organizations.createWithAdmin(randomUUID(), 'Kept', randomUUID());
      await organizations.deleteForSaga(randomUUID());
      await expect(orgs().existsBy({ id: kept.id })).resolves.toBe(true);
    });

    it('refuses a createWithAdmin that arrives after the compensation with SAGA.CANCELLED', async () => {
      const sagaId = randomUUID();
      await expect(organizations.deleteForSaga(sagaId)).resolves.toEqual({ removed: 0 });
      await expect(organizations.createWithAdmin(sagaId, 'Too Late', randomUUID())).rejects.toMatchObject({
        name: 'DomainError',
        code: ErrorCodes.sagaCancelled,
      });
    });

    it('creates nothing for a createWithAdmin that arrives after the compensation', async () => {
      const sagaId = randomUUID();
      const userId = randomUUID();
      await organizations.deleteForSaga(sagaId);
      await organizations.createWithAdmin(sagaId, 'Too Late Nothing', userId).catch(() => undefined);
      await expect(orgs().countBy({ sagaId })).resolves.toBe(0);
      await expect(memberships().countBy({ userId })).resolves.toBe(0);
    });
  });
});
