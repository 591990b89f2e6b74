import { ApiClient, bootstrap, findSecrets, SEED_REQUEST, TestStack } from '@app/testing';

jest.setTimeout(60_000);

/** The seed's project example, verbatim (Infisical's Automated Bootstrapping page). */
const SEED_PROJECT = {
  projectName: 'New Project',
  projectDescription: 'A project created via API',
  slug: 'new-project-slug',
  template: 'default',
  type: 'SECRET_MANAGER',
};

const uuid = expect.stringMatching(/^[0-9a-f-]{36}$/);

async function startBootstrapped(name: string) {
  const stack = await TestStack.start({ name });
  const boot = await bootstrap(stack.gatewayUrl);
  expect(boot.status).toBe(200);
  const gateway = new ApiClient(stack.gatewayUrl);
  return {
    stack,
    gateway,
    root: gateway.as(boot.body.identity.credentials.token),
    orgId: boot.body.organization.id as string,
    userId: boot.body.user.id as string,
    identityId: boot.body.identity.id as string,
  };
}

describe('Projects, human login and server admin (end to end)', () => {
  let ctx: Awaited<ReturnType<typeof startBootstrapped>>;

  beforeAll(async () => {
    ctx = await startBootstrapped('e2e_projects');
  });

  afterAll(async () => {
    await ctx?.stack.stop();
  });

  describe('projects', () => {
    it("runs the seed's example verbatim with the bootstrap token", async () => {
      const result = await ctx.root.post('/api/v2/projects', SEED_PROJECT);
      expect(result.status).toBe(200);
      expect(result.body).toStrictEqual({
        project: {
          id: uuid,
          name: 'New Project',
          description: 'A project created via API',
          slug: 'new-project-slug',
          type: 'secret-manager',
          orgId: ctx.orgId,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
          environments: [
            { id: uuid, name: 'Development', slug: 'dev' },
            { id: uuid, name: 'Staging', slug: 'staging' },
            { id: uuid, name: 'Production', slug: 'prod' },
          ],
        },
      });
    });

    it('refuses a slug taken in the organization with a 400 naming it', async () => {
      const result = await ctx.root.post('/api/v1/projects', SEED_PROJECT);
      expect(result.status).toBe(400);
      expect(result.body).toMatchObject({ error: 'BadRequest', message: expect.stringContaining('new-project-slug') });
    });

    it('answers the same on /api/v1/projects and /api/v2/workspace, with a default slug', async () => {
      const v1 = await ctx.root.post('/api/v1/projects', { projectName: 'Payments API' });
      expect(v1.status).toBe(200);
      expect(v1.body.project).toMatchObject({ type: 'secret-manager', slug: expect.stringMatching(/^payments-api-[a-z0-9-]+$/) });
      const workspace = await ctx.root.post('/api/v2/workspace', { projectName: 'Legacy SDK', type: 'kms' });
      expect(workspace.status).toBe(200);
      expect(workspace.body.project.type).toBe('kms');
    });

    it('validates the body: 422 with the issues', async () => {
      const result = await ctx.root.post('/api/v2/projects', { projectName: '', slug: 'UPPER', type: 'vault', template: 'other' });
      expect(result.status).toBe(422);
      expect(result.body.message.map((i: { path: string[] }) => i.path[0]).sort()).toEqual(['projectName', 'slug', 'template', 'type']);
    });

    it("lists the caller organization's projects, paginated", async () => {
      const all = await ctx.root.get('/api/v1/projects');
      expect(all.status).toBe(200);
      expect(all.body.projects.map((p: { name: string }) => p.name)).toEqual(['New Project', 'Payments API', 'Legacy SDK']);
      const page = await ctx.root.get('/api/v1/projects?offset=1&limit=1');
      expect(page.body.projects.map((p: { name: string }) => p.name)).toEqual(['Payments API']);
      expect((await ctx.root.get('/api/v1/projects?limit=0')).status).toBe(422);
      expect((await ctx.root.get('/api/v1/projects?limit=101')).status).toBe(422);
    });
  });

  /** The user tokens login handed out, for the secret scan at the end. */
  const loginTokens: string[] = [];

  describe('human login', () => {
    let userToken: string;

    it('answers a wrong password and an unknown email the same', async () => {
      const wrong = await ctx.gateway.post('/api/v3/auth/login', { email: SEED_REQUEST.email, password: 'not-the-password' });
      const unknown = await ctx.gateway.post('/api/v3/auth/login', { email: 'nobody@example.com', password: 'not-the-password' });
      for (const result of [wrong, unknown]) {
        expect(result.status).toBe(400);
        expect(result.body).toMatchObject({ statusCode: 400, error: 'BadRequest', message: 'Invalid username or email' });
      }
    });

    it('logs the admin user in with a token that organization routes refuse until an organization is selected', async () => {
      const login = await ctx.gateway.post('/api/v3/auth/login', { email: SEED_REQUEST.email.toUpperCase(), password: SEED_REQUEST.password });
      expect(login.status).toBe(200);
      expect(login.body).toStrictEqual({ accessToken: expect.any(String) });
      const unscoped = ctx.gateway.as(login.body.accessToken);
      expect((await unscoped.get('/api/v1/projects')).status).toBe(401);
      expect((await unscoped.get('/api/v1/admin/user-management/users')).status).toBe(401);

      const selected = await unscoped.post('/api/v3/auth/select-organization', { organizationId: ctx.orgId });
      expect(selected.status).toBe(200);
      userToken = selected.body.token;
      loginTokens.push(login.body.accessToken, userToken);
    });

    it('lets the scoped user token drive projects and admin routes', async () => {
      const user = ctx.gateway.as(userToken);
      expect((await user.post('/api/v2/projects', { projectName: 'From the UI' })).status).toBe(200);
      const users = await user.get('/api/v1/admin/user-management/users?searchTerm=ADMIN@&adminsOnly=true');
      expect(users.status).toBe(200);
      expect(users.body).toStrictEqual({
        users: [{ id: ctx.userId, email: SEED_REQUEST.email, username: SEED_REQUEST.email, firstName: 'Admin', lastName: 'User', superAdmin: true }],
        total: 1,
      });
    });

    it('locks an email out after 5 consecutive failures', async () => {
      for (let i = 0; i < 5; i += 1) {
        expect((await ctx.gateway.post('/api/v3/auth/login', { email: 'locked@example.com', password: `guess-${i}` })).status).toBe(400);
      }
      const sixth = await ctx.gateway.post('/api/v3/auth/login', { email: 'locked@example.com', password: 'guess-6' });
      expect(sixth.status).toBe(429);
      expect(sixth.body).toMatchObject({ statusCode: 429, error: 'RateLimitExceeded' });
    });
  });

  describe('server admin', () => {
    it('shows the public config to anyone and the admin identities only to an instance admin', async () => {
      const anonymous = await ctx.gateway.get('/api/v1/admin/config');
      expect(anonymous.body).toStrictEqual({ config: { initialized: true, allowSignUp: false } });
      const admin = await ctx.root.get('/api/v1/admin/config');
      expect(admin.body).toStrictEqual({ config: { initialized: true, allowSignUp: false, adminIdentityIds: [ctx.identityId] } });
    });

    it('lists identities with their instance-admin flag', async () => {
      const result = await ctx.root.get('/api/v1/admin/identity-management/identities');
      expect(result.status).toBe(200);
      expect(result.body).toStrictEqual({ identities: [{ id: ctx.identityId, name: 'Instance Admin Identity', isInstanceAdmin: true }], total: 1 });
    });

    it('answers 404 for a user that does not exist and 400 for revoking an identity that is not an admin', async () => {
      expect((await ctx.root.delete('/api/v1/admin/user-management/users/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      const plain = await ctx.root.post('/api/v1/identities', { name: 'plain', organizationId: ctx.orgId, role: 'member' });
      const result = await ctx.root.delete(`/api/v1/admin/identity-management/identities/${plain.body.identity.id}/super-admin-access`);
      expect(result.status).toBe(400);
    });

    it('deletes the bootstrap admin user while an admin identity remains; its login then fails', async () => {
      const result = await ctx.root.delete(`/api/v1/admin/user-management/users/${ctx.userId}`);
      expect(result.status).toBe(200);
      expect(result.body).toStrictEqual({
        users: { id: ctx.userId, email: SEED_REQUEST.email, username: SEED_REQUEST.email, firstName: 'Admin', lastName: 'User', superAdmin: true },
      });
      const login = await ctx.gateway.post('/api/v3/auth/login', { email: SEED_REQUEST.email, password: SEED_REQUEST.password });
      expect(login.status).toBe(400);
    });

    it('refuses to revoke the last admin: 400, and the identity stays an admin', async () => {
      const result = await ctx.root.delete(`/api/v1/admin/identity-management/identities/${ctx.identityId}/super-admin-access`);
      expect(result.status).toBe(400);
      expect((await ctx.root.get('/api/v1/admin/identity-management/identities')).status).toBe(200);
    });
  });

  it('never wrote a password or a login token to the database, a log or a stream', async () => {
    const sightings = await findSecrets(ctx.stack, {
      password: SEED_REQUEST.password,
      'wrong password': 'not-the-password',
      'login token': loginTokens[0],
      'organization token': loginTokens[1],
    });
    expect(Object.entries(sightings).filter(([, places]) => places.length > 0)).toEqual([]);
  });
});

describe('Instance admins, users and identities together (end to end)', () => {
  let stack: TestStack;
  let ctx: Awaited<ReturnType<typeof bootstrapOn>>;

  /** Bootstraps (again) on the running stack; the admin user logs in and selects the organization. */
  async function bootstrapOn(target: TestStack) {
    const boot = await bootstrap(target.gatewayUrl);
    expect(boot.status).toBe(200);
    const gateway = new ApiClient(target.gatewayUrl);
    const login = await gateway.post('/api/v3/auth/login', { email: SEED_REQUEST.email, password: SEED_REQUEST.password });
    const selected = await gateway.as(login.body.accessToken).post('/api/v3/auth/select-organization', { organizationId: boot.body.organization.id });
    return {
      root: gateway.as(boot.body.identity.credentials.token),
      user: gateway.as(selected.body.token),
      userId: boot.body.user.id as string,
      identityId: boot.body.identity.id as string,
    };
  }

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_admins' });
  });

  beforeEach(async () => {
    await stack.resetInstance();
    ctx = await bootstrapOn(stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("revokes the identity's instance-admin access: its admin calls are refused, its organization work goes on", async () => {
    const revoked = await ctx.user.delete(`/api/v1/admin/identity-management/identities/${ctx.identityId}/super-admin-access`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toStrictEqual({ identity: { id: ctx.identityId, name: 'Instance Admin Identity' } });
    expect((await ctx.root.get('/api/v1/admin/user-management/users')).status).toBe(403);
    expect((await ctx.root.get('/api/v1/admin/identity-management/identities')).status).toBe(403);
    expect((await ctx.root.get('/api/v1/projects')).status).toBe(200);
    // The user is now the only admin: it cannot remove itself.
    expect((await ctx.user.delete(`/api/v1/admin/user-management/users/${ctx.userId}`)).status).toBe(400);
  });

  it('removes both admins at once: exactly one removal wins, and an admin remains', async () => {
    const [revoke, deletion] = await Promise.all([
      ctx.user.delete(`/api/v1/admin/identity-management/identities/${ctx.identityId}/super-admin-access`),
      ctx.root.delete(`/api/v1/admin/user-management/users/${ctx.userId}`),
    ]);
    // The loser is refused as the last admin (400), or — the user deleted before its own request
    // was authenticated — as a token whose user is gone (401).
    expect([revoke.status, deletion.status].filter((s) => s === 200)).toHaveLength(1);
    expect([400, 401]).toContain([revoke.status, deletion.status].find((s) => s !== 200));
    const [admins] = await stack.db.query<{ users: number; identities: number }>(
      `SELECT (SELECT count(*)::int FROM user_service.users WHERE super_admin) AS users,
              (SELECT count(*)::int FROM identity_service.identities WHERE is_instance_admin) AS identities`,
    );
    expect(admins.users + admins.identities).toBe(1);
  });
});
