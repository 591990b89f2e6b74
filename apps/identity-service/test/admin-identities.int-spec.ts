import { randomBytes, randomUUID } from 'node:crypto';
import { ErrorCodes, ErrorMessages, Subjects } from '@app/contracts';
import { AdminIdentitiesService } from '../src/admin/admin-identities.service';
import { instanceAdmin, useIdentityApp } from './support/identity-app';

const ONLY_INSTANCE_ADMINS = { code: ErrorCodes.permissionDenied, message: 'Only an instance admin may do this' };

describe(AdminIdentitiesService.name, () => {
  const app = useIdentityApp('int_admin_identities');
  const authenticate = (token: string) => app().send(Subjects.identity.authenticate, { token });
  /** A tag unique to one test, so its search sees only its own identities in the shared database. */
  const tag = () => randomBytes(4).toString('hex');

  describe('list', () => {
    it('lists identities with whether each is an instance admin, in creation order, with the total', async () => {
      const t = tag();
      const orgId = randomUUID();
      const first = await app().identity(orgId, 'member', `${t}-first`);
      const second = await app().identity(orgId, 'member', `${t}-second`);
      await expect(app().send(Subjects.identity.list, { caller: instanceAdmin(), searchTerm: t })).resolves.toStrictEqual({
        identities: [
          { id: first.id, name: `${t}-first`, isInstanceAdmin: false },
          { id: second.id, name: `${t}-second`, isInstanceAdmin: false },
        ],
        total: 2,
      });
    });

    it('shows instance-admin identities as such', async () => {
      const admin = await app().instanceAdminIdentity();
      const { identities } = await app().send(Subjects.identity.list, { caller: instanceAdmin(), limit: 100, searchTerm: 'Instance Admin' });
      expect(identities).toContainEqual({ id: admin.id, name: 'Instance Admin Identity', isInstanceAdmin: true });
    });

    it('searches names for a substring, ignoring case', async () => {
      const t = tag();
      await app().identity(randomUUID(), 'member', `Deploy-${t}-Bot`);
      await app().identity(randomUUID(), 'member', `other-${t}`);
      const { identities, total } = await app().send(Subjects.identity.list, { caller: instanceAdmin(), searchTerm: `DEPLOY-${t}`.toLowerCase() });
      expect(identities.map((i) => i.name)).toEqual([`Deploy-${t}-Bot`]);
      expect(total).toBe(1);
    });

    it.each([['%'], ['_'], ['\\']])('takes %s in the search term literally', async (wildcard) => {
      const t = tag();
      await app().identity(randomUUID(), 'member', `${t}${wildcard}x`);
      await app().identity(randomUUID(), 'member', `${t}ax`);
      const { identities } = await app().send(Subjects.identity.list, { caller: instanceAdmin(), searchTerm: `${t}${wildcard}` });
      expect(identities.map((i) => i.name)).toEqual([`${t}${wildcard}x`]);
    });

    it('pages with offset and limit, the total counting every match', async () => {
      const t = tag();
      for (const n of ['a', 'b', 'c']) await app().identity(randomUUID(), 'member', `${t}-${n}`);
      await expect(app().send(Subjects.identity.list, { caller: instanceAdmin(), searchTerm: t, offset: 1, limit: 1 })).resolves.toMatchObject({
        identities: [{ name: `${t}-b` }],
        total: 3,
      });
    });

    it('refuses a caller that is not an instance admin, even an org admin', async () => {
      const caller = app().memberOf(randomUUID(), 'admin');
      await expect(app().send(Subjects.identity.list, { caller })).rejects.toEqual(ONLY_INSTANCE_ADMINS);
    });
  });

  describe('list-admin-ids', () => {
    it('lists the instance-admin identities and no other', async () => {
      const admin = await app().instanceAdminIdentity();
      const ordinary = await app().identity(randomUUID());
      const { ids } = await app().send(Subjects.identity.listAdminIds, {});
      expect(ids).toContain(admin.id);
      expect(ids).not.toContain(ordinary.id);
    });
  });

  describe('revoke-instance-admin', () => {
    it('takes the permission away: the identity stays, and its token now authenticates as an ordinary identity', async () => {
      const admin = await app().instanceAdminIdentity();
      await expect(
        app().send(Subjects.identity.revokeInstanceAdmin, { caller: instanceAdmin(), identityId: admin.id, lastAdmin: false }),
      ).resolves.toStrictEqual({ identity: { id: admin.id, name: 'Instance Admin Identity' } });
      await expect(authenticate(admin.rootToken.token)).resolves.toMatchObject({ type: 'identity', id: admin.id, isInstanceAdmin: false });
      await expect(app().send(Subjects.identity.listAdminIds, {})).resolves.toEqual({ ids: expect.not.arrayContaining([admin.id]) });
    });

    it('refuses when no other admin would remain, and keeps the permission', async () => {
      const admin = await app().instanceAdminIdentity();
      await expect(
        app().send(Subjects.identity.revokeInstanceAdmin, { caller: instanceAdmin(), identityId: admin.id, lastAdmin: true }),
      ).rejects.toEqual({ code: ErrorCodes.lastInstanceAdmin, message: ErrorMessages.lastInstanceAdmin });
      await expect(authenticate(admin.rootToken.token)).resolves.toMatchObject({ isInstanceAdmin: true });
    });

    it('refuses an identity that is not an instance admin', async () => {
      const identity = await app().identity(randomUUID());
      await expect(
        app().send(Subjects.identity.revokeInstanceAdmin, { caller: instanceAdmin(), identityId: identity.id, lastAdmin: false }),
      ).rejects.toEqual({ code: ErrorCodes.notInstanceAdmin, message: 'This identity is not an instance admin' });
    });

    it('answers IDENTITY.NOT_FOUND for an identity that does not exist', async () => {
      await expect(
        app().send(Subjects.identity.revokeInstanceAdmin, { caller: instanceAdmin(), identityId: randomUUID(), lastAdmin: false }),
      ).rejects.toEqual({ code: ErrorCodes.identityNotFound, message: 'Identity not found' });
    });

    it('refuses an org admin that is not an instance admin, on an identity of its organization', async () => {
      const identity = await app().identity(randomUUID());
      const caller = app().memberOf(identity.orgId, 'admin');
      await expect(
        app().send(Subjects.identity.revokeInstanceAdmin, { caller, identityId: identity.id, lastAdmin: false }),
      ).rejects.toEqual(ONLY_INSTANCE_ADMINS);
    });

    it('refuses a caller that is not an instance admin, on an instance admin, with the contract message', async () => {
      const admin = await app().instanceAdminIdentity();
      const caller = app().memberOf(admin.orgId, 'admin');
      await expect(
        app().send(Subjects.identity.revokeInstanceAdmin, { caller, identityId: admin.id, lastAdmin: false }),
      ).rejects.toEqual({ code: ErrorCodes.instanceAdminProtected, message: ErrorMessages.instanceAdminProtected });
    });
  });
});
