import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, AppProcess, bootstrap, SEED_REQUEST, TestStack } from '@app/testing';

jest.setTimeout(90_000);

/**
 * A token lives as long as its record says and as MAX_MACHINE_IDENTITY_TOKEN_AGE allows *now*:
 * the record's expiry is checked on every request, and lowering the maximum age applies to the
 * tokens already out (the signature checks of each claim are in tokens.spec and
 * identities-and-tokens).
 */
describe('Token lifetime (end to end)', () => {
  let stack: TestStack;
  let rootToken: string;
  let tokenId: string;
  const status = async (token: string) => (await new ApiClient(stack.gatewayUrl, token).get('/api/v1/projects')).status;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_token_lifetime' });
    const first = await bootstrap(stack.gatewayUrl);
    rootToken = first.body.identity.credentials.token;
    tokenId = JSON.parse(Buffer.from(rootToken.split('.')[1], 'base64url').toString()).identityAccessTokenId;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("refuses a token past its record's expiry, whatever its exp says, from the next request on", async () => {
    expect(await status(rootToken)).toBe(200);
    await stack.db.query(`UPDATE identity_service.identity_access_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [tokenId]);
    const refused = await new ApiClient(stack.gatewayUrl, rootToken).get('/api/v1/projects');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'TokenError' });
    await stack.db.query(`UPDATE identity_service.identity_access_tokens SET expires_at = now() + interval '90 days' WHERE id = $1`, [tokenId]);
    expect(await status(rootToken)).toBe(200);
  });

  describe('MAX_MACHINE_IDENTITY_TOKEN_AGE lowered', () => {
    let fresh: string;

    beforeAll(async () => {
      // identity-service restarted with an age the root token (a few seconds old) has passed.
      const [old] = stack.app('identity-service');
      await old.stop();
      await sleep(3_000);
      const restarted = new AppProcess('identity-service', 'e2e_token_lifetime-identity-service-short', {
        ...stack.envFor('identity-service'),
        MAX_MACHINE_IDENTITY_TOKEN_AGE: '3s',
      });
      stack.processes.push(restarted);
      await restarted.start();
      await stack.waitHealthy();
    });

    it('refuses the tokens already out that are older than the new age', async () => {
      expect(await status(rootToken)).toBe(403);
    });

    it('still lets the admin in to mint a new root token, which lives the new age at most', async () => {
      const api = new ApiClient(stack.gatewayUrl);
      const login = await api.post('/api/v3/auth/login', { email: SEED_REQUEST.email, password: SEED_REQUEST.password });
      const organizationId = (await stack.db.query<{ id: string }>('SELECT id FROM organization_service.organizations'))[0].id;
      const scoped = await api.as(login.body.accessToken).post('/api/v3/auth/select-organization', { organizationId });
      const identityId = (await stack.db.query<{ id: string }>('SELECT id FROM identity_service.identities WHERE is_instance_admin'))[0].id;
      const minted = await api.as(scoped.body.token).post(`/api/v1/auth/token-auth/identities/${identityId}/tokens`, { name: 'after the change' });
      expect(minted.status).toBe(200);
      expect(minted.body.expiresIn).toBe(3);
      fresh = minted.body.accessToken;
      expect(await status(fresh)).toBe(200);
      await sleep(3_500);
      expect(await status(fresh)).toBe(403);
    });
  });
});
