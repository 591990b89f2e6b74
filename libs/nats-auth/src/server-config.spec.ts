import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { compareSync } from 'bcryptjs';
import { BusUsers } from '@app/contracts';
import { CLUSTER_NAME, parseClusterNodes, runNatsConfigCli } from './cli';
import { renderPermissionsConf } from './permissions';
import { clusterNodeFile, DEFAULT_ROUTE_PORT, generateNatsConfig, GeneratedNatsConfig, ROUTE_USER, writeNatsConfig } from './server-config';

describe(generateNatsConfig.name, () => {
  let config: GeneratedNatsConfig;

  beforeAll(async () => {
    config = await generateNatsConfig({ bcryptCost: 4 });
  });

  it('gives every user a random password of at least 32 base64url characters, all different', () => {
    const passwords = BusUsers.map((user) => config.users[user].NATS_PASSWORD);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(new Set(passwords).size).toBe(BusUsers.length);
  });

  it('holds bcrypt hashes of the passwords in nats-server.conf, never a password', () => {
    const conf = config.files['nats-server.conf'];
    for (const user of BusUsers) {
      const { NATS_PASSWORD: password } = config.users[user];
      expect(conf).not.toContain(password);
      const line = conf.split('\n').find((l) => l.includes(`user: "${user}"`))!;
      const hash = /password: "(\$2[ab]\$\d\d\$[./A-Za-z0-9]{53})"/.exec(line)![1];
      expect(compareSync(password, hash)).toBe(true);
    }
  });

  it("gives each user its own permissions block and leaves address, port and store to the command line", () => {
    const conf = config.files['nats-server.conf'];
    expect(conf).toMatch(/^include \.\/permissions\.conf$/m);
    expect(conf).toMatch(/^jetstream: enabled$/m);
    expect(conf).toMatch(/permissions: \$SAGA_ORCHESTRATOR \}/);
    expect(conf).not.toMatch(/^authorization/m);
    expect(conf).not.toMatch(/^\s*(listen|port|host|store_dir)\s*:/m);
    expect(config.files['permissions.conf']).toBe(renderPermissionsConf());
  });

  it('puts the services in one account and the event readers in another, JetStream only in theirs', () => {
    const conf = config.files['nats-server.conf'];
    const block = (account: string) => new RegExp(`^  ${account} \\{\\n([\\s\\S]*?)\\n  \\}$`, 'm').exec(conf)![1];
    const usersOf = (account: string) => [...block(account).matchAll(/user: "([\w-]+)"/g)].map((m) => m[1]);
    expect(usersOf('SERVICES')).toEqual(['api-gateway', 'saga-orchestrator', 'user-service', 'organization-service', 'identity-service']);
    expect(usersOf('EVENTS')).toEqual(['events-reader']);
    expect(block('SERVICES')).toMatch(/imports: \$SERVICES_IMPORTS\n\s+limits: \$SERVICES_LIMITS$/);
    expect(block('SERVICES')).not.toMatch(/jetstream|exports/);
    expect(block('EVENTS')).toMatch(/exports: \$EVENTS_EXPORTS\n\s+limits: \$EVENTS_LIMITS\n\s+jetstream: \$EVENTS_JETSTREAM$/);
  });

  it('writes each user an env file with its user, password and private inbox, and a password file', () => {
    for (const user of BusUsers) {
      expect(parseEnv(config.files[`${user}.env`])).toEqual({
        NATS_USER: user,
        NATS_PASSWORD: config.users[user].NATS_PASSWORD,
        NATS_INBOX_PREFIX: `_INBOX_${user}`,
      });
      expect(config.files[`${user}.password`]).toBe(`${config.users[user].NATS_PASSWORD}\n`);
    }
  });
});

describe(`${generateNatsConfig.name} with a cluster`, () => {
  const nodes = [
    { name: 'a', host: 'nats-a', port: 6222 },
    { name: 'b', host: 'nats-b', port: 6223 },
    { name: 'c', host: 'nats-c', port: 6224 },
  ];
  let config: GeneratedNatsConfig;

  beforeAll(async () => {
    config = await generateNatsConfig({ bcryptCost: 4, cluster: { name: 'prod', nodes } });
  });

  it('writes no node file without a cluster', async () => {
    const plain = await generateNatsConfig({ bcryptCost: 4 });
    expect(Object.keys(plain.files).filter((file) => file.startsWith('cluster-'))).toEqual([]);
  });

  it("gives each node a file that includes nats-server.conf (the same users) and adds its server_name and the cluster's name", () => {
    for (const node of nodes) {
      const conf = config.files[clusterNodeFile(node.name)];
      expect(conf).toMatch(/^include \.\/nats-server\.conf$/m);
      expect(conf).toMatch(new RegExp(`^server_name: "${node.name}"$`, 'm'));
      expect(conf).toMatch(/^  name: "prod"$/m);
      expect(conf).toContain(`listen: "0.0.0.0:${node.port}"`);
      // The store directory stays on the command line: every node needs its own.
      expect(conf).not.toMatch(/store_dir/);
    }
  });

  it('routes each node to the others, not to itself, all with one route password whose bcrypt hash every node checks', () => {
    const hashes = new Set<string>();
    for (const node of nodes) {
      const conf = config.files[clusterNodeFile(node.name)];
      const routes = [...conf.matchAll(/"nats:\/\/(\w+):([^@"]+)@([\w-]+):(\d+)"/g)].map(([, user, password, host, port]) => ({ user, password, to: `${host}:${port}` }));
      expect(routes.map((r) => r.to)).toEqual(nodes.filter((n) => n !== node).map((n) => `${n.host}:${n.port}`));
      const hash = /authorization \{ user: "route", password: "(\$2[ab]\$[^"]+)" \}/.exec(conf)![1];
      hashes.add(hash);
      for (const route of routes) expect({ user: route.user, matches: compareSync(route.password, hash) }).toEqual({ user: ROUTE_USER, matches: true });
    }
    expect(hashes.size).toBe(1);
  });

  it('gives the route user a password of its own, no user\'s', () => {
    const routePassword = /"nats:\/\/route:([^@"]+)@/.exec(config.files[clusterNodeFile('a')])![1];
    expect(routePassword).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(BusUsers.map((user) => config.users[user].NATS_PASSWORD)).not.toContain(routePassword);
    expect(config.files['nats-server.conf']).not.toContain(routePassword);
  });

  it('refuses nodes with the same name', async () => {
    await expect(generateNatsConfig({ bcryptCost: 4, cluster: { name: 'x', nodes: [nodes[0], { ...nodes[1], name: 'a' }] } })).rejects.toThrow(/distinct names/);
  });
});

describe(parseClusterNodes.name, () => {
  it('names each node after its host, on the default route port unless given', () => {
    expect(parseClusterNodes('nats-1,nats-2:7222, nats-3')).toEqual({
      name: CLUSTER_NAME,
      nodes: [
        { name: 'nats-1', host: 'nats-1', port: DEFAULT_ROUTE_PORT },
        { name: 'nats-2', host: 'nats-2', port: 7222 },
        { name: 'nats-3', host: 'nats-3', port: DEFAULT_ROUTE_PORT },
      ],
    });
  });

  it.each(['nats-1', 'nats-1,nats-1', 'nats-1,', 'nats-1,nats 2', 'nats-1,nats-2:99999', 'nats://a,b'])('refuses %j', (value) => {
    expect(parseClusterNodes(value)).toBeUndefined();
  });
});

describe(writeNatsConfig.name, () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nats-config-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every file readable by its owner only', async () => {
    const out = join(dir, 'out');
    writeNatsConfig(out, await generateNatsConfig({ bcryptCost: 4 }));
    const files = readdirSync(out);
    expect(files.sort()).toEqual(
      ['nats-server.conf', 'permissions.conf', 'container.conf', ...BusUsers.flatMap((u) => [`${u}.env`, `${u}.password`])].sort(),
    );
    for (const file of files) expect([file, (statSync(join(out, file)).mode & 0o777).toString(8)]).toEqual([file, '600']);
  });

  it('makes an existing file 0600 too, with fresh passwords', async () => {
    const out = join(dir, 'again');
    const first = await generateNatsConfig({ bcryptCost: 4 });
    writeNatsConfig(out, first);
    writeNatsConfig(out, await generateNatsConfig({ bcryptCost: 4 }));
    expect(readFileSync(join(out, 'user-service.password'), 'utf8')).not.toBe(first.files['user-service.password']);
  });
});

describe(runNatsConfigCli.name, () => {
  it('refuses to run without --out or --permissions (exit 64)', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runNatsConfigCli([], () => undefined)).toBe(64);
      expect(await runNatsConfigCli(['--nope'], () => undefined)).toBe(64);
    } finally {
      stderr.mockRestore();
    }
  });

  it('refuses --cluster without --out or with fewer than two distinct hosts (exit 64)', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runNatsConfigCli(['--cluster', 'nats-1,nats-2'], () => undefined)).toBe(64);
      expect(await runNatsConfigCli(['--out', '/nonexistent/never-written', '--cluster', 'nats-1'], () => undefined)).toBe(64);
    } finally {
      stderr.mockRestore();
    }
  });

  it('writes a node file per --cluster host beside the rest, 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nats-config-cli-'));
    try {
      expect(await runNatsConfigCli(['--out', dir, '--cluster', 'nats-1,nats-2,nats-3'], () => undefined)).toBe(0);
      const nodeFiles = readdirSync(dir).filter((file) => file.startsWith('cluster-')).sort();
      expect(nodeFiles).toEqual(['cluster-nats-1.conf', 'cluster-nats-2.conf', 'cluster-nats-3.conf']);
      for (const file of nodeFiles) expect((statSync(join(dir, file)).mode & 0o777).toString(8)).toBe('600');
      expect(readFileSync(join(dir, 'cluster-nats-2.conf'), 'utf8')).toMatch(/@nats-3:6222"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints no password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nats-config-cli-'));
    const lines: string[] = [];
    try {
      expect(await runNatsConfigCli(['--out', dir], (line) => lines.push(line))).toBe(0);
      const password = readFileSync(join(dir, 'api-gateway.password'), 'utf8').trim();
      expect(lines.join('\n')).not.toContain(password);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
