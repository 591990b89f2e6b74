import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { TOKEN_ISSUER, tokenKeyOf, TokenService } from '@app/tokens';
import { AppConfig, loadConfig } from '@app/config';
import { ErrorCodes } from '@app/contracts';
import { useServiceDatabase } from '@app/testing';
import { DataSource } from 'typeorm';
import { AccessTokenEntity } from '../src/token-auth/access-token.entity';
import { IdentitiesService } from '../src/identities/identities.service';
import { IdentityEntity } from '../src/identities/identity.entity';
import { TokenAuthEntity } from '../src/token-auth/token-auth.entity';
import { TokenLifetime } from '../src/token-auth/token-lifetime';
import { identityDatabase } from '../src/identity.database';

const AUTH_SECRET = randomBytes(32).toString('base64url');
const NINETY_DAYS_S = 90 * 24 * 3600;
/** A moment in the middle of a second, so a frozen clock gives predictable claims. */
const FROZEN_AT_MS = 1_750_000_000_400;

/** Fakes only Date: Postgres and its pool keep their real timers. */
function freezeClockAt(ms: number): void {
  jest.useFakeTimers({
    now: ms,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
}

describe(IdentitiesService.name, () => {
  const database = useServiceDatabase('int_identities', identityDatabase);
  let dataSource: DataSource;
  const config: AppConfig = loadConfig({ AUTH_SECRET });
  const jwt = new JwtService({
    secret: createSecretKey(tokenKeyOf(AUTH_SECRET, 'identityAccessToken')),
    signOptions: { algorithm: 'HS256' },
    verifyOptions: { algorithms: ['HS256'] },
  });

  const serviceWith = (lifetime = new TokenLifetime(config)) => new IdentitiesService(dataSource, new TokenService(AUTH_SECRET), lifetime);

  beforeAll(() => {
    ({ dataSource } = database);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const identities = () => dataSource.getRepository(IdentityEntity);
  const tokenAuths = () => dataSource.getRepository(TokenAuthEntity);
  const tokens = () => dataSource.getRepository(AccessTokenEntity);

  describe('createInstanceAdmin', () => {
    it('creates the instance-admin identity, named "Instance Admin Identity", in the given organization', async () => {
      const orgId = randomUUID();
      const { identity } = await serviceWith().createInstanceAdmin(randomUUID(), orgId);
      expect(identity).toStrictEqual({ id: expect.any(String), name: 'Instance Admin Identity', orgId, isInstanceAdmin: true });
      await expect(identities().findOneByOrFail({ id: identity.id })).resolves.toMatchObject({
        name: 'Instance Admin Identity',
        orgId,
        isInstanceAdmin: true,
      });
    });

    it('gives the identity Token Auth with both TTLs at 2592000 seconds', async () => {
      const { identity } = await serviceWith().createInstanceAdmin(randomUUID(), randomUUID());
      await expect(tokenAuths().findBy({ identityId: identity.id })).resolves.toEqual([
        expect.objectContaining({ accessTokenTTL: 2_592_000, accessTokenMaxTTL: 2_592_000 }),
      ]);
    });

    it('records one access token named "Instance Admin Token", the one it returns', async () => {
      const { identity, accessToken } = await serviceWith().createInstanceAdmin(randomUUID(), randomUUID());
      await expect(tokens().findBy({ identityId: identity.id })).resolves.toEqual([
        expect.objectContaining({ id: accessToken.id, name: 'Instance Admin Token', authMethod: 'token-auth', revokedAt: null }),
      ]);
    });

    it('signs an HS256 token with exactly the machine-identity claims and a 90-day exp', async () => {
      freezeClockAt(FROZEN_AT_MS);
      const { identity, accessToken } = await serviceWith().createInstanceAdmin(randomUUID(), randomUUID());
      const iat = Math.floor(FROZEN_AT_MS / 1000);
      expect(jwt.decode(accessToken.token, { complete: true })?.header).toMatchObject({ alg: 'HS256', kid: 'identity-access-v1' });
      expect(jwt.verify(accessToken.token, { ignoreExpiration: true })).toStrictEqual({
        identityId: identity.id,
        identityAccessTokenId: accessToken.id,
        authTokenType: 'identityAccessToken',
        iat,
        jti: accessToken.id,
        exp: iat + NINETY_DAYS_S,
        iss: TOKEN_ISSUER,
        aud: 'identity-access',
      });
    });

    it("stores the token's exp as the record's expires_at", async () => {
      const { accessToken } = await serviceWith().createInstanceAdmin(randomUUID(), randomUUID());
      const { exp } = jwt.verify<{ exp: number }>(accessToken.token);
      const record = await tokens().findOneByOrFail({ id: accessToken.id });
      expect(record.expiresAt?.getTime()).toBe(exp * 1000);
    });

    it('keeps exp = iat + 90 days when the clock passes a second boundary during the transaction', async () => {
      freezeClockAt(FROZEN_AT_MS + 599); // x.999 s
      const lifetime = new TokenLifetime(config);
      const expiryFrom = lifetime.expiryFrom.bind(lifetime);
      // The record's expiry is computed inside the transaction; let 2 ms pass before the signing.
      jest.spyOn(lifetime, 'expiryFrom').mockImplementation((now) => {
        const expiresAt = expiryFrom(now);
        jest.setSystemTime(now.getTime() + 2);
        return expiresAt;
      });
      const { accessToken } = await serviceWith(lifetime).createInstanceAdmin(randomUUID(), randomUUID());
      const { iat, exp } = jwt.verify<{ iat: number; exp: number }>(accessToken.token, { ignoreExpiration: true });
      expect(exp - iat).toBe(NINETY_DAYS_S);
    });

    it('signs a token without exp, and records no expiry, when the maximum token age is 0', async () => {
      const service = serviceWith(new TokenLifetime({ ...config, maxMachineIdentityTokenAgeMs: 0 }));
      const { accessToken } = await service.createInstanceAdmin(randomUUID(), randomUUID());
      expect(jwt.verify(accessToken.token)).not.toHaveProperty('exp');
      await expect(tokens().findOneByOrFail({ id: accessToken.id })).resolves.toMatchObject({ expiresAt: null });
    });

    it('is idempotent on the saga id: a retry returns the same identity and token record', async () => {
      const sagaId = randomUUID();
      const orgId = randomUUID();
      const first = await serviceWith().createInstanceAdmin(sagaId, orgId);
      const second = await serviceWith().createInstanceAdmin(sagaId, orgId);
      expect(second.identity).toStrictEqual(first.identity);
      expect(second.accessToken.id).toBe(first.accessToken.id);
      expect(jwt.verify(second.accessToken.token)).toMatchObject({ identityId: first.identity.id, jti: first.accessToken.id });
    });

    it('creates no second identity, Token Auth or token record on a retry', async () => {
      const sagaId = randomUUID();
      const { identity } = await serviceWith().createInstanceAdmin(sagaId, randomUUID());
      await serviceWith().createInstanceAdmin(sagaId, identity.orgId);
      await expect(identities().countBy({ sagaId })).resolves.toBe(1);
      await expect(tokenAuths().countBy({ identityId: identity.id })).resolves.toBe(1);
      await expect(tokens().countBy({ identityId: identity.id })).resolves.toBe(1);
    });
  });

  describe('deleteForSaga', () => {
    it('deletes the identity with its Token Auth and token records', async () => {
      const sagaId = randomUUID();
      const { identity } = await serviceWith().createInstanceAdmin(sagaId, randomUUID());
      await expect(serviceWith().deleteForSaga(sagaId)).resolves.toEqual({ removed: 1 });
      await expect(identities().existsBy({ id: identity.id })).resolves.toBe(false);
      await expect(tokenAuths().countBy({ identityId: identity.id })).resolves.toBe(0);
      await expect(tokens().countBy({ identityId: identity.id })).resolves.toBe(0);
    });

    it('is idempotent: a second call removes nothing', async () => {
      const sagaId = randomUUID();
      await serviceWith().createInstanceAdmin(sagaId, randomUUID());
      await serviceWith().deleteForSaga(sagaId);
      await expect(serviceWith().deleteForSaga(sagaId)).resolves.toEqual({ removed: 0 });
    });

    it('refuses a createInstanceAdmin that arrives after the compensation with SAGA.CANCELLED', async () => {
      const sagaId = randomUUID();
      await expect(serviceWith().deleteForSaga(sagaId)).resolves.toEqual({ removed: 0 });
      await expect(serviceWith().createInstanceAdmin(sagaId, randomUUID())).rejects.toMatchObject({
        name: 'DomainError',
        code: ErrorCodes.sagaCancelled,
      });
    });

    it('creates nothing for a createInstanceAdmin that arrives after the compensation', async () => {
      const sagaId = randomUUID();
      await serviceWith().deleteForSaga(sagaId);
      await serviceWith().createInstanceAdmin(sagaId, randomUUID()).catch(() => undefined);
      await expect(identities().countBy({ sagaId })).resolves.toBe(0);
    });
  });
});
