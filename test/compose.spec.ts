import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';
import { loadConfig, requireAuthSecret } from '../libs/config/src/config';
import { EnvSchema, SECRET_VARIABLES } from '../libs/config/src/config.schema';

// Checks the deployment files against the code they deploy: nest-cli.json's apps, the build's
// output paths and libs/config's schema. No Docker needed: the files are parsed, not run.

const ROOT = join(__dirname, '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

interface Project {
  type: 'application' | 'library';
  root: string;
  sourceRoot: string;
  entryFile: string;
}

interface ComposeService {
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: Array<string | number | { target?: number | string; published?: number | string }>;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  profiles?: string[];
  container_name?: string;
}

interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const projects = (JSON.parse(read('nest-cli.json')) as { projects: Record<string, Project> }).projects;
/** The apps that run as services: every application but the command-line tool. */
const APPS = Object.entries(projects)
  .filter(([name, project]) => project.type === 'application' && name !== 'bootstrapctl')
  .map(([name]) => name);

// `merge: true` because the file shares its common parts through YAML `<<` merge keys.
const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;

const SCHEMA_KEYS = Object.keys(EnvSchema.shape) as Array<keyof typeof EnvSchema.shape>;
const REQUIRED_KEYS: string[] = SCHEMA_KEYS.filter((key) => !EnvSchema.shape[key].safeParse(undefined).success);

/** What an operator supplies to `docker compose`: only what the file demands with ${VAR:?…}. */
const OPERATOR_ENV: Record<string, string> = { AUTH_SECRET: 's'.repeat(48) };

/** Compose's interpolation: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err}. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g,
    (match, name: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      if (bare !== undefined) return env[bare] ?? '';
      const current = env[name!];
      if (op === undefined) return current ?? '';
      const missing = op.startsWith(':') ? !current : current === undefined;
      if (!missing) return current!;
      if (op.endsWith('-')) return arg ?? '';
      throw new Error(`required variable ${name} is missing a value: ${arg}`);
    },
  );
}

function environmentOf(service: ComposeService, operatorEnv: Record<string, string> = OPERATOR_ENV): Record<string, string> {
  const raw = service.environment ?? {};
  const entries: Array<[string, unknown]> = Array.isArray(raw)
    ? raw.map((item) => {
        const eq = item.indexOf('=');
        // A bare `KEY` passes the operator's variable through.
        return eq < 0 ? [item, operatorEnv[item] ?? null] : [item.slice(0, eq), item.slice(eq + 1)];
      })
    : Object.entries(raw);
  const env: Record<string, string> = {};
  for (const [key, value] of entries) if (value !== null && value !== undefined) env[key] = interpolate(String(value), operatorEnv);
  return env;
}

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function dependencies(svc: ComposeService): Record<string, string> {
  const deps = svc.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition ?? 'service_started']));
}

function commandOf(svc: ComposeService): string[] {
  if (svc.command === undefined) return [];
  return Array.isArray(svc.command) ? svc.command.map(String) : svc.command.split(/\s+/).filter(Boolean);
}

/** The mount holding `path`, and whether it is a named volume (a bind's source starts with . / or ~). */
function mountHolding(svc: ComposeService, path: string): { source?: string; named: boolean } | undefined {
  const mounts = (svc.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') return volume;
    const [source, target] = volume.split(':');
    return target === undefined ? { target: source } : { source, target };
  });
  const mount = mounts.find((m) => m.target !== undefined && !posix.relative(m.target, path).startsWith('..'));
  if (mount === undefined) return undefined;
  return { source: mount.source, named: mount.source !== undefined && mount.type !== 'bind' && !/^[./~]/.test(mount.source) };
}

/** The AUTH_SECRET requirement lives in each app's main.ts (loadConfigOrExit / runMicroservice). */
function needsAuthSecret(app: string): boolean {
  const project = projects[app];
  return /needsAuthSecret:\s*true/.test(read(posix.join(project.sourceRoot, `${project.entryFile}.ts`)));
}

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

describe('docker-compose.yml', () => {
  it('has a service for every application in nest-cli.json', () => {
    expect(APPS).toContain('api-gateway');
    expect(APPS.filter((app) => compose.services[app] === undefined)).toEqual([]);
  });

  it('starts every application service without a profile', () => {
    expect(APPS.filter((app) => service(app).profiles !== undefined)).toEqual([]);
  });

  it('builds every application service from the project Dockerfile', () => {
    const wrong = APPS.filter((app) => {
      const build = service(app).build;
      const { context, dockerfile } = typeof build === 'string' ? { context: build, dockerfile: undefined } : (build ?? {});
      return context === undefined || posix.normalize(context) !== '.' || ![undefined, 'Dockerfile'].includes(dockerfile);
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
      const command = commandOf(service(app));
      return [
        ...(built.includes(app) ? [] : [`${app}: not built by scripts/build.js`]),
        ...(output === expected ? [] : [`${app}: nest builds ${output}, not ${expected}`]),
        ...(command.join(' ') === `node ${expected}` ? [] : [`${app}: command is "${command.join(' ')}"`]),
      ];
    });
    expect(problems).toEqual([]);
  });

  it('sets every configuration variable without a default for every service', () => {
    const needing = APPS.filter(needsAuthSecret);
    // Guards against the main.ts pattern changing under this test: these sign and verify tokens.
    expect(needing).toEqual(expect.arrayContaining(['identity-service', 'user-service']));
    const missing = APPS.flatMap((app) => {
      const env = environmentOf(service(app));
      const required = [...REQUIRED_KEYS, ...(needing.includes(app) ? ['AUTH_SECRET'] : [])];
      return required.filter((key) => !env[key] && !env[`${key}_FILE`]).map((key) => `${app}: ${key}`);
    });
    expect(missing).toEqual([]);
  });

  it('demands AUTH_SECRET from the operator instead of defaulting it', () => {
    const defaulted = APPS.filter(needsAuthSecret).filter((app) => {
      try {
        environmentOf(service(app), {});
        return true;
      } catch (error) {
        return !/\bAUTH_SECRET\b/.test((error as Error).message);
      }
    });
    expect(defaulted).toEqual([]);
  });

  it('gives every service a configuration that passes validation', () => {
    const errors = APPS.flatMap((app) => {
      try {
        const config = loadConfig(environmentOf(service(app)));
        if (needsAuthSecret(app)) requireAuthSecret(config);
        return [];
      } catch (error) {
        return [`${app}: ${(error as Error).message}`];
      }
    });
    expect(errors).toEqual([]);
  });

  it('points NATS_URL at the compose nats service', () => {
    const wrong = APPS.flatMap((app) =>
      loadConfig(environmentOf(service(app)))
        .natsServers.map((url) => new URL(url))
        .filter((url) => url.hostname !== 'nats' || !['', '4222'].includes(url.port))
        .map((url) => `${app}: ${url.href}`),
    );
    expect(compose.services.nats).toBeDefined();
    expect(wrong).toEqual([]);
  });

  it('points DB_CONNECTION_URI at the compose postgres service with its credentials', () => {
    const pg = environmentOf(service('postgres'));
    const user = pg.POSTGRES_USER ?? 'postgres';
    expect(pg.POSTGRES_PASSWORD).toBeTruthy();
    const expected = { hostname: 'postgres', port: '5432', username: user, password: pg.POSTGRES_PASSWORD, database: pg.POSTGRES_DB ?? user };
    const actual = APPS.map((app) => {
      const url = new URL(loadConfig(environmentOf(service(app))).databaseUrl);
      return {
        app,
        hostname: url.hostname,
        port: url.port || '5432',
        username: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.slice(1),
      };
    });
    expect(actual).toEqual(APPS.map((app) => ({ app, ...expected })));
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

  it('keeps postgres data in a named volume declared at the top level', () => {
    const target = environmentOf(service('postgres')).PGDATA ?? '/var/lib/postgresql/data';
    const mount = mountHolding(service('postgres'), target);
    expect(mount).toMatchObject({ named: true });
    expect(Object.keys(compose.volumes ?? {})).toContain(mount!.source);
  });

  it('runs nats with JetStream storing in a named volume declared at the top level', () => {
    const command = commandOf(service('nats'));
    expect(command.some((arg) => ['-js', '--jetstream'].includes(arg))).toBe(true);
    const flag = command.findIndex((arg) => ['-sd', '--store_dir'].includes(arg));
    expect(flag).toBeGreaterThanOrEqual(0);
    const mount = mountHolding(service('nats'), command[flag + 1]);
    expect(mount).toMatchObject({ named: true });
    expect(Object.keys(compose.volumes ?? {})).toContain(mount!.source);
  });

  it('publishes host ports for the gateway only, on its PORT', () => {
    const publishing = Object.entries(compose.services)
      .filter(([, svc]) => (svc.ports ?? []).length > 0)
      .map(([name]) => name);
    expect(publishing).toEqual(['api-gateway']);
    const port = String(loadConfig(environmentOf(service('api-gateway'))).port);
    const targets = service('api-gateway').ports!.map((p) => (typeof p === 'object' ? String(p.target) : String(p).split(':').at(-1)!.split('/')[0]));
    expect(targets).toEqual([port]);
  });

  it('probes the gateway over HTTP on its PORT', () => {
    const port = loadConfig(environmentOf(service('api-gateway'))).port;
    const test = service('api-gateway').healthcheck?.test;
    expect(Array.isArray(test) ? test.join(' ') : test).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${port}/api/(health|status)\\b`));
  });

  it('probes every bus service on the /health of its HEALTH_PORT', () => {
    for (const app of APPS.filter((name) => name !== 'api-gateway')) {
      const healthPort = loadConfig(environmentOf(service(app))).healthPort;
      expect({ app, healthPort }).toEqual({ app, healthPort: expect.any(Number) });
      const test = service(app).healthcheck?.test;
      expect(Array.isArray(test) ? test.join(' ') : test).toMatch(new RegExp(`http://127\\.0\\.0\\.1:${healthPort}/health\\b`));
    }
  });

  it('sets no container_name, so any service can be scaled', () => {
    expect(Object.entries(compose.services).filter(([, svc]) => svc.container_name !== undefined).map(([name]) => name)).toEqual([]);
  });

  it('declares the one-shot bootstrap behind a profile, after a healthy gateway, writing to a named volume', () => {
    const bootstrap = service('bootstrap');
    expect(bootstrap.profiles).toEqual(['bootstrap']);
    expect(dependencies(bootstrap)).toEqual({ 'api-gateway': 'service_healthy' });
    const command = commandOf(bootstrap);
    expect(command.slice(0, 4)).toEqual(['node', 'dist/apps/bootstrapctl/main.js', 'bootstrap', '--ignore-if-bootstrapped']);
    expect(command[command.indexOf('--domain') + 1]).toBe(`http://api-gateway:${loadConfig(environmentOf(service('api-gateway'))).port}`);
    const out = command[command.indexOf('--out') + 1];
    const mount = mountHolding(bootstrap, out);
    expect(mount).toMatchObject({ named: true });
    expect(Object.keys(compose.volumes ?? {})).toContain(mount!.source);
    expect(Object.keys(environmentOf(bootstrap))).toEqual(
      expect.arrayContaining(['INFISICAL_ADMIN_EMAIL', 'INFISICAL_ADMIN_PASSWORD', 'INFISICAL_ADMIN_ORGANIZATION']),
    );
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

    it('installs only production dependencies in the final stage, which the bundles load at run time', () => {
      expect(final.instructions.some((i) => i.op === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    });

    it('runs the final stage as a user that is not root', () => {
      const user = final.instructions.filter((i) => i.op === 'USER').at(-1)?.args.split(':')[0].trim();
      expect(user).toBeDefined();
      expect(['root', '0']).not.toContain(user);
    });
  });

  describe('.env.example', () => {
    const example = parseEnv(read('.env.example'));
    const keys = Object.keys(example);

    it('lists every configuration key', () => {
      expect(SCHEMA_KEYS.filter((key) => !keys.includes(key))).toEqual([]);
    });

    it('lists nothing but configuration keys, their _FILE variants and bootstrapctl variables', () => {
      const fileVariants = [...SECRET_VARIABLES, 'INFISICAL_ADMIN_PASSWORD'].map((key) => `${key}_FILE`);
      const allowed = (key: string): boolean => (SCHEMA_KEYS as string[]).includes(key) || fileVariants.includes(key) || /^INFISICAL_[A-Z_]+$/.test(key);
      expect(keys.filter((key) => !allowed(key))).toEqual([]);
    });

    it('holds values that pass validation once AUTH_SECRET is filled in', () => {
      const env = Object.fromEntries(Object.entries(example).filter(([key]) => (SCHEMA_KEYS as string[]).includes(key)));
      expect(() => requireAuthSecret(loadConfig({ ...env, AUTH_SECRET: OPERATOR_ENV.AUTH_SECRET }))).not.toThrow();
    });
  });
});
