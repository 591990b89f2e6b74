import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { JSONCodec } from 'nats';
import { bootstrap, getJson, SEED_REQUEST, TestStack, waitFor } from '@app/testing';
import { REQUEST_TIMEOUT_MS } from '../../apps/api-gateway/src/http/fastify-adapter';
import { fetchExchange, rawExchange } from './http-exchange';
import { MALFORMED_REQUESTS, PASSWORD_MARK } from './malformed-requests';

jest.setTimeout(60_000);

const ENVELOPE_KEYS = ['error', 'message', 'reqId', 'statusCode'];
/** Stack frames, paths, SQL, framework and parser codes, hosts: nothing of the inside shows in an answer. */
const INTERNALS = /at .+\.[jt]s:\d+|node_modules|\/work\/|dist\/apps|SELECT |INSERT |FST_|HPE_|ECONN|postgres|nats:\/\/|127\.0\.0\.1/;
const BOOTSTRAP_KEY = 'e2e-bootstrap-key-of-32-chars-ok';

const distinctIssuePaths = (issues: Array<{ path: string[] }>) => [...new Set(issues.map((i) => i.path.join('.')))];

/** Counts rows that any bootstrap, even a refused or rolled-back one, would have left. */
async function writesIn(stack: TestStack): Promise<Record<string, number>> {
  const tables = ['user_service.users', 'organization_service.organizations', 'identity_service.identities', 'saga_orchestrator.sagas'];
  const counts = await Promise.all(tables.map(async (t) => (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`))[0].n));
  return Object.fromEntries(tables.map((t, i) => [t, counts[i]]));
}
const NO_WRITES = {
  'user_service.users': 0,
  'organization_service.organizations': 0,
  'identity_service.identities': 0,
  'saga_orchestrator.sagas': 0,
};

describe('HTTP contract of the gateway (end to end)', () => {
  let stack: TestStack;
  let url: string;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_http' });
    url = `${stack.gatewayUrl}/api/v1/admin/bootstrap`;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const post = (body: string, contentType = 'application/json') =>
    fetchExchange(url, { method: 'POST', headers: { 'content-type': contentType }, body });

  /** A JSON body of exactly `bytes` bytes. */
  const bodyOfSize = (bytes: number) => {
    const base = JSON.stringify({ ...SEED_REQUEST, pad: '' });
    return base.replace('"pad":""', `"pad":"${'x'.repeat(bytes - base.length)}"`);
  };

  describe('malformed requests', () => {
    it('number at least 40', () => {
      expect(MALFORMED_REQUESTS.length).toBeGreaterThanOrEqual(40);
    });

    it.each(MALFORMED_REQUESTS.map((c) => [c.name, c] as const))('%s: the documented 4xx in the envelope', async (_name, c) => {
      const result = await c.send({ baseUrl: stack.gatewayUrl, port: stack.gatewayPorts[0] });
      expect({ status: result.status, error: result.body?.error }).toEqual({ status: c.status, error: c.error });
      expect(Object.keys(result.body).sort()).toEqual(ENVELOPE_KEYS);
      expect(result.body).toMatchObject({ statusCode: c.status, reqId: expect.stringMatching(/^req-[\w-]{16}$/) });
      expect(result.headers['x-request-id']).toBe(result.body.reqId);
      if (c.message !== undefined) expect(result.body.message).toBe(c.message);
      if (c.issues !== undefined) expect(distinctIssuePaths(result.body.message)).toEqual(c.issues);
      expect(result.text).not.toMatch(INTERNALS);
      expect(result.text).not.toContain(PASSWORD_MARK);
    });

    it('left the instance uninitialized', async () => {
      expect((await getJson(`${stack.gatewayUrl}/api/v1/admin/config`)).body).toStrictEqual({
        config: { initialized: false, allowSignUp: false },
      });
      expect(await stack.db.query('SELECT status FROM saga_orchestrator.instance_state')).toEqual([{ status: 'UNINITIALIZED' }]);
    });

    it('wrote nothing: no user, organization, identity or saga', async () => {
      expect(await writesIn(stack)).toEqual(NO_WRITES);
    });
  });

  it('answers 422 with an array of { message, path } issues', async () => {
    const result = await post(JSON.stringify({ email: 'nope', password: 'short', organization: '', domain: 'x' }));
    expect(result.status).toBe(422);
    expect(result.body.message).toEqual([
      { message: 'Email must be a valid email address', path: ['email'] },
      { message: 'Password must be at least 8 characters', path: ['password'] },
      { message: 'Organization must not be empty', path: ['organization'] },
    ]);
  });

  it('never echoes the submitted password in an error', async () => {
    const secret = 'hunter2-but-longer-and-secret';
    const results = await Promise.all([
      post(JSON.stringify({ email: 'bad', password: secret, organization: '' })),
      post(`{"password":"${secret}",`),
    ]);
    for (const r of results) expect(r.text).not.toContain(secret);
  });

  it('accepts a body of exactly 64 KiB (it is validated, not refused for size)', async () => {
    const result = await post(bodyOfSize(64 * 1024).replace('admin@example.com', 'not-an-email'));
    expect(result.status).toBe(422);
  });

  it('answers GET /api/status with Ok', async () => {
    const result = await getJson(`${stack.gatewayUrl}/api/status`);
    expect(result.status).toBe(200);
    expect(result.body).toStrictEqual({ date: expect.any(String), message: 'Ok' });
  });

  it('reports every dependency up on GET /api/health', async () => {
    const result = await getJson(`${stack.gatewayUrl}/api/health`);
    expect(result.status).toBe(200);
    expect(result.body).toStrictEqual({
      message: 'Ok',
      dependencies: {
        nats: 'up',
        'saga-orchestrator': 'up',
        'user-service': 'up',
        'organization-service': 'up',
        'identity-service': 'up',
      },
    });
  });

  it('answers GET /api/health with 503 naming a stopped service, and 200 once it is back', async () => {
    const [userService] = stack.app('user-service');
    await userService.stop();
    try {
      // Health answers from a result up to about a second old.
      const down = await waitFor('/api/health to see user-service down', async () => {
        const health = await getJson(`${stack.gatewayUrl}/api/health`);
        return health.status === 503 ? health : undefined;
      }, { timeoutMs: 5_000, intervalMs: 200 });
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({
        statusCode: 503,
        error: 'ServiceUnavailable',
        message: 'Unavailable: user-service',
        dependencies: { nats: 'up', 'user-service': 'down', 'identity-service': 'up' },
      });
    } finally {
      await userService.start();
    }
    await stack.waitHealthy();
  });

  describe('OpenAPI', () => {
    let doc: any;

    beforeAll(async () => {
      doc = (await getJson(`${stack.gatewayUrl}/api/docs/json`)).body;
    });

    it('serves Swagger UI', async () => {
      const ui = await fetchExchange(`${stack.gatewayUrl}/api/docs`);
      expect(ui.status).toBe(200);
      expect(ui.headers['content-type']).toContain('text/html');
    });

    it('serves an OpenAPI 3 document of the routes', () => {
      expect(doc.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/health', '/api/status', '/api/v1/admin/bootstrap', '/api/v1/admin/config', '/api/v2/projects', '/api/v3/auth/login']),
      );
    });

    it("documents bootstrap's body and answers", () => {
      const op = doc.paths['/api/v1/admin/bootstrap'].post;
      expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '409', '422', '429', '503']);
      expect(op.requestBody.content['application/json'].schema.required).toEqual(['email', 'password', 'organization']);
    });

    it("documents bootstrap's optional X-Bootstrap-Key and Idempotency-Key headers", () => {
      const headers = doc.paths['/api/v1/admin/bootstrap'].post.parameters.filter((p: { in: string }) => p.in === 'header');
      expect(headers).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'X-Bootstrap-Key', required: false }),
          expect.objectContaining({
            name: 'Idempotency-Key',
            required: false,
            schema: expect.objectContaining({ type: 'string', pattern: '^[\\x20-\\x7e]{1,128}$' }),
          }),
        ]),
      );
    });
  });

  it('answers a request whose body stalls with 408 in the envelope once the request timeout is up', async () => {
    // Headers and the start of a body that announces more, then nothing: a slow-loris body.
    const head = `POST /api/v1/admin/bootstrap HTTP/1.1\r\nHost: gateway\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n`;
    const started = performance.now();
    const result = await rawExchange(stack.gatewayPorts[0], `${head}{"email":"adm`, { timeoutMs: REQUEST_TIMEOUT_MS + 5_000 });
    const elapsed = performance.now() - started;

    expect(result.status).toBe(408);
    expect(result.body).toStrictEqual({
      reqId: expect.stringMatching(/^req-[\w-]{16}$/),
      statusCode: 408,
      message: 'Request was not received in time',
      error: 'RequestTimeout',
    });
    expect(result.headers['x-request-id']).toBe(result.body.reqId);
    expect(result.headers.connection).toBe('close');
    // Node checks the limit every second.
    expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
  });

  it('still bootstraps after all of the above', async () => {
    expect((await bootstrap(stack.gatewayUrl)).status).toBe(200);
  });
});

describe('BOOTSTRAP_KEY guard (end to end)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_http_key', env: { BOOTSTRAP_KEY } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const refusal = (message: string) => ({ reqId: expect.stringMatching(/^req-/), statusCode: 401, error: 'UnauthorizedError', message });

  it('answers a bootstrap without X-Bootstrap-Key with 401 UnauthorizedError', async () => {
    const result = await bootstrap(stack.gatewayUrl);
    expect(result.status).toBe(401);
    expect(result.body).toStrictEqual(refusal('X-Bootstrap-Key header is required'));
    expect(result.headers.get('x-request-id')).toBe(result.body.reqId);
  });

  it.each([
    ['of the same length', BOOTSTRAP_KEY.replace(/.$/, '?')],
    ['shorter', BOOTSTRAP_KEY.slice(0, 16)],
    ['longer', `${BOOTSTRAP_KEY}-and-more`],
  ])('answers a wrong key %s with 401 UnauthorizedError, the same shape', async (_what, key) => {
    const result = await bootstrap(stack.gatewayUrl, SEED_REQUEST, { 'x-bootstrap-key': key });
    expect(result.status).toBe(401);
    expect(result.body).toStrictEqual(refusal('X-Bootstrap-Key is not valid'));
  });

  it('answers 401 before looking at the body', async () => {
    const result = await bootstrap(stack.gatewayUrl, { email: 'nope' }, { 'x-bootstrap-key': 'wrong-key-wrong-key' });
    expect(result.status).toBe(401);
  });

  it("is checked by the orchestrator too: the gateway's NATS user alone cannot skip it", async () => {
    const nc = await stack.natsAs('api-gateway');
    try {
      const send = async (data: object) => {
        const reply = await nc.request(
          'bootstrap.cmd.start',
          JSONCodec().encode({ pattern: 'bootstrap.cmd.start', id: randomUUID(), data: { ...SEED_REQUEST, ...data } }),
          { timeout: 5_000 },
        );
        return (JSONCodec().decode(reply.data) as { err?: { code: string } }).err?.code;
      };
      expect(await send({})).toBe('BOOTSTRAP.KEY_INVALID');
      expect(await send({ bootstrapKey: Buffer.from(BOOTSTRAP_KEY.slice(0, 16)).toString('base64') })).toBe('BOOTSTRAP.KEY_INVALID');
    } finally {
      await nc.close();
    }
  });

  it('leaves the instance uninitialized after refused keys', async () => {
    expect((await getJson(`${stack.gatewayUrl}/api/v1/admin/config`)).body.config.initialized).toBe(false);
    expect(await writesIn(stack)).toEqual(NO_WRITES);
  });

  it('bootstraps with the right key', async () => {
    const result = await bootstrap(stack.gatewayUrl, SEED_REQUEST, { 'x-bootstrap-key': BOOTSTRAP_KEY });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ message: 'Successfully bootstrapped instance', user: { email: SEED_REQUEST.email } });
  });

  it('never logs the key', () => {
    expect(stack.allLogs()).not.toContain(BOOTSTRAP_KEY);
  });
});
