import { ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  bootstrap,
  createTestDatabase,
  freePort,
  REPO_ROOT,
  TestDatabase,
  waitFor,
} from '@app/testing';

jest.setTimeout(120_000);

const SERVICES = ['api-gateway', 'saga-orchestrator', 'user-service', 'organization-service', 'identity-service'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (end to end)', () => {
  let db: TestDatabase;
  let port: number;
  let natsPort: number;
  let child: ChildProcess;
  let output = '';

  beforeAll(async () => {
    [db, port, natsPort] = await Promise.all([createTestDatabase('e2e_start'), freePort(), freePort()]);
    // Its own process group, so SIGINT reaches every process as Ctrl-C in a terminal would.
    child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'start.js')], {
      cwd: REPO_ROOT,
      // npm start runs its own NATS (here on a free port, not its default 4223), with a user per service.
      env: { PATH: process.env.PATH ?? '', LOCAL_NATS_PORT: String(natsPort), DB_CONNECTION_URI: db.url, PORT: String(port) },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    await waitFor(
      'the stack started by npm start',
      async () => ((await fetch(`http://127.0.0.1:${port}/api/health`)).status === 200 ? true : undefined),
      { timeoutMs: 90_000, intervalMs: 200 },
    );
  });

  afterAll(async () => {
    if (child?.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    await db?.drop();
    // The JetStream store of this run's port (the users in .nats/ stay, as for a developer).
    if (natsPort !== undefined) rmSync(join(REPO_ROOT, '.nats', `store-${natsPort}`), { recursive: true, force: true });
  });

  it('runs every service, each with its own prefixed logs, and bootstraps', async () => {
    expect((await bootstrap(`http://127.0.0.1:${port}`)).status).toBe(200);
    for (const service of SERVICES) expect(output).toMatch(new RegExp(`^\\[${service}\\] .*service ready`, 'm'));
  });

  it('listens on loopback only (HOST=127.0.0.1 unless told otherwise), so it does not warn of an open bootstrap', () => {
    expect(output).toMatch(/^\[api-gateway\] .*"msg":"service ready"/m);
    expect(output).not.toMatch(/Listening beyond loopback/);
  });

  it('runs its own NATS, to which every service connects as its own user', () => {
    expect(output).toMatch(new RegExp(`^\\[nats\\] .*Listening for client connections on 127\\.0\\.0\\.1:${natsPort}`, 'm'));
    for (const service of SERVICES) {
      expect(output).toMatch(new RegExp(`^\\[${service}\\] (?=.*"msg":"Connecting to NATS")(?=.*"user":"${service}")`, 'm'));
    }
  });

  it('stops every service on Ctrl-C', async () => {
    const pids = [...output.matchAll(/"pid":(\d+)/g)].map((m) => Number(m[1]));
    expect(new Set(pids).size).toBe(SERVICES.length);
    const natsPid = Number(/^\[nats\] \[(\d+)\]/m.exec(output)?.[1]);
    expect(natsPid).toBeGreaterThan(0);
    pids.push(natsPid);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    await waitFor('every service to exit', async () => (pids.some(alive) ? undefined : true), { timeoutMs: 15_000 });
  });
});
