import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';
import { loadConfig, principalPublicKey, requireAuthSecret, requirePrincipalSigningKey } from '../libs/config/src/config';
import { loadCliEnv } from '../libs/config/src/cli-env';
import { EnvSchema, SECRET_VARIABLES } from '../libs/config/src/config.schema';
import { CLUSTER_NAME, clusterNodeFile, DEFAULT_ROUTE_PORT, GeneratedNatsConfig, generateNatsConfig, parseClusterNodes } from '../libs/nats-auth/src';

// Checks the deployment files against the code they deploy: nest-cli.json's apps, the build's
// output paths, libs/config's schema, the services' database schemas and the Postgres init
// script. Debian's docker-compose (1.29) validates the file and resolves it (merges,
// interpolation, paths) without a Docker engine; the checks read what it resolved.

const ROOT = join(__dirname, '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

interface Project {
  type: 'application' | 'library';
  root: string;
  sourceRoot: string;
  entryFile: string;
}

/** A service as `docker-compose config` writes it: environment a map, ports and volumes strings. */
interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  ports?: string[];
  volumes?: string[];
  secrets?: Array<{ source: string; target?: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  profiles?: string[];
  container_name?: string;
}

interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string }>;
}

const projects = (JSON.parse(read('nest-cli.json')) as { projects: Record<string, Project> }).projects;
/** The apps that run as services: every application but the tools (scripts/apps.js). */
const APPS = (require('../scripts/apps') as { services: string[] }).services;
const BUS_APPS = APPS.filter((app) => app !== 'api-gateway');

const SCHEMA_KEYS = Object.keys(EnvSchema.shape) as Array<keyof typeof EnvSchema.shape>;
const REQUIRED_KEYS: string[] = SCHEMA_KEYS.filter((key) => !EnvSchema.shape[key].safeParse(undefined).success);
const SECRETS: readonly string[] = SECRET_VARIABLES;

/** Every variable in ${…} in docker-compose.yml: what an operator may set. */
const COMPOSE_VARIABLES = [...new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Za-z_]\w*)/g)].map((m) => m[1]))];

const INSTALL_HINT = "docker-compose is not installed: install Debian's package (apt-get install docker-compose), as .ci/run does";

/**
 * docker-compose with only this environment, and an empty .env in place of the developer's
 * (which `docker compose` would read): stdout and stderr. Fails, saying how to install it, when
 * the binary is missing.
 */
function dockerCompose(args: string[], env: Record<string, string>): { stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'compose-'));
  const envFile = join(dir, 'empty.env');
  writeFileSync(envFile, '');
  try {
    const result = spawnSync('docker-compose', ['--project-directory', ROOT, '-f', join(ROOT, 'docker-compose.yml'), '--env-file', envFile, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(INSTALL_HINT);
    if (result.error !== undefined) throw result.error;
    if (result.status !== 0) throw new Error(`docker-compose ${args.join(' ')} failed: ${result.stderr}`);
    return { stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The compose file as docker-compose resolves it for this operator environment. */
function resolvedCompose(env: Record<string, string>): Compose {
  return parse(dockerCompose(['config'], env).stdout) as Compose;
}

/** A value for every configuration key an operator tunes, unlike any default: to see it arrive. */
const OPERATOR_VALUES: Record<string, string> = {
  LOG_LEVEL: 'debug',
  BOOTSTRAP_TIMEOUT_MS: '12345',
  JWT_AUTH_LIFETIME: '2h',
  MAX_MACHINE_IDENTITY_TOKEN_AGE: '30d',
  BOOTSTRAP_RECLAIM_WINDOW: '20m',
  EVENTS_STREAM_REPLICAS: '1',
  TRUST_PROXY: '10.0.0.0/8',
  UNAUTHENTICATED_RATE_LIMIT: '60',
};

/** The secret files an operator provides: scripts/compose-secrets.js's, and NATS passwords as nats:config writes them. */
const secretsRoot = mkdtempSync(join(tmpdir(), 'compose-secrets-'));
afterAll(() => rmSync(secretsRoot, { recursive: true, force: true }));
const SECRETS_DIR = join(secretsRoot, 'secrets');
const NATS_CONFIG_DIR = join(secretsRoot, 'nats');
const { writeComposeSecrets } = require('../scripts/compose-secrets') as { writeComposeSecrets: (dir: string) => string[] };
writeComposeSecrets(SECRETS_DIR);
mkdirSync(NATS_CONFIG_DIR);
for (const app of APPS) writeFileSync(join(NATS_CONFIG_DIR, `${app}.password`), `${app}-nats-password-${process.pid}\n`);
writeFileSync(join(NATS_CONFIG_DIR, 'nats-server.conf'), '');
writeFileSync(join(NATS_CONFIG_DIR, 'permissions.conf'), '');

let compose: Compose;
let composeError: Error | undefined;
try {
  compose = resolvedCompose({ SECRETS_DIR, NATS_CONFIG_DIR, ...OPERATOR_VALUES });
} catch (error) {
  composeError = error as Error;
  compose = { services: {} };
}

function service(name: string): ComposeService {
  if (composeError !== undefined) throw composeError;
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** A service's environment, empty values dropped (libs/config reads them as unset). */
function environmentOf(svc: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(svc.environment ?? {}).filter(([, value]) => value !== '' && value !== null));
}

/** The file behind /run/secrets/<name> in this service, if it mounts that secret. */
function secretFile(svc: ComposeService, path: string): string | undefined {
  const mounted = (svc.secrets ?? []).find((s) => posix.join('/run/secrets', s.target ?? s.source) === path);
  return mounted === undefined ? undefined : compose.secrets?.[mounted.source]?.file;
}

/** The environment as the process sees it in its container: *_FILE paths point at the files compose mounts there. */
function processEnvironment(svc: ComposeService): Record<string, string> {
  const env = environmentOf(svc);
  for (const [key, value] of Object.entries(env)) {
    if (!key.endsWith('_FILE')) continue;
    const file = secretFile(svc, value);
    if (file === undefined) throw new Error(`${key}=${value}: not a secret mounted in this service`);
    env[key] = file;
  }
  return env;
}

function dependencies(svc: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(svc.depends_on ?? {}).map(([name, dep]) => [name, dep.condition ?? 'service_started']));
}

/** The mount holding `path`: its source, and whether that is a named volume (not a host path). */
function mountHolding(svc: ComposeService, path: string): { source: string; named: boolean } | undefined {
  const mounts = (svc.volumes ?? []).map((volume) => {
    const [source, target] = volume.split(':');
    return { source, target };
  });
  const mount = mounts.find((m) => m.target !== undefined && !posix.relative(m.target, path).startsWith('..'));
  return mount === undefined ? undefined : { source: mount.source, named: !mount.source.startsWith('/') };
}

/** AUTH_SECRET and PRINCIPAL_SIGNING_KEY: each app's main.ts says whether it authenticates tokens (runMicroservice). */
function needsAuthSecret(app: string): boolean {
  const project = projects[app];
  return /authenticatesTokens:\s*true/.test(read(posix.join(project.sourceRoot, `${project.entryFile}.ts`)));
}

/** AppConfig field → environment variable, as loadConfig maps them (`authSecret: e.AUTH_SECRET`). */
const FIELD_VARIABLES = Object.fromEntries([...read('libs/config/src/config.ts').matchAll(/^\s+(\w+): e\.(\w+),?$/gm)].map((m) => [m[1], m[2]]));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry) && !/\.spec\.ts$/.test(entry) ? [path] : [];
  });
}

/** Variables every service reads through libs/common (logging, NATS, shutdown limit), and the bus services through libs/database. */
const READ_BY_ALL = ['NODE_ENV', 'NATS_URL', 'NATS_USER', 'NATS_PASSWORD', 'NATS_INBOX_PREFIX', 'LOG_LEVEL', 'BOOTSTRAP_TIMEOUT_MS'];
const READ_BY_BUS_SERVICES = ['DB_CONNECTION_URI', 'HEALTH_PORT', 'PRINCIPAL_PUBLIC_KEY'];

/** Every variable an app reads: the common ones, and those of the config fields its own code uses. */
function variablesReadBy(app: string): string[] {
  const fields = sourceFiles(join(ROOT, projects[app].sourceRoot)).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\bconfig\.(\w+)/g)].map((m) => m[1]));
  const own = fields.map((field) => FIELD_VARIABLES[field]).filter((name): name is string => name !== undefined);
  return [...new Set([...READ_BY_ALL, ...(app === 'api-gateway' ? ['PORT'] : READ_BY_BUS_SERVICES), ...own, ...(needsAuthSecret(app) ? ['AUTH_SECRET', 'PRINCIPAL_SIGNING_KEY'] : [])])];
}

/** The Postgres schema each bus service migrates (apps/<app>/src/*.database.ts). */
function schemaOf(app: string): string {
  const dir = join(ROOT, projects[app].sourceRoot);
  const file = readdirSync(dir).find((entry) => entry.endsWith('.database.ts'));
  const schema = file === undefined ? undefined : /schema:\s*'(\w+)'/.exec(readFileSync(join(dir, file), 'utf8'))?.[1];
  if (schema === undefined) throw new Error(`${app}: no *.database.ts naming its schema`);
  return schema;
}

describe('docker-compose.yml', () => {
  it("is accepted by Debian's docker-compose, with no variable needing a value", () => {
    const { stderr } = dockerCompose(['config', '-q'], {});
    expect(stderr).toBe('');
  });

  it('resolves (docker-compose config) for an operator environment', () => {
    expect(composeError).toBeUndefined();
  });

  it('has a service for every application in nest-cli.json', () => {
    expect(APPS).toContain('api-gateway');
    expect(APPS.filter((app) => compose.services[app] === undefined)).toEqual([]);
  });

  it('starts every application service without a profile', () => {
    expect(APPS.filter((app) => service(app).profiles !== undefined)).toEqual([]);
  });

  it('builds every application service from the project Dockerfile', () => {
    const wrong = APPS.filter((app) => {
      const { context, dockerfile } = service(app).build ?? {};
      return context !== ROOT || ![undefined, 'Dockerfile'].includes(dockerfile);
    });
    expect(wrong).toEqual([]);
  });

  it('runs each service as `node dist/apps/<app>/main.js`, the path npm run build writes', () => {
    const { apps: built } = require('../scripts/apps') as { apps: string[] };
    // scripts/build.js hands its app list to `nest build`, which in monorepo mode writes
    // <outDir>/<project root>/<entryFile>.js.
    expect(read('scripts/build.js')).toMatch(/'build',\s*\.\.\.apps/);
    const problems = APPS.flatMap((app) => {
      const expected = `dist/apps/${app}/main.js`;
      const output = posix.join('dist', projects[app].root, `${projects[app].entryFile}.js`);
      const command = service(app).command ?? [];
      return [
        ...(built.includes(app) ? [] : [`${app}: not built by scripts/build.js`]),
        ...(output === expected ? [] : [`${app}: nest builds ${output}, not ${expected}`]),
        ...(command.join(' ') === `node ${expected}` ? [] : [`${app}: command is "${command.join(' ')}"`]),
      ];
    });
    expect(problems).toEqual([]);
  });

  describe('configuration', () => {
    it('passes every variable a service reads: set by compose, from a secret, or from the operator', () => {
      const missing = APPS.flatMap((app) => {
        const env = environmentOf(service(app));
        return variablesReadBy(app)
          .filter((key) => env[key] === undefined && env[`${key}_FILE`] === undefined)
          .map((key) => `${app}: ${key}`);
      });
      expect(missing).toEqual([]);
    });

    it("hands the operator's value of each variable a service reads on to it", () => {
      const wrong = APPS.flatMap((app) => {
        const env = environmentOf(service(app));
        return variablesReadBy(app)
          .filter((key) => key in OPERATOR_VALUES && SCHEMA_KEYS.includes(key as never))
          .filter((key) => env[key] !== OPERATOR_VALUES[key])
          .map((key) => `${app}: ${key}=${env[key]}`);
      });
      expect(wrong).toEqual([]);
    });

    it('leaves a variable the operator does not set empty (the service default), not a second default in compose', () => {
      const { services } = resolvedCompose({});
      const defaulted = APPS.flatMap((app) =>
        Object.keys(OPERATOR_VALUES)
          .filter((key) => key in (services[app].environment ?? {}) && services[app].environment![key] !== '')
          .map((key) => `${app}: ${key}=${services[app].environment![key]}`),
      );
      expect(defaulted).toEqual([]);
    });

    it('sets every configuration variable without a default for every service', () => {
      const missing = APPS.flatMap((app) => {
        const env = environmentOf(service(app));
        const required = [...REQUIRED_KEYS, ...(needsAuthSecret(app) ? ['AUTH_SECRET', 'PRINCIPAL_SIGNING_KEY'] : []), ...(app === 'api-gateway' ? [] : ['PRINCIPAL_PUBLIC_KEY'])];
        return required.filter((key) => !env[key] && !env[`${key}_FILE`]).map((key) => `${app}: ${key}`);
      });
      expect(APPS.filter(needsAuthSecret)).toEqual(expect.arrayContaining(['identity-service', 'user-service']));
      expect(missing).toEqual([]);
    });

    it('gives secrets as Docker secrets (<NAME>_FILE), never as variables', () => {
      const exposed = APPS.flatMap((app) =>
        Object.keys(service(app).environment ?? {})
          .filter((key) => SECRETS.includes(key))
          .map((key) => `${app}: ${key}`),
      );
      const notSecrets = APPS.flatMap((app) =>
        Object.entries(environmentOf(service(app)))
          .filter(([key, value]) => key.endsWith('_FILE') && secretFile(service(app), value) === undefined)
          .map(([key]) => `${app}: ${key}`),
      );
      expect(exposed).toEqual([]);
      expect(notSecrets).toEqual([]);
    });

    it('mounts into each service only the secrets it reads', () => {
      const unused = APPS.flatMap((app) => {
        const read = Object.values(environmentOf(service(app)));
        return (service(app).secrets ?? []).filter((s) => !read.includes(posix.join('/run/secrets', s.target ?? s.source))).map((s) => `${app}: ${s.source}`);
      });
      expect(unused).toEqual([]);
    });

    it('gives every service a configuration that passes validation, with the secrets the operator generates', () => {
      const errors = APPS.flatMap((app) => {
        try {
          const config = loadConfig(processEnvironment(service(app)));
          if (needsAuthSecret(app)) requireAuthSecret(config);
          if (needsAuthSecret(app)) requirePrincipalSigningKey(config);
          if (app !== 'api-gateway') principalPublicKey(config);
          return [];
        } catch (error) {
          return [`${app}: ${(error as Error).message}`];
        }
      });
      expect(errors).toEqual([]);
    });

    it('points NATS_URL at the compose nats service', () => {
      const wrong = APPS.flatMap((app) =>
        loadConfig(processEnvironment(service(app)))
          .natsServers.map((url) => new URL(url))
          .filter((url) => url.hostname !== 'nats' || !['', '4222'].includes(url.port))
          .map((url) => `${app}: ${url.href}`),
      );
      expect(compose.services.nats).toBeDefined();
      expect(wrong).toEqual([]);
    });
  });

  describe('NATS', () => {
    it('runs with the configuration npm run nats:config generates, mounted read-only', () => {
      const command = service('nats').command ?? [];
      const flag = command.findIndex((arg) => ['-c', '--config'].includes(arg));
      expect(flag).toBeGreaterThanOrEqual(0);
      const confDir = posix.dirname(command[flag + 1]);
      // container.conf includes nats-server.conf, which includes permissions.conf, each from beside it.
      expect(posix.basename(command[flag + 1])).toBe('container.conf');
      const mounts = ['container.conf', 'nats-server.conf', 'permissions.conf'].map((file) => `${join(NATS_CONFIG_DIR, file)}:${posix.join(confDir, file)}:ro`);
      expect(service('nats').volumes).toEqual(expect.arrayContaining(mounts));
      expect(read('docker-compose.yml')).toContain('${NATS_CONFIG_DIR:-./deploy/nats/generated}/nats-server.conf');
      // Nothing else of that directory: the users' passwords are there.
      expect((service('nats').volumes ?? []).filter((v) => v.startsWith(NATS_CONFIG_DIR))).toHaveLength(3);
    });

    it('keeps the monitoring endpoint (connections, user names) off the network: no http port on the command line, loopback in the configuration, nothing published', () => {
      for (const name of ['nats', 'nats-1', 'nats-2', 'nats-3']) {
        const command = service(name).command ?? [];
        expect([name, command.filter((arg) => ['-m', '--http_port', '-ms', '--https_port'].includes(arg))]).toEqual([name, []]);
        expect([name, service(name).ports ?? []]).toEqual([name, []]);
      }
    });

    it('pins the nats-server version every test runs (2.9.10)', () => {
      expect(service('nats').image).toBe('nats:2.9.10-alpine');
      const version = /nats-server: v([\d.]+)/.exec(execFileSync('/usr/sbin/nats-server', ['--version'], { encoding: 'utf8' }))?.[1];
      expect(service('nats').image).toBe(`nats:${version}-alpine`);
    });

    it('runs JetStream storing in a named volume declared at the top level', () => {
      const command = service('nats').command ?? [];
      expect(command.some((arg) => ['-js', '--jetstream'].includes(arg))).toBe(true);
      const flag = command.findIndex((arg) => ['-sd', '--store_dir'].includes(arg));
      expect(flag).toBeGreaterThanOrEqual(0);
      const mount = mountHolding(service('nats'), command[flag + 1]);
      expect(mount).toMatchObject({ named: true });
      expect(Object.keys(compose.volumes ?? {})).toContain(mount!.source);
    });

    it('connects each service as its own NATS user, with its password file and its own reply inbox', () => {
      const actual = APPS.map((app) => {
        const env = environmentOf(service(app));
        return { app, user: env.NATS_USER, inbox: env.NATS_INBOX_PREFIX, password: secretFile(service(app), env.NATS_PASSWORD_FILE) };
      });
      expect(actual).toEqual(APPS.map((app) => ({ app, user: app, inbox: `_INBOX_${app}`, password: join(NATS_CONFIG_DIR, `${app}.password`) })));
    });
  });

  describe('Postgres', () => {
    const initSql = read('deploy/postgres/service-roles.sql');
    /** role → the secret holding its password, as the init script reads them. */
    const initRoles = Object.fromEntries([...initSql.matchAll(/^\\set role (\w+)\n\\set password_file ([\w-]+)$/gm)].map((m) => [m[1], m[2]]));

    it('runs the service-roles init script on a fresh volume', () => {
      const mount = mountHolding(service('postgres'), '/docker-entrypoint-initdb.d/service-roles.sql');
      expect(mount).toEqual({ source: join(ROOT, 'deploy/postgres'), named: false });
      expect(service('postgres').volumes).toContain(`${join(ROOT, 'deploy/postgres')}:/docker-entrypoint-initdb.d:ro`);
    });

    it('creates a role for every bus service, named after the schema the service migrates', () => {
      expect(initRoles).toEqual(Object.fromEntries(BUS_APPS.map((app) => [schemaOf(app), `${app}-db-password`])));
    });

    it("gives the init script every role's password, and the superuser's, as secrets", () => {
      const postgres = service('postgres');
      expect(environmentOf(postgres).POSTGRES_PASSWORD).toBeUndefined();
      expect(secretFile(postgres, environmentOf(postgres).POSTGRES_PASSWORD_FILE)).toBe(join(SECRETS_DIR, 'postgres-password'));
      for (const secret of Object.values(initRoles)) expect(secretFile(postgres, `/run/secrets/${secret}`)).toBe(join(SECRETS_DIR, secret));
    });

    it('connects each bus service as its own role, with the password the init script gives that role, to the compose postgres', () => {
      const actual = BUS_APPS.map((app) => {
        const url = new URL(loadConfig(processEnvironment(service(app))).databaseUrl);
        const rolePassword = readFileSync(join(SECRETS_DIR, initRoles[schemaOf(app)]), 'utf8').trim();
        return { app, host: url.hostname, port: url.port || '5432', role: decodeURIComponent(url.username), passwordMatches: decodeURIComponent(url.password) === rolePassword };
      });
      expect(actual).toEqual(BUS_APPS.map((app) => ({ app, host: 'postgres', port: '5432', role: schemaOf(app), passwordMatches: true })));
    });

    it("mounts a service's database secret in that service alone", () => {
      const holders = (secret: string) => APPS.filter((app) => (service(app).secrets ?? []).some((s) => s.source === secret));
      expect(BUS_APPS.map((app) => [app, holders(`${app}-db-uri`)])).toEqual(BUS_APPS.map((app) => [app, [app]]));
      expect(Object.values(initRoles).flatMap(holders)).toEqual([]);
      expect(holders('postgres-password')).toEqual([]);
    });

    it('keeps its data in a named volume declared at the top level', () => {
      const target = environmentOf(service('postgres')).PGDATA ?? '/var/lib/postgresql/data';
      const mount = mountHolding(service('postgres'), target);
      expect(mount).toMatchObject({ named: true });
      expect(Object.keys(compose.volumes ?? {})).toContain(mount!.source);
    });
  });

  it('makes every service wait for healthy postgres and nats', () => {
    const wrong = APPS.flatMap((app) => {
      const deps = dependencies(service(app));
      return ['postgres', 'nats'].filter((dep) => deps[dep] !== 'service_healthy').map((dep) => `${app} -> ${dep}: ${deps[dep]}`);
    });
    expect(wrong).toEqual([]);
  });

  it('waits for health only on services that have a health check', () => {
    const wrong = Object.entries(compose.services).flatMap(([name, svc]) =>
      Object.entries(dependencies(svc))
        .filter(([, condition]) => condition === 'service_healthy')
        .filter(([dep]) => !compose.services[dep]?.healthcheck?.test || compose.services[dep].healthcheck?.disable)
        .map(([dep]) => `${name} -> ${dep}`),
    );
    expect(wrong).toEqual([]);
  });

  it('publishes host ports for the gateway only, on its PORT, on 127.0.0.1 unless the operator says otherwise', () => {
    expect(Object.entries(compose.services).filter(([, svc]) => (svc.ports ?? []).length > 0).map(([name]) => name).sort()).toEqual(['api-gateway', 'cluster-api-gateway']);
    const port = loadConfig(processEnvironment(service('api-gateway'))).port;
    expect(resolvedCompose({}).services['api-gateway'].ports).toEqual([`127.0.0.1:8080:${port}/tcp`]);
    expect(resolvedCompose({ GATEWAY_BIND: '0.0.0.0', GATEWAY_PORT: '80' }).services['api-gateway'].ports).toEqual([`0.0.0.0:80:${port}/tcp`]);
  });

  it('probes the gateway over HTTP on its PORT', () => {
    const port = loadConfig(processEnvironment(service('api-gateway'))).port;
    expect((service('api-gateway').healthcheck?.test ?? []).join(' ')).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${port}/api/(health|status)\\b`));
  });

  it('probes every bus service on the /health of its HEALTH_PORT', () => {
    for (const app of BUS_APPS) {
      const healthPort = loadConfig(processEnvironment(service(app))).healthPort;
      expect({ app, healthPort }).toEqual({ app, healthPort: expect.any(Number) });
      expect((service(app).healthcheck?.test ?? []).join(' ')).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${healthPort}/health\\b`));
    }
  });

  it('sets no container_name, so any service can be scaled', () => {
    expect(Object.entries(compose.services).filter(([, svc]) => svc.container_name !== undefined).map(([name]) => name)).toEqual([]);
  });

  it('runs the one-shot bootstrap with a plain `up` (no profile), after a healthy gateway, writing to a named volume', () => {
    const bootstrap = service('bootstrap');
    expect(bootstrap.profiles).toBeUndefined();
    expect(dependencies(bootstrap)).toEqual({ 'api-gateway': 'service_healthy' });
    const command = bootstrap.command ?? [];
    expect(command.slice(0, 4)).toEqual(['node', 'dist/apps/bootstrapctl/main.js', 'bootstrap', '--ignore-if-bootstrapped']);
    // It waits for the gateway to answer before it spends the one-shot call.
    expect(Number(command[command.indexOf('--wait') + 1])).toBeGreaterThan(0);
    expect(command[command.indexOf('--domain') + 1]).toBe(`http://api-gateway:${loadConfig(processEnvironment(service('api-gateway'))).port}`);
    const out = command[command.indexOf('--out') + 1];
    const mount = mountHolding(bootstrap, out);
    expect(mount).toMatchObject({ named: true });
    expect(Object.keys(compose.volumes ?? {})).toContain(mount!.source);
    expect(Object.keys(bootstrap.environment ?? {})).toEqual(
      expect.arrayContaining(['INFISICAL_ADMIN_EMAIL', 'INFISICAL_ADMIN_PASSWORD_FILE', 'INFISICAL_ADMIN_ORGANIZATION']),
    );
    // The password comes from a Docker secret (compose:secrets writes a random one), never from a variable.
    expect(bootstrap.environment).not.toHaveProperty('INFISICAL_ADMIN_PASSWORD');
    const passwordFile = secretFile(bootstrap, bootstrap.environment!.INFISICAL_ADMIN_PASSWORD_FILE);
    expect(passwordFile).toBeDefined();
    expect(readFileSync(passwordFile!, 'utf8').trim().length).toBeGreaterThanOrEqual(16);
    // Whatever the bootstrap job reads resolves through bootstrapctl's own loader.
    expect(loadCliEnv(processEnvironment(bootstrap))).toMatchObject({ password: expect.any(String), bootstrapKey: undefined });
  });

  it('keeps the secrets and the generated NATS configuration out of git and out of the image build', () => {
    expect(read('.gitignore').split('\n')).toEqual(expect.arrayContaining(['deploy/secrets/', 'deploy/nats/generated/']));
    expect(read('.dockerignore').split('\n')).toContain('deploy');
  });
});

describe('docker-compose.yml, profile cluster', () => {
  const NODES = ['nats-1', 'nats-2', 'nats-3'];
  const cluster = parseClusterNodes(NODES.join(','))!;
  let generated: GeneratedNatsConfig;

  beforeAll(async () => {
    generated = await generateNatsConfig({ bcryptCost: 4, cluster });
  });

  const clusterServices = () => Object.entries(compose.services).filter(([, svc]) => (svc.profiles ?? []).includes('cluster')).map(([name]) => name);

  it('holds three NATS nodes and a replicated twin of every service and of the bootstrap job, all behind the profile', () => {
    expect(clusterServices().sort()).toEqual([...NODES, ...[...APPS, 'bootstrap'].map((app) => `cluster-${app}`)].sort());
    expect(Object.entries(compose.services).filter(([, svc]) => svc.profiles !== undefined && !svc.profiles.includes('cluster'))).toEqual([]);
  });

  it('runs each node from its generated cluster-<node>.conf, with nats-server.conf and permissions.conf beside it', () => {
    for (const node of NODES) {
      const command = service(node).command ?? [];
      const conf = command[command.findIndex((arg) => ['-c', '--config'].includes(arg)) + 1];
      expect({ node, conf: posix.basename(conf ?? '') }).toEqual({ node, conf: clusterNodeFile(node) });
      const mounts = [clusterNodeFile(node), 'nats-server.conf', 'permissions.conf'].map((file) => `${join(NATS_CONFIG_DIR, file)}:${posix.join(posix.dirname(conf), file)}:ro`);
      expect(service(node).volumes).toEqual(expect.arrayContaining(mounts));
      // Nothing else of that directory: the users' passwords are there.
      expect((service(node).volumes ?? []).filter((v) => v.startsWith(NATS_CONFIG_DIR))).toHaveLength(3);
    }
  });

  it('gives each node its own server_name and authenticated routes to the two others, as `--cluster nats-1,nats-2,nats-3` generates them', () => {
    for (const node of NODES) {
      const conf = generated.files[clusterNodeFile(node)];
      expect(conf).toMatch(/^include \.\/nats-server\.conf$/m);
      expect(conf).toContain(`server_name: "${node}"`);
      expect(conf).toContain(`name: "${CLUSTER_NAME}"`);
      expect(conf).toContain(`listen: "0.0.0.0:${DEFAULT_ROUTE_PORT}"`);
      const routes = [...conf.matchAll(/"nats:\/\/route:[^@"]+@([\w-]+):(\d+)"/g)].map((m) => `${m[1]}:${m[2]}`);
      expect(routes.sort()).toEqual(NODES.filter((other) => other !== node).map((other) => `${other}:${DEFAULT_ROUTE_PORT}`));
      // Every route host is a node of this compose file.
      for (const route of routes) expect(compose.services[route.split(':')[0]]?.profiles).toContain('cluster');
    }
  });

  it('runs JetStream on every node, each storing in a named volume of its own', () => {
    const stores = NODES.map((node) => {
      const command = service(node).command ?? [];
      expect(command.some((arg) => ['-js', '--jetstream'].includes(arg))).toBe(true);
      const mount = mountHolding(service(node), command[command.findIndex((arg) => ['-sd', '--store_dir'].includes(arg)) + 1]);
      expect(mount).toMatchObject({ named: true });
      expect(Object.keys(compose.volumes ?? {})).toContain(mount!.source);
      return mount!.source;
    });
    expect(new Set([...stores, mountHolding(service('nats'), '/data')!.source]).size).toBe(NODES.length + 1);
  });

  it('runs two replicas of every service', () => {
    const replicas = APPS.map((app) => [app, (service(`cluster-${app}`) as { deploy?: { replicas?: number } }).deploy?.replicas]);
    expect(replicas).toEqual(APPS.map((app) => [app, 2]));
  });

  it('gives every service all three nodes in NATS_URL', () => {
    for (const app of APPS) {
      const servers = loadConfig(processEnvironment(service(`cluster-${app}`))).natsServers.map((url) => new URL(url).host);
      expect({ app, servers }).toEqual({ app, servers: NODES.map((node) => `${node}:4222`) });
    }
  });

  it('runs every service as its single-node twin does: command, NATS user, secrets and every other variable', () => {
    const withoutNatsUrl = (svc: ComposeService) => {
      const { NATS_URL: _url, ...env } = svc.environment ?? {};
      return { command: svc.command, env, secrets: svc.secrets, healthcheck: svc.healthcheck };
    };
    for (const app of APPS) expect({ app, ...withoutNatsUrl(service(`cluster-${app}`)) }).toEqual({ app, ...withoutNatsUrl(service(app)) });
  });

  it('makes every service wait for the three healthy nodes and postgres, and never for the single-node nats', () => {
    for (const app of APPS) {
      const deps = dependencies(service(`cluster-${app}`));
      expect({ app, deps: Object.keys(deps).filter((dep) => !dep.startsWith('cluster-')).sort() }).toEqual({ app, deps: [...NODES, 'postgres'] });
      expect(Object.values(deps).every((condition) => condition === 'service_healthy')).toBe(true);
    }
    for (const app of APPS) expect(Object.keys(dependencies(service(app))).filter((dep) => NODES.includes(dep) || dep.startsWith('cluster-'))).toEqual([]);
  });

  it('starts the whole cluster stack from the bootstrap job alone: it needs the gateway, which needs every service', () => {
    expect(dependencies(service('cluster-bootstrap'))).toEqual({ 'cluster-api-gateway': 'service_healthy' });
    expect(Object.keys(dependencies(service('cluster-api-gateway')))).toEqual(expect.arrayContaining(BUS_APPS.map((app) => `cluster-${app}`)));
    const command = service('cluster-bootstrap').command ?? [];
    expect(command[command.indexOf('--domain') + 1]).toBe(`http://cluster-api-gateway:${loadConfig(processEnvironment(service('cluster-api-gateway'))).port}`);
    const { command: _c, depends_on: _d, profiles: _p, ...rest } = service('cluster-bootstrap');
    const { command: _c2, depends_on: _d2, profiles: _p2, ...single } = service('bootstrap');
    expect(rest).toEqual(single);
    expect(command.filter((arg) => !arg.startsWith('http://'))).toEqual((service('bootstrap').command ?? []).filter((arg) => !arg.startsWith('http://')));
  });

  it('publishes a host port per gateway replica, on 127.0.0.1 unless the operator says otherwise', () => {
    const port = loadConfig(processEnvironment(service('cluster-api-gateway'))).port;
    expect(resolvedCompose({}).services['cluster-api-gateway'].ports).toEqual([`127.0.0.1:8080-8081:${port}/tcp`]);
  });
});

describe('scripts/compose-secrets.js', () => {
  it('writes a database URI whose password is the one of its role, for every bus service', () => {
    for (const app of BUS_APPS) {
      const url = new URL(readFileSync(join(SECRETS_DIR, `${app}-db-uri`), 'utf8').trim());
      expect(url.password).toBe(readFileSync(join(SECRETS_DIR, `${app}-db-password`), 'utf8').trim());
      expect(url.username).toBe(schemaOf(app));
    }
  });

  it('never overwrites a secret', () => {
    const before = readFileSync(join(SECRETS_DIR, 'auth-secret'), 'utf8');
    expect(writeComposeSecrets(SECRETS_DIR)).toEqual([]);
    expect(readFileSync(join(SECRETS_DIR, 'auth-secret'), 'utf8')).toBe(before);
  });

  it('keeps the directory to its owner', () => {
    expect(statSync(SECRETS_DIR).mode & 0o077).toBe(0);
  });
});

describe('Dockerfile', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const final = stages.at(-1)!;

  it('builds with npm ci and npm run build in an earlier stage, and copies dist into the final one', () => {
    const build = stages.slice(0, -1).find((s) => s.instructions.some((i) => i.op === 'RUN' && /\bnpm run build\b/.test(i.args)));
    expect(build).toBeDefined();
    const runAt = (command: RegExp): number => build!.instructions.findIndex((i) => i.op === 'RUN' && command.test(i.args));
    const buildAt = runAt(/\bnpm run build\b/);
    expect(runAt(/\bnpm ci\b/)).toBeGreaterThanOrEqual(0);
    expect(runAt(/\bnpm ci\b/)).toBeLessThan(buildAt);
    const builtDist = posix.join(workdir(build!, buildAt), 'dist');
    // Compose commands run `dist/apps/…` relative to the final stage's WORKDIR.
    const runtimeDist = posix.join(workdir(final), 'dist');
    const copies = final.instructions
      .map((i, at) => ({ i, at }))
      .filter(({ i }) => i.op === 'COPY')
      .map(({ i, at }) => ({ ...copyArgs(i.args), at }))
      .filter(({ from }) => from === build!.name || from === String(build!.index));
    expect(
      copies.some(({ sources, dest, at }) => sources.some((src) => posix.resolve('/', src) === builtDist) && posix.resolve(workdir(final, at), dest) === runtimeDist),
    ).toBe(true);
  });

  it("installs only production dependencies in the final stage (argon2's native binary and swagger-ui's files are read from node_modules at run time)", () => {
    expect(final.instructions.some((i) => i.op === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args))).toBe(true);
  });

  it('runs the final stage as a user that is not root', () => {
    const user = final.instructions.filter((i) => i.op === 'USER').at(-1)?.args.split(':')[0].trim();
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('builds on Node 22, an LTS that satisfies package.json engines', () => {
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(read('Dockerfile'))?.[1];
    expect(image).toMatch(/^node:22[.-]/);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toMatch(/^>=(20|22)\./);
  });
});

describe('.env.example', () => {
  const example = parseEnv(read('.env.example'));
  const keys = Object.keys(example);

  it('lists every configuration key', () => {
    expect(SCHEMA_KEYS.filter((key) => !keys.includes(key))).toEqual([]);
  });

  it('lists every variable docker-compose.yml reads', () => {
    expect(COMPOSE_VARIABLES.filter((key) => !keys.includes(key))).toEqual([]);
  });

  it("lists nothing but configuration keys, their _FILE variants, compose's variables and bootstrapctl variables", () => {
    const fileVariants = [...SECRET_VARIABLES, 'INFISICAL_ADMIN_PASSWORD'].map((key) => `${key}_FILE`);
    const allowed = (key: string): boolean =>
      (SCHEMA_KEYS as string[]).includes(key) || fileVariants.includes(key) || COMPOSE_VARIABLES.includes(key) || /^INFISICAL_[A-Z_]+$/.test(key);
    expect(keys.filter((key) => !allowed(key))).toEqual([]);
  });

  it('holds values that pass validation once AUTH_SECRET is filled in', () => {
    // (The principal keys stay empty there: npm start and compose:secrets generate them.)
    const env = Object.fromEntries(Object.entries(example).filter(([key]) => (SCHEMA_KEYS as string[]).includes(key)));
    const authSecret = readFileSync(join(SECRETS_DIR, 'auth-secret'), 'utf8').trim();
    expect(() => requireAuthSecret(loadConfig({ ...env, AUTH_SECRET: authSecret }))).not.toThrow();
  });
});

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  index: number;
  name?: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    const [, word, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const op = word.toUpperCase();
    if (op === 'FROM') {
      const [, name] = /\sAS\s+(\S+)\s*$/i.exec(` ${args}`) ?? [];
      stages.push({ index: stages.length, name, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op, args }); // ARGs before the first FROM belong to no stage
    }
  }
  return stages;
}

/** The WORKDIR in effect before the instruction at `upTo` (the whole stage by default). */
function workdir(stage: Stage, upTo = stage.instructions.length): string {
  return stage.instructions
    .slice(0, upTo)
    .filter((i) => i.op === 'WORKDIR')
    .reduce((dir, i) => posix.resolve(dir, i.args.trim()), '/');
}

function copyArgs(args: string): { from?: string; sources: string[]; dest: string } {
  const flags = args.match(/^(?:--\S+\s+)*/)![0];
  const rest = args.slice(flags.length).trim();
  const paths: string[] = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  const from = /--from=(\S+)/.exec(flags)?.[1];
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}
