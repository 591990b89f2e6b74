import { createHmac, createSecretKey } from 'node:crypto';
import { TOKEN_ISSUER, tokenKeyOf } from '@app/tokens';
import { JwtService } from '@nestjs/jwt';
import { AckPolicy, DeliverPolicy, JSONCodec, NatsConnection } from 'nats';
import { bootstrap, getJson, SEED_REQUEST, TestStack } from '@app/testing';

jest.setTimeout(60_000);

/** Reads every message of the bootstrap stream through a consumer created now, after the fact. */
async function readStream(nc: NatsConnection): Promise<Array<{ subject: string; msgId: string | undefined; data: any }>> {
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  const info = await jsm.consumers.add('BOOTSTRAP_EVENTS', { ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
  const consumer = await nc.jetstream().consumers.get('BOOTSTRAP_EVENTS', info.name);
  const out: Array<{ subject: string; msgId: string | undefined; data: any }> = [];
  const batch = await consumer.fetch({ max_messages: 100, expires: 1_000 });
  for await (const m of batch) {
    out.push({ subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), data: JSONCodec().decode(m.data) });
    m.ack();
  }
  return out;
}

describe('POST /api/v1/admin/bootstrap (end to end)', () => {
  let stack: TestStack;
  let first: Awaited<ReturnType<typeof bootstrap>>;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_bootstrap' });
    first = await bootstrap(stack.gatewayUrl, { ...SEED_REQUEST, email: '  Admin@Example.COM ', domain: 'https://ignored.example' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 200 with exactly the documented fields', () => {
    expect(first.status).toBe(200);
    const uuid = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(first.body).toStrictEqual({
      message: 'Successfully bootstrapped instance',
      user: {
        id: uuid,
        email: 'admin@example.com',
        username: 'admin@example.com',
        firstName: 'Admin',
        lastName: 'User',
        superAdmin: true,
      },
      organization: { id: uuid, name: 'dog', slug: expect.stringMatching(/^dog-[0-9a-z]+(-[0-9a-z]+)*$/) },
      identity: { id: uuid, name: 'Instance Admin Identity', credentials: { token: expect.any(String) } },
    });
  });

  it('sends Server-Timing with one entry per saga step and the total', () => {
    const timing = first.headers.get('server-timing') ?? '';
    const names = timing.split(',').map((entry) => entry.trim().split(';')[0]);
    expect(names).toEqual(['user', 'organization', 'identity', 'membership', 'initialize', 'total']);
    expect(timing).toMatch(/^user;dur=\d+\.\d, .*total;dur=\d+\.\d$/);
  });

  it('returns an HS256 JWT that verifies with the identity-token key derived from AUTH_SECRET and carries the documented claims', () => {
    const token: string = first.body.identity.credentials.token;
    const [header, payload, signature] = token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'identity-access-v1' });
    const key = tokenKeyOf(stack.authSecret, 'identityAccessToken');
    expect(signature).toBe(createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url'));
    // Not with AUTH_SECRET itself, nor with the user-token key.
    expect(signature).not.toBe(createHmac('sha256', Buffer.from(stack.authSecret, 'utf8')).update(`${header}.${payload}`).digest('base64url'));
    expect(signature).not.toBe(createHmac('sha256', tokenKeyOf(stack.authSecret, 'accessToken')).update(`${header}.${payload}`).digest('base64url'));

    const claims = new JwtService({ secret: createSecretKey(key) }).verify(token, { algorithms: ['HS256'], issuer: TOKEN_ISSUER, audience: 'identity-access' });
    expect(claims).toEqual({
      identityId: first.body.identity.id,
      identityAccessTokenId: expect.any(String),
      authTokenType: 'identityAccessToken',
      iat: expect.any(Number),
      jti: claims.identityAccessTokenId,
      exp: claims.iat + 90 * 24 * 3600,
      iss: TOKEN_ISSUER,
      aud: 'identity-access',
    });
  });

  it('stores the records the response names, with the documented roles and flags', async () => {
    const { user, organization, identity } = first.body;
    const [dbUser] = await stack.db.query<any>('SELECT * FROM user_service.users');
    expect(dbUser).toMatchObject({ id: user.id, email: 'admin@example.com', super_admin: true });
    expect(dbUser.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const memberships = await stack.db.query<any>(
      'SELECT user_id, identity_id, role FROM organization_service.org_memberships WHERE org_id = $1 ORDER BY user_id NULLS LAST',
      [organization.id],
    );
    expect(memberships).toEqual([
      { user_id: user.id, identity_id: null, role: 'admin' },
      { user_id: null, identity_id: identity.id, role: 'admin' },
    ]);

    const [dbIdentity] = await stack.db.query<any>('SELECT * FROM identity_service.identities');
    expect(dbIdentity).toMatchObject({ id: identity.id, org_id: organization.id, is_instance_admin: true });
    const tokens = await stack.db.query<any>('SELECT id, name FROM identity_service.identity_access_tokens');
    const claims = JSON.parse(Buffer.from(identity.credentials.token.split('.')[1], 'base64url').toString());
    expect(tokens).toEqual([{ id: claims.identityAccessTokenId, name: 'Instance Admin Token' }]);
    expect(await stack.db.query('SELECT identity_id FROM identity_service.identity_token_auths')).toEqual([{ identity_id: identity.id }]);

    expect(await stack.db.query('SELECT status FROM saga_orchestrator.instance_state')).toEqual([{ status: 'INITIALIZED' }]);
  });

  it('carries the request id as the correlation id: saga record and every service\'s log lines', async () => {
    const reqId = first.headers.get('x-request-id');
    expect(reqId).toMatch(/^req-/);
    expect(await stack.db.query('SELECT correlation_id FROM saga_orchestrator.sagas')).toEqual([{ correlation_id: reqId }]);
    for (const app of ['saga-orchestrator', 'user-service', 'organization-service', 'identity-service'] as const) {
      expect(stack.app(app)[0].logs).toContain(`"correlationId":"${reqId}"`);
    }
  });

  it('refuses a second bootstrap with 400, in the error envelope', async () => {
    const second = await bootstrap(stack.gatewayUrl);
    expect(second.status).toBe(400);
    expect(second.body).toStrictEqual({
      reqId: expect.stringMatching(/^req-/),
      statusCode: 400,
      message: 'Instance has already been set up',
      error: 'BadRequest',
    });
    expect(second.headers.get('x-request-id')).toBe(second.body.reqId);
    expect(await stack.db.query('SELECT count(*)::int AS n FROM user_service.users')).toEqual([{ n: 1 }]);
  });

  it('reports the instance initialized in the public admin config', async () => {
    const config = await getJson(`${stack.gatewayUrl}/api/v1/admin/config`);
    expect(config.status).toBe(200);
    expect(config.body).toStrictEqual({ config: { initialized: true, allowSignUp: false } });
  });

  it('lets a JetStream consumer created afterwards read exactly one completed event, free of secrets', async () => {
    const nc = await stack.natsAs('events-reader');
    try {
      const events = await readStream(nc);
      const completed = events.filter((e) => e.subject === 'bootstrap.evt.completed');
      expect(completed).toHaveLength(1);
      const { sagaId } = completed[0].data;
      expect(completed[0].msgId).toBe(`${sagaId}:completed`);
      expect(completed[0].data).toStrictEqual({
        eventId: expect.any(String),
        sagaId,
        occurredAt: expect.any(String),
        user: { id: first.body.user.id, email: 'admin@example.com', username: 'admin@example.com' },
        organization: first.body.organization,
        identity: { id: first.body.identity.id, name: 'Instance Admin Identity' },
      });
      expect(events.filter((e) => e.subject === 'bootstrap.evt.started').map((e) => e.data.sagaId)).toEqual([sagaId]);

      const everything = JSON.stringify(events);
      expect(everything).not.toContain(SEED_REQUEST.password);
      expect(everything).not.toContain(first.body.identity.credentials.token);
      expect(everything).not.toContain('$argon2');
    } finally {
      await nc.close();
    }
  });

  it('refuses further bootstraps from the gateway\'s memory once it has seen the instance initialized; a keyed one still asks the orchestrator', async () => {
    const [orchestrator] = stack.app('saga-orchestrator');
    // The gateway learns it (again) from the orchestrator's answer, and remembers it for a second.
    expect((await bootstrap(stack.gatewayUrl)).status).toBe(400);
    await orchestrator.kill();
    try {
      const unkeyed = await bootstrap(stack.gatewayUrl);
      expect(unkeyed.status).toBe(400);
      expect(unkeyed.body).toStrictEqual({ reqId: unkeyed.headers.get('x-request-id'), statusCode: 400, message: 'Instance has already been set up', error: 'BadRequest' });
      // A re-claim needs the orchestrator: with it down, the keyed request cannot be answered.
      const keyed = await bootstrap(stack.gatewayUrl, SEED_REQUEST, { 'Idempotency-Key': 'k'.repeat(43) });
      expect(keyed.status).toBe(503);
    } finally {
      await orchestrator.start();
      await stack.waitHealthy();
    }
  });

  it('never writes the password, its hash or the token to any log', async () => {
    const [{ password_hash: hash }] = await stack.db.query<any>('SELECT password_hash FROM user_service.users');
    const logs = stack.allLogs();
    expect(logs).toContain('Bootstrap completed');
    expect(logs).not.toContain(SEED_REQUEST.password);
    expect(logs).not.toContain(hash);
    expect(logs).not.toContain(first.body.identity.credentials.token);
  });
});
