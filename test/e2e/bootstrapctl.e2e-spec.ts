import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsConnection } from 'nats';
import { parse } from 'yaml';
import { authenticateOnBus, freePort, getJson, REPO_ROOT, SEED_REQUEST, TestStack, waitFor } from '@app/testing';

jest.setTimeout(120_000);

const BIN = join(REPO_ROOT, 'bin', 'bootstrapctl.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** bootstrapctl as a child process of the built file, with only the environment given (no inherited NATS_* or INFISICAL_*). */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}


const SEED_FLAGS = ['--email', SEED_REQUEST.email, '--password', SEED_REQUEST.password, '--organization', SEED_REQUEST.organization];

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * An HTTP proxy in front of the gateway that forwards the first request, lets the gateway answer
 * it in full, and then closes the client's connection without a response; later requests pass.
 */
async function droppingProxy(target: string, dropFirst = true, port?: number): Promise<{ url: string; server: Server; seen: Array<{ key?: string; status: number; token?: string }> }> {
  const seen: Array<{ key?: string; status: number; token?: string }> = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length', 'keep-alive'].includes(name)) headers[name] = value;
    }
    const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
    const text = await upstream.text();
    let token: string | undefined;
    try {
      token = JSON.parse(text)?.identity?.credentials?.token;
    } catch {
      token = undefined;
    }
    seen.push({ key: req.headers['idempotency-key'] as string | undefined, status: upstream.status, token });
    if (dropFirst && seen.length === 1) {
      req.socket.destroy(); // the response is lost on the way
      return;
    }
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(text);
  });
  const listenOn = port ?? (await freePort());
  await new Promise<void>((resolve) => server.listen(listenOn, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${listenOn}`, server, seen };
}

describe('bootstrapctl (end to end, the built CLI against the running system)', () => {
  let stack: TestStack;
  let nc: NatsConnection;
  const dir = mkdtempSync(join(tmpdir(), 'bootstrapctl-e2e-'));

  const initialized = async () => (await getJson(`${stack.gatewayUrl}/api/v1/admin/config`)).body.config.initialized as boolean;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_bootstrapctl' });
    nc = await stack.natsAs('api-gateway');
  });

  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  });

  it('prints --help for every command, with the exit codes, and never a password', async () => {
    for (const args of [['--help'], ['bootstrap', '--help'], ['status', '--help'], ['events', '--help']]) {
      const run = await cli(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Exit codes:[\s\S]*2 {2}usage/);
    }
    const bootstrapHelp = (await cli(['bootstrap', '--help'])).stdout;
    for (const flag of ['--domain', '--email', '--password', '--organization', '--output', '--k8-secret-name', '--k8-secret-namespace', '--out', '--ignore-if-bootstrapped', '--bootstrap-key', 'INFISICAL_ADMIN_PASSWORD_FILE']) {
      expect(bootstrapHelp).toContain(flag);
    }
  });

  it('status: exit 3 and "not initialized" on a fresh instance', async () => {
    const run = await cli(['status', '--domain', stack.gatewayUrl]);
    expect(run).toMatchObject({ code: 3, stdout: 'not initialized\n' });
  });

  it.each<[string, string[]]>([
    ['no domain (there is no default)', SEED_FLAGS],
    ['a bad URL', ['--domain', 'not a url', ...SEED_FLAGS]],
    ['a bad email', ['--email', 'nope', '--password', SEED_REQUEST.password, '--organization', 'dog']],
    ['an empty organization', ['--email', SEED_REQUEST.email, '--password', SEED_REQUEST.password, '--organization', ' ']],
    ['a short password', ['--email', SEED_REQUEST.email, '--password', 'short', '--organization', 'dog']],
    ['a missing password', ['--email', SEED_REQUEST.email, '--organization', 'dog']],
    ['an unknown output', [...SEED_FLAGS, '--output', 'yaml']],
    ['k8 flags without k8-secret output', [...SEED_FLAGS, '--k8-secret-name', 'x']],
    ['an unwritable --out directory', [...SEED_FLAGS, '--out', '/nonexistent-dir/token']],
    ['an unknown flag', [...SEED_FLAGS, '--frobnicate']],
    ['a flag without its value', [...SEED_FLAGS, '--output']],
  ])('bootstrap: exit 2 for %s, and nothing is sent', async (name, flags) => {
    const domain = name.startsWith('no domain') || flags.includes('--domain') ? [] : ['--domain', stack.gatewayUrl];
    const run = await cli(['bootstrap', ...domain, ...flags]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toContain(SEED_REQUEST.password);
    expect(await initialized()).toBe(false);
  });

  it('bootstrap --output json (the default): the response on stdout, with a working token; never the password', async () => {
    const run = await cli(['bootstrap', '--domain', stack.gatewayUrl, ...SEED_FLAGS]);
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout);
    expect(body).toMatchObject({ message: 'Successfully bootstrapped instance', user: { email: SEED_REQUEST.email }, organization: { name: 'dog' } });
    expect(await authenticateOnBus(nc, body.identity.credentials.token)).toEqual({ ok: true });
    expect(run.stdout + run.stderr).not.toContain(SEED_REQUEST.password);
  });

  it('status: exit 0 and "initialized" once bootstrapped; exit 1 when the gateway is unreachable', async () => {
    expect(await cli(['status', '--domain', stack.gatewayUrl])).toMatchObject({ code: 0, stdout: 'initialized\n' });
    const unreachable = await cli(['status', '--domain', `http://127.0.0.1:${await freePort()}`]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/connection .* failed/);
  });

  it('status --wait: waits for the gateway, then answers', async () => {
    expect(await cli(['status', '--domain', stack.gatewayUrl, '--wait', '5'])).toMatchObject({ code: 0, stdout: 'initialized\n' });
    const gone = await cli(['status', '--domain', `http://127.0.0.1:${await freePort()}`, '--wait', '1']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/did not answer within 1s/);
  });

  it('a second bootstrap without --ignore-if-bootstrapped: exit 1, "Instance has already been set up"', async () => {
    const run = await cli(['bootstrap', '--domain', stack.gatewayUrl, ...SEED_FLAGS]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Instance has already been set up');
  });

  it('--ignore-if-bootstrapped: exit 0 with a message on an initialized instance, exit 1 when the gateway is unreachable', async () => {
    const ignored = await cli(['bootstrap', '--domain', stack.gatewayUrl, ...SEED_FLAGS, '--ignore-if-bootstrapped']);
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toBe('');
    expect(ignored.stderr).toMatch(/Instance has already been set up: nothing to do/);

    const unreachable = await cli(['bootstrap', '--domain', `http://127.0.0.1:${await freePort()}`, ...SEED_FLAGS, '--ignore-if-bootstrapped', '--retries', '1']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/failed after 2 attempts/);
  });

  it('events: the started and completed events as JSON lines, read as the events-reader user', async () => {
    const run = await cli(['events', '--nats', stack.nats.url], stack.nats.credentials('events-reader'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const started = lines.find((l) => l.subject === 'bootstrap.evt.started');
    const completed = lines.find((l) => l.subject === 'bootstrap.evt.completed');
    expect(started).toMatchObject({ sagaId: expect.any(String), eventId: expect.any(String) });
    expect(completed).toMatchObject({ sagaId: started.sagaId, organization: { name: 'dog' }, user: { email: SEED_REQUEST.email } });
    expect(run.stdout).not.toContain(SEED_REQUEST.password);
  });

  it('status --wait: waits for a gateway that comes up later', async () => {
    const port = await freePort();
    const running = cli(['status', '--domain', `http://127.0.0.1:${port}`, '--wait', '20']);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const late = await droppingProxy(stack.gatewayUrl, false, port);
    try {
      const run = await running;
      expect(run).toMatchObject({ code: 0, stdout: 'initialized\n' });
      expect(run.stderr).toMatch(/waiting up to 20s/);
    } finally {
      await new Promise((resolve) => late.server.close(resolve));
    }
  });

  it('events --follow: prints the stream, then new events as they come, until SIGTERM (exit 0)', async () => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'events', '--follow', '--nats', stack.nats.url], {
      env: { PATH: process.env.PATH ?? '', ...stack.nats.credentials('events-reader') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const completedCount = () => stdout.split('\n').filter((line) => line.includes('"bootstrap.evt.completed"')).length;
    try {
      await waitFor('the existing events', async () => (completedCount() >= 1 ? true : undefined), { timeoutMs: 10_000, intervalMs: 100 });
      const before = completedCount();
      await stack.resetInstance();
      const run = await cli(['bootstrap', '--domain', stack.gatewayUrl, ...SEED_FLAGS]);
      expect(run.code).toBe(0);
      await waitFor('the new completed event', async () => (completedCount() > before ? true : undefined), { timeoutMs: 10_000, intervalMs: 100 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('events: exit 1 without credentials on the secured server, exit 2 without --nats', async () => {
    expect((await cli(['events', '--nats', stack.nats.url])).code).toBe(1);
    expect((await cli(['events'])).code).toBe(2);
  });

  it('bootstrap --output env from the environment only (INFISICAL_API_URL, *_PASSWORD_FILE) to an existing --out file: mode 0600', async () => {
    await stack.resetInstance();
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, `${SEED_REQUEST.password}\n`);
    const out = join(dir, 'token.env');
    writeFileSync(out, 'old content\n');
    chmodSync(out, 0o644);
    const run = await cli(['bootstrap', '--output', 'env', '--out', out], {
      INFISICAL_API_URL: `${stack.gatewayUrl}/api`,
      INFISICAL_ADMIN_EMAIL: SEED_REQUEST.email,
      INFISICAL_ADMIN_PASSWORD_FILE: passwordFile,
      INFISICAL_ADMIN_ORGANIZATION: SEED_REQUEST.organization,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = readFileSync(out, 'utf8');
    const token = /^INFISICAL_TOKEN=(\S+)$/m.exec(text)?.[1];
    expect(token).toBeDefined();
    expect(await authenticateOnBus(nc, token!)).toEqual({ ok: true });
  });

  it('bootstrap --output env to a new --out file: mode 0600', async () => {
    await stack.resetInstance();
    const out = join(dir, 'new-token.env');
    const run = await cli(['bootstrap', '--output', 'env', '--out', out, ...SEED_FLAGS], { INFISICAL_DOMAIN: stack.gatewayUrl });
    expect(run.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toMatch(/^INFISICAL_TOKEN=\S+\n/);
  });

  it('bootstrap --output k8-secret: a Secret manifest whose stringData.token works (no double base64)', async () => {
    await stack.resetInstance();
    const run = await cli(['bootstrap', '--domain', stack.gatewayUrl, ...SEED_FLAGS, '--output', 'k8-secret', '--k8-secret-name', 'infisical-root', '--k8-secret-namespace', 'infisical']);
    expect(run.code).toBe(0);
    const manifest = parse(run.stdout);
    expect(manifest).toMatchObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'infisical-root', namespace: 'infisical' } });
    expect(manifest.data).toBeUndefined();
    expect(await authenticateOnBus(nc, manifest.stringData.token)).toEqual({ ok: true });
  });

  it('a response dropped by a proxy: the retry with the same key gets a working token, and the lost one is revoked', async () => {
    await stack.resetInstance();
    const proxy = await droppingProxy(stack.gatewayUrl);
    try {
      const run = await cli(['bootstrap', '--domain', proxy.url, ...SEED_FLAGS]);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/attempt 1 of 5: .*retrying with the same Idempotency-Key/);
      expect(proxy.seen).toHaveLength(2);
      const [lost, delivered] = proxy.seen;
      expect(lost.status).toBe(200);
      expect(delivered.status).toBe(200);
      expect(lost.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(delivered.key).toBe(lost.key);
      const token = JSON.parse(run.stdout).identity.credentials.token;
      expect(token).toBe(delivered.token);
      expect(token).not.toBe(lost.token);
      expect(await authenticateOnBus(nc, token)).toEqual({ ok: true });
      expect(await authenticateOnBus(nc, lost.token!)).toEqual({ ok: false, code: 'TOKEN.REVOKED' });
    } finally {
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });
});

describe('bootstrapctl against a gateway that requires BOOTSTRAP_KEY (end to end)', () => {
  const key = randomBytes(24).toString('base64url');
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_bootstrapctl_key', env: { BOOTSTRAP_KEY: key } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('exit 1 without the key (401), and the instance stays uninitialized; exit 0 with BOOTSTRAP_KEY_FILE', async () => {
    const refused = await cli(['bootstrap', '--domain', stack.gatewayUrl, ...SEED_FLAGS, '--ignore-if-bootstrapped']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bootstrap refused: 401/);
    expect((await cli(['status', '--domain', stack.gatewayUrl])).code).toBe(3);

    const keyFile = join(mkdtempSync(join(tmpdir(), 'bootstrapctl-key-')), 'bootstrap-key');
    writeFileSync(keyFile, `${key}\n`);
    const run = await cli(['bootstrap', '--domain', stack.gatewayUrl, ...SEED_FLAGS], { BOOTSTRAP_KEY_FILE: keyFile });
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(key);
    expect(JSON.parse(run.stdout).identity.credentials.token).toEqual(expect.any(String));
  });
});
