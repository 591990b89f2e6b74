import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { bootstrapWithRetry, CliFailure, instanceStatus } from './http';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/** A fake gateway answering the n-th request with handlers[n] (the last one thereafter); records the headers. */
async function fakeGateway(handlers: Handler[]): Promise<{ url: string; server: Server; requests: IncomingMessage['headers'][] }> {
  const requests: IncomingMessage['headers'][] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push(req.headers);
      const n = requests.length - 1;
      handlers[Math.min(n, handlers.length - 1)](req, res, n);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const json = (status: number, body: unknown): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const drop: Handler = (req) => req.socket.destroy();
const OK = { message: 'Successfully bootstrapped instance', identity: { credentials: { token: 't' } } };
const ALREADY = { statusCode: 400, message: 'Instance has already been set up', error: 'BadRequest' };
const FAST = { attempts: 4, baseDelayMs: 5, timeoutMs: 2_000 };
const BODY = { email: 'a@example.com', password: 'password-1', organization: 'o' };

describe(bootstrapWithRetry.name, () => {
  let gateway: Awaited<ReturnType<typeof fakeGateway>> | undefined;
  afterEach(async () => {
    if (gateway !== undefined) await close(gateway.server);
    gateway = undefined;
  });

  it('retries a dropped connection and a 502/503/504 with the same 43-character key, and the bootstrap key', async () => {
    gateway = await fakeGateway([drop, json(502, {}), json(503, { message: 'x' }), json(200, OK)]);
    const outcome = await bootstrapWithRetry(gateway.url, BODY, { retry: FAST, bootstrapKey: 'the-key' });
    expect(outcome).toMatchObject({ kind: 'success', attempts: 4 });
    const keys = gateway.requests.map((h) => h['idempotency-key']);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(gateway.requests.every((h) => h['x-bootstrap-key'] === 'the-key')).toBe(true);
  });

  it('does not retry a refusal: 400, 401, 422, or 409 on a first attempt', async () => {
    for (const [status, body] of [[422, { message: [{ message: 'bad' }] }], [401, { message: 'no' }], [409, { message: 'busy' }]] as const) {
      gateway = await fakeGateway([json(status, body)]);
      await expect(bootstrapWithRetry(gateway.url, BODY, { retry: FAST })).rejects.toThrow(CliFailure);
      expect(gateway.requests).toHaveLength(1);
      await close(gateway.server);
      gateway = undefined;
    }
  });

  it('reports "already set up" as such on a first attempt', async () => {
    gateway = await fakeGateway([json(400, ALREADY)]);
    expect(await bootstrapWithRetry(gateway.url, BODY, { retry: FAST })).toEqual({ kind: 'already-set-up' });
  });

  it('fails (never "already set up") when a repeat after a lost response is refused: this run may own the instance', async () => {
    gateway = await fakeGateway([drop, json(400, ALREADY)]);
    await expect(bootstrapWithRetry(gateway.url, BODY, { retry: FAST })).rejects.toThrow(/earlier attempt of this run lost its response/);
  });

  it('waits out a 409 while its own earlier attempt may still run', async () => {
    gateway = await fakeGateway([drop, json(409, { message: 'Instance bootstrap is already in progress' }), json(200, OK)]);
    expect(await bootstrapWithRetry(gateway.url, BODY, { retry: FAST })).toMatchObject({ kind: 'success', attempts: 3 });
  });

  it('gives up after the attempts, with exit-1 failure', async () => {
    gateway = await fakeGateway([drop]);
    await expect(bootstrapWithRetry(gateway.url, BODY, { retry: FAST })).rejects.toThrow(/failed after 4 attempts/);
    expect(gateway.requests).toHaveLength(4);
  });
});

describe(instanceStatus.name, () => {
  it('reads config.initialized, and fails on anything else', async () => {
    const gateway = await fakeGateway([json(200, { config: { initialized: false } }), json(200, { nope: 1 }), json(500, { message: 'boom' })]);
    try {
      expect(await instanceStatus(gateway.url)).toEqual({ initialized: false });
      await expect(instanceStatus(gateway.url)).rejects.toThrow(/without config.initialized/);
      await expect(instanceStatus(gateway.url)).rejects.toThrow(/500: boom/);
    } finally {
      await close(gateway.server);
    }
  });
});
