import { randomUUID } from 'node:crypto';
import { DEFAULT_ACCESS_TOKEN_TTL_SECONDS, ErrorCodes, Subjects } from '@app/contracts';
import { AccessTokenEntity } from '../src/token-auth/access-token.entity';
import { TokenAuthEntity } from '../src/token-auth/token-auth.entity';
import { TokenAuthService } from '../src/token-auth/token-auth.service';
import { instanceAdmin, useIdentityApp } from './support/identity-app';

const NINETY_DAYS_S = 90 * 24 * 3600;
const TEN_YEARS_S = 315_360_000;

interface Claims {
  identityId: string;
  identityAccessTokenId: string;
  iat: number;
  exp?: number;
}

describe(TokenAuthService.name, () => {
  const app = useIdentityApp('int_token_auth');
  const records = () => app().dataSource.getRepository(AccessTokenEntity);
  const authenticate = (token: string) => app().send(Subjects.identity.authenticate, { token });
  const claimsOf = (token: string) => app().tokens.verifyIdentityAccessToken(token, 0) as Claims;

  describe('attach-token-auth', () => {
    it('attaches Token Auth with the given TTLs and answers them', async () => {
      const identity = await app().identity(randomUUID());
      const caller = app().memberOf(identity.orgId, 'admin');
      await expect(
        app().send(Subjects.identity.attachTokenAuth, { caller, identityId: identity.id, accessTokenTTL: 600, accessTokenMaxTTL: 1200 }),
      ).resolves.toStrictEqual({ identityTokenAuth: { identityId: identity.id, accessTokenTTL: 600, accessTokenMaxTTL: 1200 } });
      await expect(app().dataSource.getRepository(TokenAuthEntity).findOneByOrFail({ identityId: identity.id })).resolves.toMatchObject({
        accessTokenTTL: 600,
        accessTokenMaxTTL: 1200,
      });
    });

    it("uses Infisical's 30-day defaults when no TTL is given", async () => {
      const identity = await app().identity(randomUUID());
      await expect(app().send(Subjects.identity.attachTokenAuth, { caller: instanceAdmin(), identityId: identity.id })).resolves.toMatchObject({
        identityTokenAuth: { accessTokenTTL: DEFAULT_ACCESS_TOKEN_TTL_SECONDS, accessTokenMaxTTL: DEFAULT_ACCESS_TOKEN_TTL_SECONDS },
      });
    });

    it('refuses a second attachment, keeping the first TTLs', async () => {
      const { identityId, caller } = await app().managedIdentity(60, 60);
      await expect(
        app().send(Subjects.identity.attachTokenAuth, { caller, identityId, accessTokenTTL: 900, accessTokenMaxTTL: 900 }),
      ).rejects.toEqual({ code: ErrorCodes.tokenAuthAlreadyAttached, message: 'Token Auth is already attached to this identity' });
      await expect(app().dataSource.getRepository(TokenAuthEntity).findOneByOrFail({ identityId })).resolves.toMatchObject({ accessTokenTTL: 60 });
    });

    it('refuses a TTL above the max TTL as an invalid payload', async () => {
      const identity = await app().identity(randomUUID());
      await expect(
        app().send(Subjects.identity.attachTokenAuth, { caller: instanceAdmin(), identityId: identity.id, accessTokenTTL: 20, accessTokenMaxTTL: 10 }),
      ).rejects.toMatchObject({ code: ErrorCodes.invalidPayload });
    });
  });

  describe('create-token', () => {
    it('answers the token in Infisical\'s shape, with its record as tokenData', async () => {
      const { identityId, caller } = await app().managedIdentity(3600, 7200);
      const minted = await app().send(Subjects.identity.createToken, { caller, identityId, name: 'ci' });
      expect(minted).toStrictEqual({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 3600,
        accessTokenMaxTTL: 7200,
        tokenData: {
          id: expect.any(String),
          name: 'ci',
          identityId,
          authMethod: 'token-auth',
          accessTokenTTL: 3600,
          accessTokenMaxTTL: 7200,
          isAccessTokenRevoked: false,
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
        },
      });
      expect(claimsOf(minted.accessToken)).toMatchObject({ identityId, identityAccessTokenId: minted.tokenData.id });
    });

    it('names the token "token" when no name is given', async () => {
      const { identityId, caller } = await app().managedIdentity();
      await expect(app().send(Subjects.identity.createToken, { caller, identityId })).resolves.toMatchObject({ tokenData: { name: 'token' } });
    });

    it("stores the identity's TTLs and the token's expiry on its record", async () => {
      const { identityId, caller } = await app().managedIdentity(3600, 7200);
      const { accessToken, tokenData } = await app().send(Subjects.identity.createToken, { caller, identityId });
      const record = await records().findOneByOrFail({ id: tokenData.id });
      expect(record).toMatchObject({ accessTokenTTL: 3600, accessTokenMaxTTL: 7200, revokedAt: null });
      expect(record.expiresAt?.getTime()).toBe(claimsOf(accessToken).exp! * 1000);
      expect(tokenData.expiresAt).toBe(record.expiresAt?.toISOString());
    });

    it('gives the token exp = iat + its TTL when the TTL is under the maximum token age', async () => {
      const { identityId, caller } = await app().managedIdentity(600, 600);
      const { accessToken, expiresIn } = await app().send(Subjects.identity.createToken, { caller, identityId });
      const { iat, exp } = claimsOf(accessToken);
      expect(exp! - iat).toBe(600);
      expect(expiresIn).toBe(600);
    });

    it('caps a longer TTL at MAX_MACHINE_IDENTITY_TOKEN_AGE (90 days by default)', async () => {
      const { identityId, caller } = await app().managedIdentity(TEN_YEARS_S, TEN_YEARS_S);
      const { accessToken, expiresIn } = await app().send(Subjects.identity.createToken, { caller, identityId });
      const { iat, exp } = claimsOf(accessToken);
      expect(exp! - iat).toBe(NINETY_DAYS_S);
      expect(expiresIn).toBe(NINETY_DAYS_S);
    });

    it('gives a token that authenticates as its identity', async () => {
      const { identityId, caller } = await app().managedIdentity();
      const { accessToken, tokenData } = await app().send(Subjects.identity.createToken, { caller, identityId });
      await expect(authenticate(accessToken)).resolves.toMatchObject({ type: 'identity', id: identityId, tokenId: tokenData.id, isInstanceAdmin: false });
    });

    it('refuses an identity without Token Auth, minting nothing', async () => {
      const identity = await app().identity(randomUUID());
      await expect(app().send(Subjects.identity.createToken, { caller: instanceAdmin(), identityId: identity.id })).rejects.toEqual({
        code: ErrorCodes.tokenAuthNotAttached,
        message: 'Token Auth is not attached to this identity',
      });
      await expect(records().countBy({ identityId: identity.id })).resolves.toBe(0);
    });
  });
});

describe(`${TokenAuthService.name} with MAX_MACHINE_IDENTITY_TOKEN_AGE=0`, () => {
  const app = useIdentityApp('int_token_auth_no_cap', { MAX_MACHINE_IDENTITY_TOKEN_AGE: '0' });

  it('gives the token exp = iat + its TTL alone', async () => {
    const { identityId, caller } = await app().managedIdentity(TEN_YEARS_S, TEN_YEARS_S);
    const { accessToken, expiresIn } = await app().send(Subjects.identity.createToken, { caller, identityId });
    const { iat, exp } = app().tokens.verifyIdentityAccessToken(accessToken, 0) as Claims;
    expect(exp! - iat).toBe(TEN_YEARS_S);
    expect(expiresIn).toBe(TEN_YEARS_S);
  });
});
