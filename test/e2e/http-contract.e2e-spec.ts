import { bootstrap, getJson, SEED_REQUEST, TestStack } from '@app/testing';

jest.setTimeout(60_000);

const ENVELOPE_KEYS = ['error', 'message', 'reqId', 'statusCode'];

async function raw(url: string, init: RequestInit): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

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
    raw(url, { method: 'POST', headers: { 'content-type': contentType }, body });

  /** A JSON body of exactly `bytes` bytes. */
  const bodyOfSize = (bytes: number) => {
    const base = JSON.stringify({ ...SEED_REQUEST, pad: '' });
    return base.replace('"pad":""', `"pad":"${'x'.repeat(bytes - base.length)}"`);
  };

  const cases: Array<[string, () => ReturnType<typeof post>, number, string]> = [
    ['malformed JSON', () => post('{"email":'), 400, 'BadRequest'],
    ['a body over 64 KiB', () => post(bodyOfSize(64 * 1024 + 1)), 413, 'PayloadTooLarge'],
    ['text/plain', () => post(JSON.stringify(SEED_REQUEST), 'text/plain'), 415, 'UnsupportedMediaType'],
    ['form encoding', () => post('email=a', 'application/x-www-form-urlencoded'), 415, 'UnsupportedMediaType'],
    ['a JSON array', () => post('[]'), 422, 'ValidationFailure'],
    ['an empty object', () => post('{}'), 422, 'ValidationFailure'],
    ['a bad email', () => post(JSON.stringify({ ...SEED_REQUEST, email: 'not-an-email' })), 422, 'ValidationFailure'],
    ['a 7-character password', () => post(JSON.stringify({ ...SEED_REQUEST, password: '1234567' })), 422, 'ValidationFailure'],
    ['a __proto__ key', () => post('{"__proto__":{"x":1}}'), 400, 'BadRequest'],
  ];

  it.each(cases)('answers %s with the documented status in the envelope', async (_name, send, status, error) => {
    const result = await send();
    expect(result.status).toBe(status);
    expect(Object.keys(result.body).sort()).toEqual(ENVELOPE_KEYS);
    expect(result.body).toMatchObject({ statusCode: status, error, reqId: expect.stringMatching(/^req-/) });
    expect(result.headers.get('x-request-id')).toBe(result.body.reqId);
    expect(result.text).not.toMatch(/at .+\.js:\d+|node_modules|SELECT |INSERT /);
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

  it('answers an unknown route with 404 NotFound in the envelope', async () => {
    const result = await raw(`${stack.gatewayUrl}/api/v1/nothing-here`, {});
    expect(result.status).toBe(404);
    expect(result.body).toMatchObject({ statusCode: 404, error: 'NotFound' });
    expect(result.headers.get('x-request-id')).toBe(result.body.reqId);
  });

  it('has written nothing after all the refused requests', async () => {
    expect((await getJson(`${stack.gatewayUrl}/api/v1/admin/config`)).body).toStrictEqual({
      config: { initialized: false, allowSignUp: false },
    });
    expect(await stack.db.query('SELECT count(*)::int AS n FROM user_service.users')).toEqual([{ n: 0 }]);
    expect(await stack.db.query('SELECT count(*)::int AS n FROM saga_orchestrator.sagas')).toEqual([{ n: 0 }]);
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
      const down = await getJson(`${stack.gatewayUrl}/api/health`);
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

  it('serves Swagger UI and an OpenAPI 3 document of the routes', async () => {
    const ui = await raw(`${stack.gatewayUrl}/api/docs`, {});
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');

    const doc = await getJson(`${stack.gatewayUrl}/api/docs/json`);
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths).sort()).toEqual(['/api/health', '/api/status', '/api/v1/admin/bootstrap', '/api/v1/admin/config']);
    const post = doc.body.paths['/api/v1/admin/bootstrap'].post;
    expect(Object.keys(post.responses).sort()).toEqual(['200', '400', '409', '422', '503']);
    expect(post.requestBody.content['application/json'].schema.required).toEqual(['email', 'password', 'organization']);
  });

  it('still bootstraps after all of the above', async () => {
    expect((await bootstrap(stack.gatewayUrl)).status).toBe(200);
  });
});
