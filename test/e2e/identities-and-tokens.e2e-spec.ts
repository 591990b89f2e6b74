import { createHmac, randomUUID } from 'node:crypto';
import { tokenKeyOf } from '@app/tokens';
import { ApiClient, bootstrap, findSecrets, SEED_REQUEST, TestStack } from '@app/testing';

jest.setTimeout(60_000);

const GUARD_MESSAGE = 'You are attempting to modify an instance admin identity. This requires elevated instance admin privileges';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
const hmac = (algorithm: 'sha256' | 'sha512', secret: string | Buffer, input: string) => createHmac(algorithm, secret).update(input).digest('base64url');

/**
 * The root token driving the instance, over two gateways: authentication and its attacks,
 * machine identities (the second saga), Token Auth, the privilege-escalation guard, rotation.
 */
describe('Machine identities and Token Auth (end to end)', () => {
  let stack: TestStack;
  let gateway: ApiClient;
  let otherGateway: ApiClient;
  let root: ApiClient;
  let orgId: string;
  let adminIdentityId: string;
  let rootToken: string;
  /** An admin of the organization that is not an instance admin, and a plain member. */
  let ops: { id: string; api: ApiClient };
  let reader: { id: string; api: ApiClient };
  /** Every token handed out in this file, for the secret scan at the end. */
  const issued: string[] = [];

  const forbidden = { statusCode: 403, error: 'ForbiddenError', message: GUARD_MESSAGE };

  async function createIdentity(api: ApiClient, name: string, role: string): Promise<{ id: string; api: ApiClient }> {
    const created = await api.post('/api/v1/identities', { name, organizationId: orgId, role });
    expect(created.status).toBe(200);
    const id = created.body.identity.id;
    expect((await api.post(`/api/v1/auth/token-auth/identities/${id}`, {})).status).toBe(200);
    const minted = await api.post(`/api/v1/auth/token-auth/identities/${id}/tokens`, { name: `${name}-token` });
    expect(minted.status).toBe(200);
    issued.push(minted.body.accessToken);
    return { id, api: gateway.as(minted.body.accessToken) };
  }

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_identities', gateways: 2 });
    gateway = new ApiClient(stack.gatewayUrls[0]);
    otherGateway = new ApiClient(stack.gatewayUrls[1]);
    const boot = await bootstrap(stack.gatewayUrl);
    expect(boot.status).toBe(200);
    rootToken = boot.body.identity.credentials.token;
    issued.push(rootToken);
    root = gateway.as(rootToken);
    orgId = boot.body.organization.id;
    adminIdentityId = boot.body.identity.id;
    ops = await createIdentity(root, 'ops', 'admin');
    reader = await createIdentity(root, 'reader', 'member');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('authentication', () => {
    it('answers a request without a token with 401 Token missing', async () => {
      const result = await gateway.get('/api/v1/projects');
      expect(result.status).toBe(401);
      expect(result.body).toMatchObject({ statusCode: 401, error: 'UnauthorizedError', message: 'Token missing' });
      expect(result.headers.get('x-request-id')).toBe(result.body.reqId);
    });

    const attacks: Array<[string, () => string]> = [
      ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsOf(rootToken))}.`],
      ['HS512 signed with the right secret', () => {
        const input = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(claimsOf(rootToken))}`;
        return `${input}.${hmac('sha512', tokenKeyOf(stack.authSecret, 'identityAccessToken'), input)}`;
      }],
      ['a payload changed after signing', () => {
        const [header, , signature] = rootToken.split('.');
        return `${header}.${b64({ ...claimsOf(rootToken), identityId: ops.id })}.${signature}`;
      }],
      ['a token signed with the wrong key', () => {
        const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claimsOf(rootToken))}`;
        return `${input}.${hmac('sha256', 'not-the-server-secret-but-long-enough', input)}`;
      }],
      ['an expired token', () => {
        const now = Math.floor(Date.now() / 1000);
        const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claimsOf(rootToken), iat: now - 7200, exp: now - 3600 })}`;
        return `${input}.${hmac('sha256', tokenKeyOf(stack.authSecret, 'identityAccessToken'), input)}`;
      }],
      ['a token signed with AUTH_SECRET itself (not the identity-token key derived from it)', () => {
        const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claimsOf(rootToken))}`;
        return `${input}.${hmac('sha256', stack.authSecret, input)}`;
      }],
      ['the root token re-signed with the user-token key (one key leaked)', () => {
        const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claimsOf(rootToken))}`;
        return `${input}.${hmac('sha256', tokenKeyOf(stack.authSecret, 'accessToken'), input)}`;
      }],
      ['the root token without its exp, re-signed with the right key', () => {
        const { exp: _exp, ...claims } = claimsOf(rootToken);
        const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
        return `${input}.${hmac('sha256', tokenKeyOf(stack.authSecret, 'identityAccessToken'), input)}`;
      }],
      ['the root token without its audience, re-signed with the right key', () => {
        const { aud: _aud, ...claims } = claimsOf(rootToken);
        const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
        return `${input}.${hmac('sha256', tokenKeyOf(stack.authSecret, 'identityAccessToken'), input)}`;
      }],
      ['garbage', () => 'garbage'],
      ['three segments of nothing', () => 'a.b.c'],
    ];

    it.each(attacks)('refuses %s with 403 TokenError', async (_name, make) => {
      const result = await gateway.as(make()).get(`/api/v1/identities/${adminIdentityId}`);
      expect(result.status).toBe(403);
      expect(result.body).toMatchObject({ statusCode: 403, error: 'TokenError' });
    });

    it('accepts the bootstrap token on every gateway', async () => {
      for (const api of [root, otherGateway.as(rootToken)]) {
        const result = await api.get(`/api/v1/identities/${adminIdentityId}`);
        expect(result.status).toBe(200);
        expect(result.body).toStrictEqual({
          identity: { id: adminIdentityId, name: 'Instance Admin Identity', orgId, authMethods: ['token-auth'], isInstanceAdmin: true },
        });
      }
    });
  });

  describe('machine identities', () => {
    it('creates an identity in the organization, never an instance admin, with no auth method yet', async () => {
      const created = await root.post('/api/v1/identities', { name: '  builder  ', organizationId: orgId, role: 'member' });
      expect(created.status).toBe(200);
      expect(created.body).toStrictEqual({ identity: { id: expect.any(String), name: 'builder', orgId, authMethods: [] } });
      const got = await root.get(`/api/v1/identities/${created.body.identity.id}`);
      expect(got.body.identity).toMatchObject({ isInstanceAdmin: false, authMethods: [] });
    });

    it('refuses an organization that does not exist with 404, and leaves nothing behind', async () => {
      const before = await stack.db.query('SELECT count(*)::int AS n FROM identity_service.identities');
      const result = await root.post('/api/v1/identities', { name: 'ghost', organizationId: randomUUID(), role: 'member' });
      expect(result.status).toBe(404);
      expect(result.body).toMatchObject({ error: 'NotFound' });
      expect(await stack.db.query('SELECT count(*)::int AS n FROM identity_service.identities')).toEqual(before);
    });

    it('refuses a caller that is not an admin of the organization with 403, and creates nothing', async () => {
      const result = await reader.api.post('/api/v1/identities', { name: 'sneaky', organizationId: orgId, role: 'admin' });
      expect(result.status).toBe(403);
      const [{ n }] = await stack.db.query<{ n: number }>("SELECT count(*)::int AS n FROM identity_service.identities WHERE name = 'sneaky'");
      expect(n).toBe(0);
    });

    it('validates the body: 422 with the issues', async () => {
      const result = await root.post('/api/v1/identities', { name: '', organizationId: 'nope', role: 'owner' });
      expect(result.status).toBe(422);
      expect(result.body.message.map((i: { path: string[] }) => i.path[0]).sort()).toEqual(['name', 'organizationId', 'role']);
    });

    it('renames an identity and changes its role', async () => {
      const result = await ops.api.patch(`/api/v1/identities/${reader.id}`, { name: 'reader-2', role: 'member' });
      expect(result.status).toBe(200);
      expect(result.body.identity).toMatchObject({ id: reader.id, name: 'reader-2' });
    });

    it('answers 404 for an identity that does not exist, and 422 for an id that is not one', async () => {
      expect((await root.get(`/api/v1/identities/${randomUUID()}`)).status).toBe(404);
      expect((await root.get('/api/v1/identities/not-a-uuid')).status).toBe(422);
    });
  });

  describe('the privilege-escalation guard: an organization admin that is not an instance admin', () => {
    const guarded: Array<[string, (api: ApiClient) => Promise<{ status: number; body: any }>]> = [
      ['mint a token for the instance-admin identity', (api) => api.post(`/api/v1/auth/token-auth/identities/${adminIdentityId}/tokens`, {})],
      ['list its tokens', (api) => api.get(`/api/v1/auth/token-auth/identities/${adminIdentityId}/tokens`)],
      ['revoke its token', (api) => api.post(`/api/v1/auth/token-auth/tokens/${claimsOf(rootToken).identityAccessTokenId}/revoke`)],
      ['attach Token Auth to it', (api) => api.post(`/api/v1/auth/token-auth/identities/${adminIdentityId}`, {})],
      ['update it', (api) => api.patch(`/api/v1/identities/${adminIdentityId}`, { name: 'mine now' })],
      ['delete it', (api) => api.delete(`/api/v1/identities/${adminIdentityId}`)],
    ];

    it.each(guarded)('may not %s: 403 with the exact message', async (_name, call) => {
      const result = await call(ops.api);
      expect(result.status).toBe(403);
      expect(result.body).toMatchObject(forbidden);
    });

    it.each([
      ['list users', (api: ApiClient) => api.get('/api/v1/admin/user-management/users')],
      ['list identities', (api: ApiClient) => api.get('/api/v1/admin/identity-management/identities')],
      ['revoke instance-admin access', (api: ApiClient) => api.delete(`/api/v1/admin/identity-management/identities/${adminIdentityId}/super-admin-access`)],
    ])('may not call the admin route to %s: 403', async (_name, call) => {
      const result = await call(ops.api);
      expect(result.status).toBe(403);
    });

    it('left the instance-admin identity untouched', async () => {
      const got = await root.get(`/api/v1/identities/${adminIdentityId}`);
      expect(got.body.identity).toMatchObject({ name: 'Instance Admin Identity', isInstanceAdmin: true });
      expect((await root.get('/api/v1/projects')).status).toBe(200);
    });

    it('may manage an ordinary identity of its organization', async () => {
      expect((await ops.api.get(`/api/v1/auth/token-auth/identities/${reader.id}/tokens`)).status).toBe(200);
    });

    it('a plain member may not manage identities: 403', async () => {
      const result = await reader.api.get(`/api/v1/auth/token-auth/identities/${ops.id}/tokens`);
      expect(result.status).toBe(403);
      expect(result.body.error).toBe('PermissionDenied');
    });
  });

  describe('Token Auth', () => {
    it('refuses to attach Token Auth twice, and to mint without it', async () => {
      const bare = await root.post('/api/v1/identities', { name: 'bare', organizationId: orgId, role: 'member' });
      expect((await root.post(`/api/v1/auth/token-auth/identities/${bare.body.identity.id}/tokens`)).status).toBe(400);
      expect((await root.post(`/api/v1/auth/token-auth/identities/${reader.id}`, {})).status).toBe(400);
    });

    it('validates TTLs: 422 when the TTL exceeds the max TTL', async () => {
      const bare = await root.post('/api/v1/identities', { name: 'ttl', organizationId: orgId, role: 'member' });
      const result = await root.post(`/api/v1/auth/token-auth/identities/${bare.body.identity.id}`, { accessTokenTTL: 100, accessTokenMaxTTL: 50 });
      expect(result.status).toBe(422);
    });

    it("mints a token whose exp follows the identity's TTL", async () => {
      const bare = await root.post('/api/v1/identities', { name: 'short-lived', organizationId: orgId, role: 'member' });
      const id = bare.body.identity.id;
      const attached = await root.post(`/api/v1/auth/token-auth/identities/${id}`, { accessTokenTTL: 3600, accessTokenMaxTTL: 7200 });
      expect(attached.body).toStrictEqual({ identityTokenAuth: { identityId: id, accessTokenTTL: 3600, accessTokenMaxTTL: 7200 } });
      const minted = await root.post(`/api/v1/auth/token-auth/identities/${id}/tokens`, { name: 'ci' });
      expect(minted.status).toBe(200);
      expect(minted.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, accessTokenMaxTTL: 7200, tokenData: { name: 'ci', identityId: id } });
      const claims = claimsOf(minted.body.accessToken);
      expect(claims.exp - claims.iat).toBe(3600);
      expect(claims).toMatchObject({ identityId: id, authTokenType: 'identityAccessToken', jti: minted.body.tokenData.id });
    });

    it('lists token records, never tokens; 422 for a limit out of range', async () => {
      const list = await root.get(`/api/v1/auth/token-auth/identities/${adminIdentityId}/tokens?limit=5`);
      expect(list.status).toBe(200);
      expect(list.body.tokens[0]).toMatchObject({ name: 'Instance Admin Token', isAccessTokenRevoked: false, accessTokenTTL: 90 * 24 * 3600 });
      expect(JSON.stringify(list.body)).not.toContain(rootToken);
      expect((await root.get(`/api/v1/auth/token-auth/identities/${adminIdentityId}/tokens?limit=101`)).status).toBe(422);
      expect((await root.get(`/api/v1/auth/token-auth/identities/${adminIdentityId}/tokens?offset=-1`)).status).toBe(422);
    });

    it('revokes a token presented in the body, without any header', async () => {
      const minted = await root.post(`/api/v1/auth/token-auth/identities/${reader.id}/tokens`, {});
      const token = minted.body.accessToken;
      expect((await gateway.as(token).get('/api/v1/projects')).status).toBe(200);
      const revoked = await gateway.post('/api/v1/auth/token/revoke', { accessToken: token });
      expect(revoked.status).toBe(200);
      expect(revoked.body).toStrictEqual({ message: 'Successfully revoked access token' });
      expect((await otherGateway.as(token).get('/api/v1/projects')).status).toBe(401);
      expect((await gateway.post('/api/v1/auth/token/revoke', { accessToken: 'garbage' })).status).toBe(403);
    });
  });

  describe('rotating the root credential', () => {
    it('mints a new root token, revokes the old one, and the old one is refused on the next request through the other gateway', async () => {
      const minted = await root.post(`/api/v1/auth/token-auth/identities/${adminIdentityId}/tokens`, { name: 'rotated root' });
      expect(minted.status).toBe(200);
      const newRoot = minted.body.accessToken;
      issued.push(newRoot);
      const oldTokenId = claimsOf(rootToken).identityAccessTokenId;

      const revoked = await gateway.as(newRoot).post(`/api/v1/auth/token-auth/tokens/${oldTokenId}/revoke`);
      expect(revoked.status).toBe(200);

      const old = await otherGateway.as(rootToken).get(`/api/v1/identities/${adminIdentityId}`);
      expect(old.status).toBe(401);
      expect(old.body).toMatchObject({ error: 'UnauthorizedError' });
      const fresh = await otherGateway.as(newRoot).get(`/api/v1/identities/${adminIdentityId}`);
      expect(fresh.status).toBe(200);
      expect(fresh.body.identity.isInstanceAdmin).toBe(true);
      root = gateway.as(newRoot);
    });
  });

  describe('deleting an identity', () => {
    it('deletes it, and its tokens stop working at once on every gateway', async () => {
      const result = await root.delete(`/api/v1/identities/${reader.id}`);
      expect(result.status).toBe(200);
      expect(result.body).toStrictEqual({ identity: { id: reader.id, name: 'reader-2' } });
      expect((await reader.api.get('/api/v1/projects')).status).toBe(401);
      expect((await otherGateway.as(reader.api.token).get('/api/v1/projects')).status).toBe(401);
      expect((await root.get(`/api/v1/identities/${reader.id}`)).status).toBe(404);
      const memberships = await stack.db.query('SELECT 1 FROM organization_service.org_memberships WHERE identity_id = $1', [reader.id]);
      expect(memberships).toEqual([]);
    });
  });

  it('never wrote a token or the password to the database, a log or a stream', async () => {
    const secrets = Object.fromEntries([...issued.map((token, i) => [`token ${i}`, token]), ['password', SEED_REQUEST.password]]);
    const sightings = await findSecrets(stack, secrets);
    expect(Object.entries(sightings).filter(([, places]) => places.length > 0)).toEqual([]);
  });
});
