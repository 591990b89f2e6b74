import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadCliEnv } from '@app/config';
import { bootstrapPlan, BootstrapFlags, parseDomain, parseNatsUrls, parseSeconds, UsageError } from './options';

const GOOD: BootstrapFlags = { domain: 'https://infisical.example.com', email: 'Admin@Example.com', password: 'your-secure-password', organization: 'dog' };

describe(bootstrapPlan.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrapctl-'));

  it('accepts good flags, normalizes the email and defaults to json', () => {
    const plan = bootstrapPlan(GOOD, {});
    expect(plan).toMatchObject({ baseUrl: 'https://infisical.example.com', output: 'json', ignoreIfBootstrapped: false });
    expect(plan.request).toEqual({ email: 'admin@example.com', password: 'your-secure-password', organization: 'dog' });
  });

  it('falls back on the environment, and a flag wins over its variable', () => {
    const env = { domain: 'http://gw:8080/api/', email: 'env@example.com', password: 'env-password-1', organization: 'env-org', bootstrapKey: 'k'.repeat(20) };
    const plan = bootstrapPlan({ organization: 'flag-org' }, env);
    expect(plan.baseUrl).toBe('http://gw:8080');
    expect(plan.request).toEqual({ email: 'env@example.com', password: 'env-password-1', organization: 'flag-org' });
    expect(plan.bootstrapKey).toBe('k'.repeat(20));
  });

  it.each<[string, BootstrapFlags, RegExp]>([
    ['no domain', { ...GOOD, domain: undefined }, /--domain is required.*no default/],
    ['a bad URL', { ...GOOD, domain: 'infisical.example.com' }, /--domain must be an http/],
    ['an ftp URL', { ...GOOD, domain: 'ftp://example.com' }, /--domain must be an http/],
    ['credentials in the URL', { ...GOOD, domain: 'https://u:p@example.com' }, /credentials/],
    ['no email', { ...GOOD, email: undefined }, /--email is required/],
    ['a bad email', { ...GOOD, email: 'not-an-email' }, /--email: Email must be a valid/],
    ['no password', { ...GOOD, password: undefined }, /--password is required/],
    ['a short password', { ...GOOD, password: 'short' }, /--password: Password must be at least 8/],
    ['an empty organization', { ...GOOD, organization: '  ' }, /--organization: Organization must not be empty/],
    ['an unknown output', { ...GOOD, output: 'yaml' }, /--output must be one of json, env, k8-secret/],
    ['k8 name without k8-secret', { ...GOOD, k8SecretName: 'x' }, /need --output k8-secret/],
    ['k8 namespace without k8-secret', { ...GOOD, output: 'env', k8SecretNamespace: 'x' }, /need --output k8-secret/],
    ['a bad k8 name', { ...GOOD, output: 'k8-secret', k8SecretName: 'Bad_Name' }, /--k8-secret-name must be/],
    ['a bad k8 namespace', { ...GOOD, output: 'k8-secret', k8SecretNamespace: 'a.b' }, /--k8-secret-namespace must be/],
    ['an --out in a missing directory', { ...GOOD, out: '/nonexistent-dir/token' }, /--out .* cannot be written/],
    ['an --out that is a directory', { ...GOOD, out: tmpdir() }, /is a directory/],
    ['a bad --wait', { ...GOOD, wait: '2m' }, /--wait must be a whole number of seconds/],
    ['a negative retry count', { ...GOOD, retries: '-1' }, /--retries must be/],
    ['too many retries', { ...GOOD, retries: '11' }, /--retries must be/],
    ['a bootstrap key with spaces', { ...GOOD, bootstrapKey: 'a key' }, /--bootstrap-key/],
  ])('refuses %s with a usage error', (_case, flags, message) => {
    expect(() => bootstrapPlan(flags, {})).toThrow(UsageError);
    expect(() => bootstrapPlan(flags, {})).toThrow(message);
  });

  it('never puts the password in a message', () => {
    const password = 'sh';
    try {
      bootstrapPlan({ ...GOOD, password }, {});
      throw new Error('accepted');
    } catch (error) {
      expect((error as Error).message).not.toContain(`${password}'`);
      expect((error as Error).message).toMatch(/^--password: /);
    }
  });

  it('refuses an --out in a read-only directory (unless root, who may write anywhere)', () => {
    const readOnly = join(dir, 'ro');
    require('node:fs').mkdirSync(readOnly, { mode: 0o500 });
    const run = () => bootstrapPlan({ ...GOOD, out: join(readOnly, 'token') }, {});
    if (process.getuid?.() === 0) expect(run).not.toThrow();
    else expect(run).toThrow(/cannot be written/);
    chmodSync(readOnly, 0o700);
  });

  it('accepts an --out that exists, as an absolute path', () => {
    const file = join(dir, 'existing');
    writeFileSync(file, 'old');
    expect(bootstrapPlan({ ...GOOD, out: file, output: 'k8-secret', k8SecretName: 'a.b-c', k8SecretNamespace: 'infisical' }, {}).out).toBe(file);
  });
});

describe(loadCliEnv.name, () => {
  it("reads Infisical's variables, INFISICAL_API_URL when INFISICAL_DOMAIN is unset, empty meaning unset", () => {
    expect(loadCliEnv({ INFISICAL_API_URL: 'http://a/api', INFISICAL_DOMAIN: '', INFISICAL_ADMIN_EMAIL: 'e@example.com' })).toEqual({
      domain: 'http://a/api',
      email: 'e@example.com',
      password: undefined,
      organization: undefined,
      bootstrapKey: undefined,
      natsUrl: undefined,
    });
  });

  it('reads INFISICAL_ADMIN_PASSWORD_FILE without its final newline, and refuses both or an unreadable file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bootstrapctl-')), 'password');
    writeFileSync(file, 'from-a-file-123\n');
    expect(loadCliEnv({ INFISICAL_ADMIN_PASSWORD_FILE: file }).password).toBe('from-a-file-123');
    expect(() => loadCliEnv({ INFISICAL_ADMIN_PASSWORD_FILE: file, INFISICAL_ADMIN_PASSWORD: 'x' })).toThrow(/both set/);
    const empty = join(dirname(file), 'empty');
    writeFileSync(empty, '');
    expect(loadCliEnv({ BOOTSTRAP_KEY_FILE: empty }).bootstrapKey).toBeUndefined();
    expect(() => loadCliEnv({ INFISICAL_ADMIN_PASSWORD_FILE: '/nonexistent' })).toThrow(/INFISICAL_ADMIN_PASSWORD_FILE: cannot read/);
  });
});

describe('small parsers', () => {
  it('parses domains, seconds and NATS URLs', () => {
    expect(parseDomain('https://x.example.com/infisical/')).toBe('https://x.example.com/infisical');
    expect(parseSeconds('30', '--wait')).toBe(30);
    expect(() => parseSeconds('-1', '--wait')).toThrow(UsageError);
    expect(parseNatsUrls('nats://a:4222, nats://b:4222')).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(() => parseNatsUrls('nats://u:p@a:4222')).toThrow(/credentials/);
    expect(() => parseNatsUrls('http://a')).toThrow(UsageError);
    expect(() => parseNatsUrls(undefined)).toThrow(/--nats is required/);
  });
});
