import { randomUUID } from 'node:crypto';
import { ErrorCodes, ErrorMessages, Subjects } from '@app/contracts';
import { DomainError } from '@app/common';
import { IdentityEntity } from '../src/identities/identity.entity';
import { IdentityManagementService } from '../src/identities/identity-management.service';
import { AccessTokenEntity } from '../src/token-auth/access-token.entity';
import { TokenAuthEntity } from '../src/token-auth/token-auth.entity';
import { instanceAdmin, principal, useIdentityApp } from './support/identity-app';

describe(IdentityManagementService.name, () => {
  const app = useIdentityApp('int_identity_mgmt');
  const identities = () => app().dataSource.getRepository(IdentityEntity);
  const authenticate = (token: string) => app().send(Subjects.identity.authenticate, { token });

  describe('create (a saga step)', () => {
    const create = (sagaId: string, identityId: string, orgId: string, name = 'deployer') =>
      app().send(Subjects.identity.create, { sagaId, caller: principal({ orgId }), identityId, name, organizationId: orgId });

    it('creates the identity with the given id, in the given organization, without auth methods', async () => {
      const [identityId, orgId] = [randomUUID(), randomUUID()];
      await expect(create(randomUUID(), identityId, orgId)).resolves.toStrictEqual({
        identity: { id: identityId, name: 'deployer', orgId, authMethods: [] },
      });
    });

    it('never makes an instance admin, and attaches no Token Auth', async () => {
      const identityId = randomUUID();
      await create(randomUUID(), identityId, randomUUID());
      await expect(identities().findOneByOrFail({ id: identityId })).resolves.toMatchObject({ isInstanceAdmin: false });
      await expect(app().dataSource.getRepository(TokenAuthEntity).existsBy({ identityId })).resolves.toBe(false);
    });

    it('is idempotent on the saga id: a retry answers the same identity and creates no second one', async () => {
      const [sagaId, identityId, orgId] = [randomUUID(), randomUUID(), randomUUID()];
      const first = await create(sagaId, identityId, orgId);
      await expect(create(sagaId, identityId, orgId)).resolves.toStrictEqual(first);
      await expect(identities().countBy({ sagaId })).resolves.toBe(1);
    });

    it('refuses a step that arrives after its compensation with SAGA.CANCELLED, creating nothing', async () => {
      const [sagaId, identityId] = [randomUUID(), randomUUID()];
      await app().send(Subjects.identity.undoCreate, { sagaId });
      await expect(create(sagaId, identityId, randomUUID())).rejects.toMatchObject({ code: ErrorCodes.sagaCancelled });
      await expect(identities().existsBy({ id: identityId })).resolves.toBe(false);
    });
  });

  describe('undo-create', () => {
    it('deletes the identity the saga created', async () => {
      const [sagaId, orgId] = [randomUUID(), randomUUID()];
      const identityId = randomUUID();
      await app().send(Subjects.identity.create, { sagaId, caller: principal(), identityId, name: 'n', organizationId: orgId });
      await expect(app().send(Subjects.identity.undoCreate, { sagaId })).resolves.toEqual({ removed: 1 });
      await expect(identities().existsBy({ id: identityId })).resolves.toBe(false);
    });

    it('is idempotent: a second call removes nothing', async () => {
      const sagaId = randomUUID();
      await app().send(Subjects.identity.undoCreate, { sagaId });
      await expect(app().send(Subjects.identity.undoCreate, { sagaId })).resolves.toEqual({ removed: 0 });
    });
  });

  describe('get', () => {
    it('shows the identity with its auth methods and whether it is an instance admin', async () => {
      const admin = await app().instanceAdminIdentity();
      await expect(app().send(Subjects.identity.get, { caller: instanceAdmin(), identityId: admin.id })).resolves.toStrictEqual({
        identity: { id: admin.id, name: 'Instance Admin Identity', orgId: admin.orgId, authMethods: ['token-auth'], isInstanceAdmin: true },
      });
    });

    it('shows Token Auth among the auth methods once it is attached', async () => {
      const identity = await app().identity(randomUUID());
      await app().withTokenAuth(identity.id);
      await expect(app().send(Subjects.identity.get, { caller: instanceAdmin(), identityId: identity.id })).resolves.toMatchObject({
        identity: { authMethods: ['token-auth'], isInstanceAdmin: false },
      });
    });

    it.each(['admin', 'member'] as const)('lets a %s of its organization read it', async (role) => {
      const identity = await app().identity(randomUUID());
      const caller = app().memberOf(identity.orgId, role);
      await expect(app().send(Subjects.identity.get, { caller, identityId: identity.id })).resolves.toMatchObject({
        identity: { id: identity.id, authMethods: [] },
      });
    });

    it('refuses a member with no access to its organization', async () => {
      const identity = await app().identity(randomUUID());
      const caller = app().memberOf(identity.orgId, 'no-access');
      await expect(app().send(Subjects.identity.get, { caller, identityId: identity.id })).rejects.toEqual({
        code: ErrorCodes.permissionDenied,
        message: "You must be a member of the identity's organization",
      });
    });

    it('refuses a caller that is not a member of its organization', async () => {
      const identity = await app().identity(randomUUID());
      await expect(app().send(Subjects.identity.get, { caller: principal(), identityId: identity.id })).rejects.toMatchObject({
        code: ErrorCodes.permissionDenied,
      });
    });

    it('answers IDENTITY.NOT_FOUND for an identity that does not exist', async () => {
      await expect(app().send(Subjects.identity.get, { caller: instanceAdmin(), identityId: randomUUID() })).rejects.toEqual({
        code: ErrorCodes.identityNotFound,
        message: 'Identity not found',
      });
    });
  });

  describe('update', () => {
    it('renames the identity and answers its view', async () => {
      const identity = await app().identity(randomUUID());
      const caller = app().memberOf(identity.orgId, 'admin');
      await expect(app().send(Subjects.identity.update, { caller, identityId: identity.id, name: 'renamed' })).resolves.toStrictEqual({
        identity: { id: identity.id, name: 'renamed', orgId: identity.orgId, authMethods: [] },
      });
      await expect(identities().findOneByOrFail({ id: identity.id })).resolves.toMatchObject({ name: 'renamed' });
    });

    it('moves updated_at forward', async () => {
      const identity = await app().identity(randomUUID());
      const before = await identities().findOneByOrFail({ id: identity.id });
      await app().send(Subjects.identity.update, { caller: instanceAdmin(), identityId: identity.id, name: 'later' });
      const after = await identities().findOneByOrFail({ id: identity.id });
      expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    });

    it('changes the role through organization-service, for the caller, in the identity organization', async () => {
      const identity = await app().identity(randomUUID());
      const caller = app().memberOf(identity.orgId, 'admin');
      await app().send(Subjects.identity.update, { caller, identityId: identity.id, role: 'no-access' });
      expect(app().directory.roleChanges).toContainEqual({ caller, organizationId: identity.orgId, identityId: identity.id, role: 'no-access' });
      await expect(app().directory.memberRole(identity.orgId, { type: 'identity', id: identity.id })).resolves.toBe('no-access');
    });

    it("relays organization-service's refusal of the role change, and then leaves the name as it was", async () => {
      const identity = await app().identity(randomUUID(), 'member', 'unchanged');
      app().directory.refuseRoleChangesWith = new DomainError(ErrorCodes.permissionDenied, 'The last admin of an organization keeps its role');
      try {
        await expect(
          app().send(Subjects.identity.update, { caller: instanceAdmin(), identityId: identity.id, name: 'changed', role: 'member' }),
        ).rejects.toEqual({ code: ErrorCodes.permissionDenied, message: 'The last admin of an organization keeps its role' });
      } finally {
        app().directory.refuseRoleChangesWith = undefined;
      }
      await expect(identities().findOneByOrFail({ id: identity.id })).resolves.toMatchObject({ name: 'unchanged' });
    });

    it('does not ask organization-service when no role is given', async () => {
      const identity = await app().identity(randomUUID());
      const spy = jest.spyOn(app().directory, 'setIdentityRole');
      await app().send(Subjects.identity.update, { caller: instanceAdmin(), identityId: identity.id, name: 'only the name' });
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    });
  });

  describe('delete', () => {
    it('deletes the identity and answers its id and name', async () => {
      const identity = await app().identity(randomUUID(), 'member', 'doomed');
      const caller = app().memberOf(identity.orgId, 'admin');
      await expect(app().send(Subjects.identity.delete, { caller, identityId: identity.id, lastAdmin: false })).resolves.toStrictEqual({
        identity: { id: identity.id, name: 'doomed' },
      });
      await expect(identities().existsBy({ id: identity.id })).resolves.toBe(false);
    });

    it('takes its Token Auth and token records with it; its tokens stop working on the next request', async () => {
      const identity = await app().identity(randomUUID());
      await app().withTokenAuth(identity.id);
      const { accessToken } = await app().send(Subjects.identity.createToken, { caller: instanceAdmin(), identityId: identity.id });
      await expect(authenticate(accessToken)).resolves.toMatchObject({ type: 'identity', id: identity.id });

      await app().send(Subjects.identity.delete, { caller: instanceAdmin(), identityId: identity.id, lastAdmin: false });
      await expect(authenticate(accessToken)).rejects.toMatchObject({ code: ErrorCodes.tokenRevoked });
      await expect(app().dataSource.getRepository(TokenAuthEntity).existsBy({ identityId: identity.id })).resolves.toBe(false);
      await expect(app().dataSource.getRepository(AccessTokenEntity).existsBy({ identityId: identity.id })).resolves.toBe(false);
    });

    it('lets an instance admin delete an instance-admin identity when another admin remains; its root token stops working', async () => {
      const admin = await app().instanceAdminIdentity();
      await app().send(Subjects.identity.delete, { caller: instanceAdmin(), identityId: admin.id, lastAdmin: false });
      await expect(authenticate(admin.rootToken.token)).rejects.toMatchObject({ code: ErrorCodes.tokenRevoked });
    });

    it('refuses to delete the last instance admin with INSTANCE.LAST_ADMIN, and keeps it', async () => {
      const admin = await app().instanceAdminIdentity();
      await expect(
        app().send(Subjects.identity.delete, { caller: instanceAdmin(), identityId: admin.id, lastAdmin: true }),
      ).rejects.toEqual({ code: ErrorCodes.lastInstanceAdmin, message: ErrorMessages.lastInstanceAdmin });
      await expect(authenticate(admin.rootToken.token)).resolves.toMatchObject({ type: 'identity', id: admin.id, isInstanceAdmin: true });
    });

    it('deletes an identity that is not an instance admin even when no other admin would remain (it is not one)', async () => {
      const identity = await app().identity(randomUUID());
      await expect(
        app().send(Subjects.identity.delete, { caller: instanceAdmin(), identityId: identity.id, lastAdmin: true }),
      ).resolves.toMatchObject({ identity: { id: identity.id } });
    });
  });
});
