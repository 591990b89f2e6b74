import { createHash, createHmac, randomBytes } from 'node:crypto';
import { NatsConnection } from 'nats';
import { ApiClient, authenticateOnBus, bootstrap, findSecrets, SEED_REQUEST, TestStack, waitFor } from '@app/testing';

jest.setTimeout(90_000);

const RECLAIM_WINDOW_S = 8;
/** A key that can re-claim: 32 random bytes, 43 base64url characters. */
const KEY = randomBytes(32).toString('base64url');
/** A valid Idempotency-Key, but too short (and not base64url) to re-claim. */
const SHORT_KEY = 'ci-job-4711:bootstrap';
const WRONG_PASSWORD = { ...SEED_REQUEST, password: 'not-the-password' };


describe('Re-claiming the root credential, and secret hygiene (end to end)', () => {
  let stack: TestStack;
  let nc: NatsConnection;
  let first: Awaited<ReturnType<typeof bootstrap>>;
  let second: Awaited<ReturnType<typeof bootstrap>>;
  const tokens: string[] = [];

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_reclaim', env: { BOOTSTRAP_RECLAIM_WINDOW: `${RECLAIM_WINDOW_S}s` } });
    // The gateway's NATS user: the one that sends identity.cmd.authenticate for every request.
    nc = await stack.natsAs('api-gateway');
    first = await bootstrap(stack.gatewayUrl, SEED_REQUEST, { 'Idempotency-Key': KEY });
    second = await bootstrap(stack.gatewayUrl, SEED_REQUEST, { 'Idempotency-Key': KEY });
    tokens.push(first.body.identity.credentials.token, second.body.identity.credentials.token);
  });

  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  });

  it('answers the same request with the same key 200 again, with the same ids and a fresh token', () => {
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const { credentials: _a, ...firstIdentity } = first.body.identity;
    const { credentials: _b, ...secondIdentity } = second.body.identity;
    expect({ ...second.body, identity: secondIdentity }).toStrictEqual({ ...first.body, identity: firstIdentity });
    expect(tokens[1]).not.toBe(tokens[0]);
  });

  it('revokes the token handed out before, and the fresh one works', async () => {
    expect(await authenticateOnBus(nc, tokens[0])).toEqual({ ok: false, code: 'TOKEN.REVOKED' });
    expect(await authenticateOnBus(nc, tokens[1])).toEqual({ ok: true });
  });

  it.each([
    ['a wrong password', WRONG_PASSWORD, { 'Idempotency-Key': KEY }],
    ['another key', SEED_REQUEST, { 'Idempotency-Key': randomBytes(32).toString('base64url') }],
    ['a short key', SEED_REQUEST, { 'Idempotency-Key': SHORT_KEY }],
    ['no key', SEED_REQUEST, {}],
    ['another email', { ...SEED_REQUEST, email: 'someone@example.com' }, { 'Idempotency-Key': KEY }],
  ])('answers any other repeat (%s) 400 and revokes nothing', async (_case, body, headers) => {
    const result = await bootstrap(stack.gatewayUrl, body, headers as Record<string, string>);
    expect(result.status).toBe(400);
    expect(result.body.message).toBe('Instance has already been set up');
    expect(await authenticateOnBus(nc, tokens[1])).toEqual({ ok: true });
  });

  it('stores no token: only token records, and the key only as a hash', async () => {
    const records = await stack.db.query<{ revoked: boolean }>(
      'SELECT revoked_at IS NOT NULL AS revoked FROM identity_service.identity_access_tokens ORDER BY created_at',
    );
    expect(records).toEqual([{ revoked: true }, { revoked: false }]);
  });

  it("keeps the key as HMAC-SHA256 under the orchestrator's secret, not as sha256(key)", async () => {
    const [{ digest }] = await stack.db.query<{ digest: string }>(`SELECT data->>'idempotencyKeyDigest' AS digest FROM saga_orchestrator.sagas`);
    expect(digest).not.toBe(createHash('sha256').update(KEY).digest('hex'));
    expect(digest).toBe(createHmac('sha256', stack.reclaimSecret).update(KEY).digest('hex'));
  });

  it('after 5 wrong-password re-claims refuses the right one too (the login lockout, shared with login), revoking nothing', async () => {
    for (let i = 0; i < 5; i++) {
      const wrong = await bootstrap(stack.gatewayUrl, WRONG_PASSWORD, { 'Idempotency-Key': KEY });
      expect({ status: wrong.status, message: wrong.body.message }).toEqual({ status: 400, message: 'Instance has already been set up' });
    }
    const right = await bootstrap(stack.gatewayUrl, SEED_REQUEST, { 'Idempotency-Key': KEY });
    expect({ status: right.status, message: right.body.message }).toEqual({ status: 400, message: 'Instance has already been set up' });
    // Refused by the lockout (not by the window): the orchestrator says so, and login is locked too.
    await waitFor('the lockout logged', async () => (stack.allLogs().includes('the admin account is locked out') ? true : undefined));
    const login = await new ApiClient(stack.gatewayUrl).post('/api/v3/auth/login', { email: SEED_REQUEST.email, password: SEED_REQUEST.password });
    expect(login.status).toBe(429);
    expect(await authenticateOnBus(nc, tokens[1])).toEqual({ ok: true });
    // Lift the lock, as its 5 minutes passing would, so the next test refuses for the window alone.
    await stack.db.query('DELETE FROM user_service.login_attempts');
  });

  it('refuses a re-claim once the window has passed', async () => {
    await new Promise((r) => setTimeout(r, RECLAIM_WINDOW_S * 1000));
    const late = await bootstrap(stack.gatewayUrl, SEED_REQUEST, { 'Idempotency-Key': KEY });
    expect(late.status).toBe(400);
    expect(await authenticateOnBus(nc, tokens[1])).toEqual({ ok: true });
  });

  it('never puts the password, its hash, a token or the key into the database, any log or any stream', async () => {
    // Let the outbox publish whatever it still holds.
    await waitFor('every final event published', async () => {
      const [{ n }] = await stack.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM saga_orchestrator.sagas WHERE event_published_at IS NULL AND state IN ('COMPLETED', 'COMPENSATED')`,
      );
      return n === 0 ? true : undefined;
    });
    const [{ password_hash: hash }] = await stack.db.query<{ password_hash: string }>('SELECT password_hash FROM user_service.users');
    expect(stack.allLogs()).toContain('Root credential re-claimed');

    const sightings = await findSecrets(stack, {
      password: SEED_REQUEST.password,
      firstToken: tokens[0],
      secondToken: tokens[1],
      idempotencyKey: KEY,
      hash,
    });
    // The hash lives in its own column and nowhere else.
    expect(sightings).toEqual({ password: [], firstToken: [], secondToken: [], idempotencyKey: [], hash: ['database'] });
    const [{ n }] = await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM user_service.users WHERE password_hash = $1`, [hash]);
    expect(n).toBe(1);
  });

  describe('with a key too short to re-claim', () => {
    let short: Awaited<ReturnType<typeof bootstrap>>;

    beforeAll(async () => {
      await stack.resetInstance();
      short = await bootstrap(stack.gatewayUrl, SEED_REQUEST, { 'Idempotency-Key': SHORT_KEY });
    });

    it('bootstraps as usual', () => {
      expect(short.status).toBe(200);
      expect(short.body.identity.credentials.token).toEqual(expect.any(String));
    });

    it('keeps nothing of the key', async () => {
      expect(await stack.db.query(`SELECT data ? 'idempotencyKeyDigest' AS kept FROM saga_orchestrator.sagas`)).toEqual([{ kept: false }]);
    });

    it('never re-claims: the same request answers 400, and the token stays valid', async () => {
      const repeat = await bootstrap(stack.gatewayUrl, SEED_REQUEST, { 'Idempotency-Key': SHORT_KEY });
      expect({ status: repeat.status, message: repeat.body.message }).toEqual({ status: 400, message: 'Instance has already been set up' });
      expect(await authenticateOnBus(nc, short.body.identity.credentials.token)).toEqual({ ok: true });
    });
  });
});
