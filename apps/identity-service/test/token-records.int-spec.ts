import { randomUUID } from 'node:crypto';
import { DEFAULT_ACCESS_TOKEN_TTL_SECONDS, ErrorCodes, REVOKED_MESSAGE, Subjects } from '@app/contracts';
import { AccessTokenEntity } from '../src/token-auth/access-token.entity';
import { TokenRecordsService } from '../src/token-auth/token-records.service';
import { instanceAdmin, principal, useIdentityApp } from './support/identity-app';

describe(TokenRecordsService.name, () => {
  const app = useIdentityApp('int_token_records');
  const records = () => app().dataSource.getRepository(AccessTokenEntity);
  const authenticate = (token: string) => app().send(Subjects.identity.authenticate, { token });

  describe('list-tokens', () => {
    it('lists the records newest first, revoked ones included and marked', async () => {
      const { identityId, caller } = await app().managedIdentity();
      const first = await app().send(Subjects.identity.createToken, { caller, identityId, name: 'first' });
      const second = await app().send(Subjects.identity.createToken, { caller, identityId, name: 'second' });
      await app().send(Subjects.identity.revokeToken, { caller, tokenId: first.tokenData.id });
      const { tokens } = await app().send(Subjects.identity.listTokens, { caller, identityId });
      expect(tokens).toEqual([
        { ...second.tokenData },
        { ...first.tokenData, isAccessTokenRevoked: true },
      ]);
    });

    it('pages with offset and limit', async () => {
      const { identityId, caller } = await app().managedIdentity();
      for (const name of ['a', 'b', 'c']) await app().send(Subjects.identity.createToken, { caller, identityId, name });
      const { tokens } = await app().send(Subjects.identity.listTokens, { caller, identityId, offset: 1, limit: 1 });
      expect(tokens.map((t) => t.name)).toEqual(['b']);
    });

    it('shows the root token with its real lifetime, MAX_MACHINE_IDENTITY_TOKEN_AGE, not a Token Auth TTL', async () => {
      const admin = await app().instanceAdminIdentity();
      const { tokens } = await app().send(Subjects.identity.listTokens, { caller: instanceAdmin(), identityId: admin.id });
      const ninetyDays = 90 * 24 * 3600;
      expect(tokens).toEqual([
        expect.objectContaining({ id: admin.rootToken.id, name: 'Instance Admin Token', accessTokenTTL: ninetyDays, accessTokenMaxTTL: ninetyDays }),
      ]);
    });

    it('shows the default TTLs for a record that kept none when its identity has no Token Auth', async () => {
      const identity = await app().identity(randomUUID());
      await records().insert({ identityId: identity.id, name: 'legacy' });
      const { tokens } = await app().send(Subjects.identity.listTokens, { caller: instanceAdmin(), identityId: identity.id });
      expect(tokens).toEqual([
        expect.objectContaining({ name: 'legacy', accessTokenTTL: DEFAULT_ACCESS_TOKEN_TTL_SECONDS, expiresAt: null }),
      ]);
    });
  });

  describe('revoke-token', () => {
    it('revokes the record; its token is refused on the next request', async () => {
      const { identityId, caller } = await app().managedIdentity();
      const { accessToken, tokenData } = await app().send(Subjects.identity.createToken, { caller, identityId });
      await expect(app().send(Subjects.identity.revokeToken, { caller, tokenId: tokenData.id })).resolves.toStrictEqual({
        message: REVOKED_MESSAGE,
      });
      await expect(authenticate(accessToken)).rejects.toMatchObject({ code: ErrorCodes.tokenRevoked });
    });

    it("leaves the identity's other tokens working", async () => {
      const { identityId, caller } = await app().managedIdentity();
      const revoked = await app().send(Subjects.identity.createToken, { caller, identityId });
      const kept = await app().send(Subjects.identity.createToken, { caller, identityId });
      await app().send(Subjects.identity.revokeToken, { caller, tokenId: revoked.tokenData.id });
      await expect(authenticate(kept.accessToken)).resolves.toMatchObject({ tokenId: kept.tokenData.id });
    });

    it('is idempotent, keeping the first revocation time', async () => {
      const { identityId, caller } = await app().managedIdentity();
      const { tokenData } = await app().send(Subjects.identity.createToken, { caller, identityId });
      await app().send(Subjects.identity.revokeToken, { caller, tokenId: tokenData.id });
      const { revokedAt } = await records().findOneByOrFail({ id: tokenData.id });
      await expect(app().send(Subjects.identity.revokeToken, { caller, tokenId: tokenData.id })).resolves.toEqual({ message: REVOKED_MESSAGE });
      await expect(records().findOneByOrFail({ id: tokenData.id })).resolves.toMatchObject({ revokedAt });
    });

    it('answers TOKEN.NOT_FOUND for a record that does not exist', async () => {
      await expect(app().send(Subjects.identity.revokeToken, { caller: instanceAdmin(), tokenId: randomUUID() })).rejects.toEqual({
        code: ErrorCodes.tokenNotFound,
        message: 'Access token not found',
      });
    });
  });

  describe('revoke-presented-token', () => {
    it('revokes the token presented, with no caller: possession is the authorization', async () => {
      const { identityId, caller } = await app().managedIdentity();
      const { accessToken, tokenData } = await app().send(Subjects.identity.createToken, { caller, identityId });
      await expect(app().send(Subjects.identity.revokePresentedToken, { token: accessToken })).resolves.toStrictEqual({
        message: REVOKED_MESSAGE,
      });
      await expect(authenticate(accessToken)).rejects.toMatchObject({ code: ErrorCodes.tokenRevoked });
      await expect(records().findOneByOrFail({ id: tokenData.id })).resolves.toMatchObject({ revokedAt: expect.any(Date) });
    });

    it('rotates the root credential: mint a new token with the old, revoke the old, the new one works', async () => {
      const admin = await app().instanceAdminIdentity();
      const self = await authenticate(admin.rootToken.token);
      const asItself = principal({ type: 'identity', id: self.id, orgId: self.orgId, isInstanceAdmin: true, tokenId: self.tokenId });
      const fresh = await app().send(Subjects.identity.createToken, { caller: asItself, identityId: admin.id, name: 'rotated root' });
      await app().send(Subjects.identity.revokePresentedToken, { token: admin.rootToken.token });
      await expect(authenticate(admin.rootToken.token)).rejects.toMatchObject({ code: ErrorCodes.tokenRevoked });
      await expect(authenticate(fresh.accessToken)).resolves.toMatchObject({ type: 'identity', id: admin.id, isInstanceAdmin: true });
    });

    it('answers a token already revoked, or whose identity is gone, as revoked (idempotent)', async () => {
      const { identityId, caller } = await app().managedIdentity();
      const { accessToken } = await app().send(Subjects.identity.createToken, { caller, identityId });
      await app().send(Subjects.identity.revokePresentedToken, { token: accessToken });
      await expect(app().send(Subjects.identity.revokePresentedToken, { token: accessToken })).resolves.toEqual({ message: REVOKED_MESSAGE });
      await app().send(Subjects.identity.delete, { caller, identityId, lastAdmin: false });
      await expect(app().send(Subjects.identity.revokePresentedToken, { token: accessToken })).resolves.toEqual({ message: REVOKED_MESSAGE });
    });

    it('refuses a token that is not a valid signed token with TOKEN.INVALID', async () => {
      await expect(app().send(Subjects.identity.revokePresentedToken, { token: 'not.a.token' })).rejects.toEqual({
        code: ErrorCodes.tokenInvalid,
        message: 'Invalid token',
      });
    });

    it("refuses a user's token with TOKEN.INVALID", async () => {
      const now = new Date();
      const userToken = app().tokens.signUserAccessToken(randomUUID(), randomUUID(), now, new Date(now.getTime() + 60_000));
      await expect(app().send(Subjects.identity.revokePresentedToken, { token: userToken })).rejects.toMatchObject({
        code: ErrorCodes.tokenInvalid,
      });
    });
  });
});
