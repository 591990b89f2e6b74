import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, loadConfigOrExit, requireAuthSecret } from './config';

const SECRET = 'a-secret-that-is-at-least-32-characters-long';

/** The error loadConfig throws for this environment (fails the test if it throws none). */
function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe(loadConfig.name, () => {
  describe('defaults', () => {
    const config = loadConfig({});

    it('connects to the local NATS server', () => {
      expect(config.natsServers).toEqual(['nats://127.0.0.1:4222']);
    });

    it('connects to the local Postgres', () => {
      expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    });

    it('listens on port 8080', () => {
      expect(config.port).toBe(8080);
    });

    it('lets machine-identity tokens live 90 days, in milliseconds', () => {
      expect(config.maxMachineIdentityTokenAgeMs).toBe(90 * 24 * 3600 * 1000);
    });

    it('gives a bootstrap 10000 ms', () => {
      expect(config.bootstrapTimeoutMs).toBe(10_000);
    });

    it('uses a 15 minute reclaim window', () => {
      expect(config.bootstrapReclaimWindowMs).toBe(15 * 60 * 1000);
    });

    it('has no auth secret', () => {
      expect(config.authSecret).toBeUndefined();
    });

    it('has no reclaim secret: re-claiming the root credential is off', () => {
      expect(config.bootstrapReclaimSecret).toBeUndefined();
    });

    it('leaves the events stream replicas to the cluster the orchestrator finds', () => {
      expect(config.eventsStreamReplicas).toBeUndefined();
    });
  });

  describe('values', () => {
    it('splits a comma-separated NATS_URL into servers', () => {
      expect(loadConfig({ NATS_URL: 'nats://a:4222, nats://b:4223' }).natsServers).toEqual(['nats://a:4222', 'nats://b:4223']);
    });

    it('accepts 0 for MAX_MACHINE_IDENTITY_TOKEN_AGE: tokens without expiry', () => {
      expect(loadConfig({ MAX_MACHINE_IDENTITY_TOKEN_AGE: '0' }).maxMachineIdentityTokenAgeMs).toBe(0);
    });

    it('reads durations such as 12h', () => {
      expect(loadConfig({ MAX_MACHINE_IDENTITY_TOKEN_AGE: '12h' }).maxMachineIdentityTokenAgeMs).toBe(12 * 3600 * 1000);
    });

    it('reads a bare number of a duration as seconds', () => {
      expect(loadConfig({ BOOTSTRAP_RECLAIM_WINDOW: '600' }).bootstrapReclaimWindowMs).toBe(600_000);
    });

    it('reads EVENTS_STREAM_REPLICAS as a number', () => {
      expect(loadConfig({ EVENTS_STREAM_REPLICAS: '3' }).eventsStreamReplicas).toBe(3);
    });

    it('treats an empty variable as unset', () => {
      expect(loadConfig({ PORT: '' }).port).toBe(8080);
    });
  });

  describe('invalid values', () => {
    it.each([
      ['NATS_URL', 'http://127.0.0.1:4222'],
      ['NATS_URL', 'nats://a:4222,not a url'],
      ['DB_CONNECTION_URI', 'mysql://root@127.0.0.1/db'],
      ['DB_CONNECTION_URI', 'not a url'],
      ['AUTH_SECRET', 'too-short'],
      ['BOOTSTRAP_RECLAIM_SECRET', 's'.repeat(31)],
      ['MAX_MACHINE_IDENTITY_TOKEN_AGE', 'forever'],
      ['JWT_AUTH_LIFETIME', '0'],
      ['BOOTSTRAP_RECLAIM_WINDOW', '-5m'],
      ['PORT', 'eighty'],
      ['PORT', '70000'],
      ['BOOTSTRAP_TIMEOUT_MS', 'ten'],
      ['LOG_LEVEL', 'verbose'],
      ['EVENTS_STREAM_REPLICAS', '0'],
      ['EVENTS_STREAM_REPLICAS', '6'],
      ['EVENTS_STREAM_REPLICAS', '2.5'],
      ['EVENTS_STREAM_REPLICAS', 'three'],
    ])('refuses %s=%j with one line naming the variable', (name, value) => {
      const error = configErrorFor({ [name]: value });
      expect(error.message).toMatch(new RegExp(`^${name}: [^\n]+$`));
    });
  });

  describe('guessable secrets', () => {
    const HMAC_KEYS = ['AUTH_SECRET', 'BOOTSTRAP_RECLAIM_SECRET'];
    it.each([
      ...HMAC_KEYS.flatMap((name) => [
        [name, 'x'.repeat(48), /one character repeated/],
        [name, 'changeme'.repeat(5), /placeholder/],
        [name, 'my-super-secret-password-change-me-please', /placeholder/],
        [name, 'Secret1234!'.repeat(3), /guessable/],
        [name, 'abababababababababababcdcdcdcdcdcdcdcdcd12', /only 6 distinct characters/],
        [name, 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF', /guessable: about \d+ bits .* at least 128/],
        // 128 random bits, but hex: the estimate (about 110 bits) is under the floor.
        [name, 'c1c3b0bf0c9c40e8a7cd4c3f1c0e7b5a', /guessable/],
      ]),
      ['BOOTSTRAP_KEY', 'k'.repeat(24), /one character repeated/],
      ['BOOTSTRAP_KEY', 'passwordpassword', /placeholder/],
      ['BOOTSTRAP_KEY', '0123456789012345678901', /guessable: about \d+ bits .* at least 64/],
      ['BOOTSTRAP_KEY', 'Xk9#mQ2!Xk9#mQ2!Xk9#mQ2!', /guessable/],
    ] as Array<[string, string, RegExp]>)('refuses %s=%j in one line naming it and why, without the value', (name, value, why) => {
      const error = configErrorFor({ [name]: value });
      expect(error.message).toMatch(new RegExp(`^${name}: [^\n]+$`));
      expect(error.message).toMatch(why);
      expect(error.message).not.toContain(value);
      expect(error.message).not.toContain(value.slice(0, 8));
    });

    it.each([
      ['AUTH_SECRET', 'base64url of 32 random bytes, as the test stacks generate', 'Yq3L0v9xW2sPzR7nTc5bK1mHdJ8fGaUe4oQiXyNtV6w'],
      ['AUTH_SECRET', 'base64url of 48 random bytes, as npm start generates', 'n0XQ2k7bLZ5vJt8sR3cW1pYfHm6gDa9uKe4iTq2oB5xN8rVy1zC3wE7lF0jS6hMd'],
      ['AUTH_SECRET', 'hex of 32 random bytes', '5f1c9a7e2b8d4036c1e9f7a25b3d8c604e1a7f9b2c5d8e3061f4a9b7c2d5e8f1'],
      ['AUTH_SECRET', 'a long phrase that merely mentions a secret', SECRET],
      ['BOOTSTRAP_RECLAIM_SECRET', 'base64url of 32 random bytes', 'Zb8Qw3Ne7Rt1Yu5Ip9Oa2Sd6Fg0Hj4Kl8Zx3Cv7Bn1Mq'],
      ['BOOTSTRAP_KEY', 'base64 of 24 random bytes', 'q9Zt4Lw1Xe8Rb3Nc6Vm0Ks7Jd2Hf5Gy'],
      ['BOOTSTRAP_KEY', 'a 32-character key with words in it', 'e2e-bootstrap-key-of-32-chars-ok'],
    ])('accepts %s from %s', (name, _what, value) => {
      expect(() => loadConfig({ [name]: value })).not.toThrow();
    });
  });

  describe('<NAME>_FILE', () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'config-spec-'));
    });

    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    const fileWith = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };

    it('reads the value from the file, without its trailing newline', () => {
      const config = loadConfig({ AUTH_SECRET_FILE: fileWith('auth-secret', `${SECRET}\n`) });
      expect(config.authSecret).toBe(SECRET);
    });

    it('reads BOOTSTRAP_RECLAIM_SECRET from BOOTSTRAP_RECLAIM_SECRET_FILE', () => {
      const config = loadConfig({ BOOTSTRAP_RECLAIM_SECRET_FILE: fileWith('reclaim-secret', `${SECRET}\n`) });
      expect(config.bootstrapReclaimSecret).toBe(SECRET);
    });

    it('validates the value read from the file', () => {
      const error = configErrorFor({ DB_CONNECTION_URI_FILE: fileWith('db-url', 'mysql://root@127.0.0.1/db') });
      expect(error.message).toMatch(/^DB_CONNECTION_URI: /);
    });

    it('refuses NAME and NAME_FILE set together', () => {
      const error = configErrorFor({ AUTH_SECRET: SECRET, AUTH_SECRET_FILE: fileWith('both', SECRET) });
      expect(error.message).toMatch(/^AUTH_SECRET\b.*AUTH_SECRET_FILE/);
    });

    it('refuses a file it cannot read, naming NAME_FILE', () => {
      const error = configErrorFor({ BOOTSTRAP_KEY_FILE: join(dir, 'does-not-exist') });
      expect(error.message).toMatch(/^BOOTSTRAP_KEY_FILE: /);
    });
  });
});

describe(requireAuthSecret.name, () => {
  it('returns the secret when it is set', () => {
    expect(requireAuthSecret(loadConfig({ AUTH_SECRET: SECRET }))).toBe(SECRET);
  });

  it('throws a ConfigError naming AUTH_SECRET when it is missing', () => {
    const call = () => requireAuthSecret(loadConfig({}));
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(/^AUTH_SECRET: /);
  });
});

describe(loadConfigOrExit.name, () => {
  const originalEnv = process.env;
  let exit: jest.SpyInstance;
  let stderr: jest.SpyInstance;

  beforeEach(() => {
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    process.env = originalEnv;
    jest.restoreAllMocks();
  });

  it('returns the config when the environment is valid', () => {
    process.env = { PORT: '9090' };
    expect(loadConfigOrExit().port).toBe(9090);
    expect(exit).not.toHaveBeenCalled();
  });

  it('prints one line naming the variable and exits non-zero', () => {
    process.env = { LOG_LEVEL: 'verbose' };
    loadConfigOrExit();
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(stderr.mock.calls[0][0]).toMatch(/^[^\n]*LOG_LEVEL: [^\n]*\n$/);
    expect(exit).toHaveBeenCalledWith(expect.any(Number));
    expect(exit.mock.calls[0][0]).not.toBe(0);
  });

  it('exits when a service that needs AUTH_SECRET has none', () => {
    process.env = {};
    loadConfigOrExit({ needsAuthSecret: true });
    expect(stderr.mock.calls[0][0]).toMatch(/AUTH_SECRET: /);
    expect(exit.mock.calls[0][0]).not.toBe(0);
  });
});
