import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { compareSync } from 'bcryptjs';
import { BusUsers } from '@app/contracts';
import { runNatsConfigCli } from './cli';
import { renderPermissionsConf } from './permissions';
import { generateNatsConfig, GeneratedNatsConfig, writeNatsConfig } from './server-config';

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
    expect(conf).not.toMatch(/^\s*(listen|port|host|store_dir)\s*:/m);
    expect(config.files['permissions.conf']).toBe(renderPermissionsConf());
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
      ['nats-server.conf', 'permissions.conf', ...BusUsers.flatMap((u) => [`${u}.env`, `${u}.password`])].sort(),
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
