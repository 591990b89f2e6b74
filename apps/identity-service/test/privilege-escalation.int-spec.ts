import { randomUUID } from 'node:crypto';
import { ErrorCodes, ErrorMessages, IdentitySubjects, Principal, Subjects } from '@app/contracts';
import { READ_ONLY_SUBJECTS, SAGA_STEP_SUBJECTS } from '../src/authorization/caller-commands';
import { PrivilegeEscalationGuard } from '../src/authorization/privilege-escalation.guard';
import { AccessTokenEntity } from '../src/token-auth/access-token.entity';
import { IdentityEntity } from '../src/identities/identity.entity';
import { instanceAdmin, principal, useIdentityApp } from './support/identity-app';
import { IdentitySubject, keysOf, PAYLOAD_SCHEMAS } from './support/identity-payloads';

const SUBJECTS = Object.keys(PAYLOAD_SCHEMAS) as IdentitySubject[];
const isTargeted = (s: IdentitySubject) => {
  const keys = keysOf(PAYLOAD_SCHEMAS[s]);
  return keys.includes('caller') && (keys.includes('identityId') || keys.includes('tokenId'));
};
/** What the guard must refuse: every caller command aimed at an identity, except the reviewed exemptions. */
const GUARDED = SUBJECTS.filter((s) => isTargeted(s) && !SAGA_STEP_SUBJECTS.has(s) && !READ_ONLY_SUBJECTS.has(s));

/** A valid value for each field a guarded payload may need; `target` fills identityId or tokenId. */
function samplePayload(subject: IdentitySubject, caller: Principal, target: { identityId: string; tokenId: string }): unknown {
  const values: Record<string, unknown> = {
    caller,
    ...target,
    lastAdmin: false,
    name: 'renamed',
    accessTokenTTL: 60,
    accessTokenMaxTTL: 60,
    offset: 0,
    limit: 20,
  };
  const payload = Object.fromEntries(keysOf(PAYLOAD_SCHEMAS[subject]).filter((k) => k in values).map((k) => [k, values[k]]));
  // Without this, a refusal could come from the pipe rather than the guard.
  const parsed = PAYLOAD_SCHEMAS[subject].safeParse(payload);
  if (!parsed.success) throw new Error(`No valid sample payload for ${subject}: add its fields to samplePayload`);
  return payload;
}

const PROTECTED = { code: ErrorCodes.instanceAdminProtected, message: ErrorMessages.instanceAdminProtected };
const NOT_ORG_ADMIN = { code: ErrorCodes.permissionDenied, message: "You must be an admin of the identity's organization" };

describe(PrivilegeEscalationGuard.name, () => {
  const app = useIdentityApp('int_guard');
  const tokenOf = async (identityId: string) => {
    const { tokenData } = await app().send(Subjects.identity.createToken, { caller: instanceAdmin(), identityId });
    return tokenData.id;
  };

  describe('coverage by construction', () => {
    it('knows the payload schema of every identity subject', () => {
      expect([...SUBJECTS].sort()).toEqual(Object.values(IdentitySubjects).sort());
    });

    it('has a handler for every identity subject', () => {
      expect(SUBJECTS.filter((s) => !app().handles(s))).toEqual([]);
    });

    it('walks at least the commands the contract names', () => {
      expect(GUARDED).toEqual(
        expect.arrayContaining([
          Subjects.identity.update,
          Subjects.identity.delete,
          Subjects.identity.attachTokenAuth,
          Subjects.identity.createToken,
          Subjects.identity.listTokens,
          Subjects.identity.revokeToken,
          Subjects.identity.revokeInstanceAdmin,
        ]),
      );
    });

    it('exempts exactly identity.cmd.get as read-only (a change here is a security decision)', () => {
      expect([...READ_ONLY_SUBJECTS]).toEqual([Subjects.identity.get]);
    });

    it('treats as saga steps exactly the subjects whose payload carries a saga id', () => {
      const withSagaId = SUBJECTS.filter((s) => keysOf(PAYLOAD_SCHEMAS[s]).includes('sagaId'));
      expect([...SAGA_STEP_SUBJECTS].sort()).toEqual(withSagaId.sort());
    });
  });

  describe('an org admin that is not an instance admin, on an instance-admin identity of its organization', () => {
    let target: { identityId: string; tokenId: string };
    let orgAdmin: Principal;

    beforeAll(async () => {
      const admin = await app().instanceAdminIdentity();
      target = { identityId: admin.id, tokenId: admin.rootToken.id };
      orgAdmin = app().memberOf(admin.orgId, 'admin');
    });

    it.each(GUARDED)('%s is refused with the contract message', async (subject) => {
      await expect(app().sendRaw(subject, samplePayload(subject, orgAdmin, target))).rejects.toEqual(PROTECTED);
    });

    it('changed nothing: the identity, its name, its admin permission and its token are as they were', async () => {
      for (const subject of GUARDED) await app().sendRaw(subject, samplePayload(subject, orgAdmin, target)).catch(() => undefined);
      await expect(app().dataSource.getRepository(IdentityEntity).findOneByOrFail({ id: target.identityId })).resolves.toMatchObject({
        name: 'Instance Admin Identity',
        isInstanceAdmin: true,
      });
      const records = await app().dataSource.getRepository(AccessTokenEntity).findBy({ identityId: target.identityId });
      expect(records).toEqual([expect.objectContaining({ id: target.tokenId, revokedAt: null })]);
    });

    it('is refused even by an identity caller of that organization', async () => {
      const admin = await app().instanceAdminIdentity();
      const identityCaller = app().memberOf(admin.orgId, 'admin', 'identity');
      await expect(
        app().send(Subjects.identity.update, { caller: identityCaller, identityId: admin.id, name: 'mine now' }),
      ).rejects.toEqual(PROTECTED);
    });

    it('is not switched off by a stray sagaId in the payload', async () => {
      await expect(
        app().sendRaw(Subjects.identity.update, { sagaId: randomUUID(), caller: orgAdmin, identityId: target.identityId, name: 'x' }),
      ).rejects.toEqual(PROTECTED);
    });

    it('lets an instance admin through', async () => {
      await expect(
        app().send(Subjects.identity.listTokens, { caller: instanceAdmin(), identityId: target.identityId }),
      ).resolves.toMatchObject({ tokens: [expect.objectContaining({ id: target.tokenId })] });
    });
  });

  describe('the matrix for an org admin that is not an instance admin', () => {
    it('may read an instance-admin identity of its organization (get is read-only)', async () => {
      const admin = await app().instanceAdminIdentity();
      const caller = app().memberOf(admin.orgId, 'admin');
      await expect(app().send(Subjects.identity.get, { caller, identityId: admin.id })).resolves.toMatchObject({
        identity: { id: admin.id, isInstanceAdmin: true },
      });
    });

    it('may manage an ordinary identity of its organization, command by command', async () => {
      const orgId = randomUUID();
      const caller = app().memberOf(orgId, 'admin');
      const identity = await app().identity(orgId);
      const identityId = identity.id;
      await expect(app().send(Subjects.identity.get, { caller, identityId })).resolves.toMatchObject({ identity: { id: identityId } });
      await expect(app().send(Subjects.identity.update, { caller, identityId, name: 'managed' })).resolves.toMatchObject({
        identity: { name: 'managed' },
      });
      await expect(app().send(Subjects.identity.attachTokenAuth, { caller, identityId })).resolves.toMatchObject({
        identityTokenAuth: { identityId },
      });
      const { tokenData } = await app().send(Subjects.identity.createToken, { caller, identityId });
      await expect(app().send(Subjects.identity.listTokens, { caller, identityId })).resolves.toMatchObject({
        tokens: [expect.objectContaining({ id: tokenData.id })],
      });
      await expect(app().send(Subjects.identity.revokeToken, { caller, tokenId: tokenData.id })).resolves.toMatchObject({
        message: expect.any(String),
      });
      await expect(app().send(Subjects.identity.delete, { caller, identityId, lastAdmin: false })).resolves.toMatchObject({
        identity: { id: identityId },
      });
    });
  });

  describe('on an ordinary identity', () => {
    let orgId: string;
    let target: { identityId: string; tokenId: string };

    beforeAll(async () => {
      orgId = randomUUID();
      const identity = await app().identity(orgId);
      await app().withTokenAuth(identity.id);
      target = { identityId: identity.id, tokenId: await tokenOf(identity.id) };
    });

    it.each(GUARDED)('%s refuses a member that is not an admin of its organization', async (subject) => {
      await expect(app().sendRaw(subject, samplePayload(subject, app().memberOf(orgId, 'member'), target))).rejects.toEqual(NOT_ORG_ADMIN);
    });

    it.each(GUARDED)('%s refuses an admin of another organization', async (subject) => {
      const elsewhere = app().memberOf(randomUUID(), 'admin');
      await expect(app().sendRaw(subject, samplePayload(subject, elsewhere, target))).rejects.toEqual(NOT_ORG_ADMIN);
    });

    it.each(GUARDED)('%s answers NOT_FOUND for a target that does not exist', async (subject) => {
      const keys = keysOf(PAYLOAD_SCHEMAS[subject]);
      const expected = keys.includes('identityId')
        ? { code: ErrorCodes.identityNotFound, message: 'Identity not found' }
        : { code: ErrorCodes.tokenNotFound, message: 'Access token not found' };
      const missing = { identityId: randomUUID(), tokenId: randomUUID() };
      await expect(app().sendRaw(subject, samplePayload(subject, instanceAdmin(), missing))).rejects.toEqual(expected);
    });

    it('refuses a malformed caller before anything else (fails closed)', async () => {
      await expect(
        app().sendRaw(Subjects.identity.update, { caller: { isInstanceAdmin: true }, identityId: target.identityId, name: 'x' }),
      ).rejects.toMatchObject({ code: ErrorCodes.invalidPayload });
    });

    it("asks for the caller's role in the identity's organization, as the caller's own kind of member", async () => {
      const spy = jest.spyOn(app().directory, 'memberRole');
      const caller = principal({ type: 'identity', orgId });
      await app().send(Subjects.identity.listTokens, { caller, identityId: target.identityId }).catch(() => undefined);
      expect(spy).toHaveBeenCalledWith(orgId, { type: 'identity', id: caller.id });
      spy.mockRestore();
    });

    it("refuses an admin of the identity's organization whose token acts in another organization", async () => {
      const caller = { ...app().memberOf(orgId, 'admin'), orgId: randomUUID() };
      await expect(app().sendRaw(Subjects.identity.listTokens, { caller, identityId: target.identityId })).rejects.toEqual(NOT_ORG_ADMIN);
    });
  });
});
