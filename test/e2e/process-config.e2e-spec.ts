import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AppName,
  AppProcess,
  createTestDatabase,
  freePort,
  getJson,
  principalKeyEnv,
  REPO_ROOT,
  TestDatabase,
  TestNatsServer,
} from '@app/testing';

jest.setTimeout(60_000);

const SECRET = 'a-test-secret-of-at-least-32-characters!';

/** Runs a built app with only this environment until it exits (it must: the config is bad). */
function runWith(app: AppName, env: Record<string, string>) {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'apps', app, 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

const RSA_KEY = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');

describe('Service processes and their configuration (end to end)', () => {
  it.each<[string, AppName, Record<string, string>, string]>([
    ['a missing AUTH_SECRET', 'identity-service', {}, 'AUTH_SECRET'],
    ['a short AUTH_SECRET', 'api-gateway', { AUTH_SECRET: 'too-short' }, 'AUTH_SECRET'],
    ['a guessable AUTH_SECRET', 'user-service', { AUTH_SECRET: 'changeme'.repeat(5) }, 'AUTH_SECRET'],
    ['a guessable BOOTSTRAP_KEY', 'api-gateway', { AUTH_SECRET: SECRET, BOOTSTRAP_KEY: '0123456789012345678901' }, 'BOOTSTRAP_KEY'],
    ['a NATS_URL that is not a NATS URL', 'user-service', { NATS_URL: 'http://localhost:4222' }, 'NATS_URL'],
    ['a DB_CONNECTION_URI that is not a postgres URL', 'organization-service', { DB_CONNECTION_URI: 'mysql://x' }, 'DB_CONNECTION_URI'],
    ['a bad duration', 'identity-service', { AUTH_SECRET: SECRET, MAX_MACHINE_IDENTITY_TOKEN_AGE: 'forever' }, 'MAX_MACHINE_IDENTITY_TOKEN_AGE'],
    ['a non-numeric timeout', 'saga-orchestrator', { BOOTSTRAP_TIMEOUT_MS: 'soon' }, 'BOOTSTRAP_TIMEOUT_MS'],
    ['an unreadable _FILE', 'api-gateway', { AUTH_SECRET_FILE: '/nonexistent/secret' }, 'AUTH_SECRET_FILE'],
    ['credentials inside NATS_URL', 'organization-service', { NATS_URL: 'nats://organization-service:s3cret@127.0.0.1:4222' }, 'NATS_URL'],
    ['NATS_USER without a password', 'saga-orchestrator', { NATS_USER: 'saga-orchestrator' }, 'NATS_USER'],
    ['a NATS TLS certificate without its key', 'user-service', { NATS_TLS_CERT_FILE: '/etc/hostname' }, 'NATS_TLS_KEY_FILE'],
    ['no PRINCIPAL_SIGNING_KEY in a service that authenticates tokens', 'identity-service', { AUTH_SECRET: SECRET }, 'PRINCIPAL_SIGNING_KEY'],
    ['no PRINCIPAL_PUBLIC_KEY in a service that acts on callers', 'organization-service', {}, 'PRINCIPAL_PUBLIC_KEY'],
    ['an RSA key as PRINCIPAL_SIGNING_KEY', 'user-service', { AUTH_SECRET: SECRET, PRINCIPAL_SIGNING_KEY: RSA_KEY }, 'PRINCIPAL_SIGNING_KEY'],
    ['a public key of another pair than the signing key', 'identity-service', { AUTH_SECRET: SECRET, ...principalKeyEnv(), PRINCIPAL_PUBLIC_KEY: principalKeyEnv().PRINCIPAL_PUBLIC_KEY }, 'PRINCIPAL_PUBLIC_KEY'],
  ])('stops on %s with one line naming the variable and no stack trace', (_case, app, env, variable) => {
    const result = runWith(app, env);
    expect(result.status).toBe(78);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable}: `));
    expect(result.stderr).not.toMatch(/\bat .+:\d+/);
    // Never the value of a secret, refused or not.
    for (const value of Object.values(env).filter((v) => v.length >= 16)) expect(result.stderr).not.toContain(value);
  });

  describe('with NATS and Postgres up', () => {
    let nats: TestNatsServer;
    let db: TestDatabase;
    let proc: AppProcess;
    let healthPort: number;

    beforeAll(async () => {
      [nats, db, healthPort] = await Promise.all([TestNatsServer.start(), createTestDatabase('e2e_proc'), freePort()]);
      const dir = mkdtempSync(join(tmpdir(), 'secret-'));
      writeFileSync(join(dir, 'auth_secret'), `${SECRET}\n`);
      proc = new AppProcess('identity-service', 'e2e_proc-identity-service', {
        NATS_URL: nats.url,
        ...nats.credentials('identity-service'),
        DB_CONNECTION_URI: db.url,
        AUTH_SECRET_FILE: join(dir, 'auth_secret'),
        ...principalKeyEnv(),
        HEALTH_PORT: String(healthPort),
      });
      await proc.start();
    });

    afterAll(async () => {
      await proc?.dispose();
      await nats?.destroy();
      await db?.drop();
    });

    it('takes a secret from <NAME>_FILE', () => {
      expect(proc.running).toBe(true);
    });

    it('serves /health on HEALTH_PORT with its dependencies', async () => {
      const health = await getJson(`http://127.0.0.1:${healthPort}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toStrictEqual({ service: 'identity-service', status: 'ok', dependencies: { nats: 'up', database: 'up' } });
    });

    it('serves Prometheus metrics on HEALTH_PORT', async () => {
      const metrics = await fetch(`http://127.0.0.1:${healthPort}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^process_uptime_seconds\{service="identity-service"\} \d/m);
    });

    it('exits promptly and cleanly on SIGTERM', async () => {
      await proc.stop('SIGTERM', 10_000);
      expect(proc.running).toBe(false);
    });
  });

  describe('the gateway on an address beyond loopback', () => {
    const BEYOND = /"level":40[^\n]*"msg":"Listening beyond loopback with no BOOTSTRAP_KEY/;
    const gateway = async (label: string, env: Record<string, string>) => {
      const proc = new AppProcess('api-gateway', `e2e_proc-gateway-${label}`, { PORT: String(await freePort()), ...env });
      await proc.start();
      await proc.dispose();
      return proc.logs;
    };

    it('warns at start when no BOOTSTRAP_KEY guards the bootstrap', async () => {
      expect(await gateway('open', { HOST: '0.0.0.0' })).toMatch(BEYOND);
    });

    it('does not warn on loopback, nor with a BOOTSTRAP_KEY', async () => {
      expect(await gateway('loopback', { HOST: '127.0.0.1' })).not.toMatch(BEYOND);
      expect(await gateway('keyed', { HOST: '0.0.0.0', BOOTSTRAP_KEY: 'Zq8vN2xK7pL4mR9tW3yB6c' })).not.toMatch(BEYOND);
    });
  });
});
