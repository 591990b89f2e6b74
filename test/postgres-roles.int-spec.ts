import { execFile } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openServiceDatabase, ServiceDatabaseSpec } from '@app/database';
import { TestDatabase, TestPostgresServer } from '@app/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { identityDatabase } from '../apps/identity-service/src/identity.database';
import { orchestratorDatabase } from '../apps/saga-orchestrator/src/orchestrator.database';
import { organizationDatabase } from '../apps/organization-service/src/organization.database';
import { userDatabase } from '../apps/user-service/src/user.database';

// The Postgres init script of docker-compose.yml (deploy/postgres/service-roles.sql), run as the
// postgres image runs it, then each service connecting as its own role, as in compose. On a
// private server: roles belong to the whole server, and these names must not collide with
// anything else on the machine's.

const SQL = join(__dirname, '..', 'deploy', 'postgres', 'service-roles.sql');
const run = promisify(execFile);

/** Every service's database, by the name of its secret (`<service>-db-password`). */
const SERVICES: Record<string, ServiceDatabaseSpec> = {
  'user-service': userDatabase,
  'organization-service': organizationDatabase,
  'identity-service': identityDatabase,
  'saga-orchestrator': orchestratorDatabase,
};

/** Whether `password` is the one behind a SCRAM-SHA-256 verifier as Postgres stores it (RFC 5802). */
function scramMatches(verifier: string, password: string): boolean {
  const [, iterations, salt, storedKey] = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):/.exec(verifier) ?? [];
  if (storedKey === undefined) return false;
  const salted = pbkdf2Sync(password, Buffer.from(salt, 'base64'), Number(iterations), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return createHash('sha256').update(clientKey).digest('base64') === storedKey;
}

describe('deploy/postgres/service-roles.sql', () => {
  let pg: TestPostgresServer;
  let db: TestDatabase;
  let secrets: string;
  const passwords: Record<string, string> = {};
  const opened: DataSource[] = [];

  /** Runs the init script as the postgres image does: psql, as the superuser, in the services' database. */
  const initScript = (secretsDir = secrets) =>
    run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '--no-psqlrc', '-v', `secrets_dir=${secretsDir}`, '-d', db.url, '-f', SQL], { timeout: 30_000 });

  /** The URL a service's DB_CONNECTION_URI_FILE holds in compose, pointing at the test server. */
  const urlOf = (service: string) => {
    const url = new URL(db.url);
    url.username = SERVICES[service].schema;
    url.password = passwords[service];
    return url.toString();
  };

  /** Runs SQL as a service's role. */
  const asRole = async (service: string, sql: string) => {
    const client = new Client({ connectionString: urlOf(service) });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    pg = await TestPostgresServer.create();
    db = await pg.createDatabase('roles');
    secrets = mkdtempSync(join(tmpdir(), 'pg-secrets-'));
    for (const service of Object.keys(SERVICES)) {
      passwords[service] = randomBytes(24).toString('base64url');
      writeFileSync(join(secrets, `${service}-db-password`), `${passwords[service]}\n`);
    }
    await initScript();
    // Each service migrates its own schema at start, as its own role, several at once.
    opened.push(...(await Promise.all(Object.keys(SERVICES).map((service) => openServiceDatabase(urlOf(service), SERVICES[service])))));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(opened.map((d) => d.destroy()));
    rmSync(secrets, { recursive: true, force: true });
    await pg?.destroy();
  });

  it('creates a login role per service with the password of its secret, and no other power', async () => {
    const roles = await db.query<{ rolname: string; rolpassword: string; rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean; rolcanlogin: boolean }>(
      `SELECT rolname, rolpassword, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_authid WHERE rolname = ANY($1) ORDER BY rolname`,
      [Object.values(SERVICES).map((s) => s.schema)],
    );
    expect(roles.map((r) => r.rolname)).toEqual(Object.values(SERVICES).map((s) => s.schema).sort());
    for (const [service, spec] of Object.entries(SERVICES)) {
      const role = roles.find((r) => r.rolname === spec.schema)!;
      expect({ service, super: role.rolsuper, createdb: role.rolcreatedb, createrole: role.rolcreaterole, login: role.rolcanlogin }).toEqual({
        service,
        super: false,
        createdb: false,
        createrole: false,
        login: true,
      });
      expect(scramMatches(role.rolpassword, passwords[service])).toBe(true);
    }
  });

  it("lets each service run its own migrations: its tables and its migrations table in its schema, owned by its role", async () => {
    for (const spec of Object.values(SERVICES)) {
      const tables = await db.query<{ tablename: string; tableowner: string }>('SELECT tablename, tableowner FROM pg_tables WHERE schemaname = $1', [spec.schema]);
      expect(tables.map((t) => t.tablename)).toContain('migrations');
      expect(tables.length).toBeGreaterThan(1);
      expect(new Set(tables.map((t) => t.tableowner))).toEqual(new Set([spec.schema]));
      const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${spec.schema}".migrations`);
      expect(n).toBe(spec.migrations.length);
    }
    expect(await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).toEqual([]);
  });

  it.each([
    ['user-service', 'SELECT * FROM identity_service.identities', /permission denied for schema identity_service/],
    ['identity-service', 'SELECT password_hash FROM user_service.users', /permission denied for schema user_service/],
    ['organization-service', "DELETE FROM saga_orchestrator.instance_state", /permission denied for schema saga_orchestrator/],
    ['saga-orchestrator', "INSERT INTO organization_service.organizations (name, slug) VALUES ('x', 'x')", /permission denied for schema organization_service/],
    ['user-service', 'CREATE TABLE public.spill (x int)', /permission denied for schema public/],
    ['user-service', 'CREATE SCHEMA elsewhere', /permission denied for database/],
    ['identity-service', 'ALTER SCHEMA user_service OWNER TO identity_service', /must be owner of schema user_service/],
    ['saga-orchestrator', 'CREATE ROLE intruder', /permission denied to create role/],
  ])('refuses %s: %s', async (service, sql, refusal) => {
    await expect(asRole(service, sql)).rejects.toThrow(refusal);
  });

  it("lets a service's role read and write its own tables", async () => {
    const insert = "INSERT INTO users (email, username, first_name, last_name, password_hash) VALUES ('a@example.com', 'a', 'A', 'B', 'h') RETURNING email";
    await expect(asRole('user-service', insert)).resolves.toEqual([{ email: 'a@example.com' }]);
    await expect(asRole('user-service', "DELETE FROM users WHERE email = 'a@example.com' RETURNING email")).resolves.toEqual([{ email: 'a@example.com' }]);
  });

  it('can run again (new passwords, nothing lost) and migrations then find nothing to do', async () => {
    passwords['user-service'] = randomBytes(24).toString('base64url');
    writeFileSync(join(secrets, 'user-service-db-password'), passwords['user-service']);
    await initScript();
    const again = await openServiceDatabase(urlOf('user-service'), userDatabase);
    opened.push(again);
    const [{ rolpassword }] = await db.query<{ rolpassword: string }>(`SELECT rolpassword FROM pg_authid WHERE rolname = 'user_service'`);
    expect(scramMatches(rolpassword, passwords['user-service'])).toBe(true);
    await expect(asRole('user-service', 'SELECT count(*)::int AS n FROM migrations')).resolves.toEqual([{ n: userDatabase.migrations.length }]);
  });

  it('stops, naming the secret, when a password is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pg-secrets-'));
    try {
      const failed = await initScript(empty).then(() => undefined, (error: { code?: number; stderr?: string }) => error);
      expect(failed?.code).not.toBe(0);
      expect(failed?.stderr).toContain('user-service-db-password: missing, or shorter than 16 characters');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
