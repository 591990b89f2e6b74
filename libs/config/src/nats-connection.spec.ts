import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const PASSWORD = 'Qm9vdHN0cmFwLW5hdHMtcGFzc3dvcmQtZm9yLXRlc3Rz';

/** A .creds file as `nsc` writes it (the JWT and seed are placeholders: only the shape is checked). */
const CREDS = `-----BEGIN NATS USER JWT-----
eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.c2ln
------END NATS USER JWT------

-----BEGIN USER NKEY SEED-----
SUAEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLEEXAMPLE
------END USER NKEY SEED------
`;

function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig: NATS connection and authentication', () => {
  let dir: string;
  const fileWith = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nats-config-spec-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('defaults', () => {
    it('connects without credentials or TLS, with the standard inbox prefix', () => {
      expect(loadConfig({}).nats).toEqual({ inboxPrefix: '_INBOX' });
    });
  });

  describe('credentials', () => {
    it('takes NATS_USER, NATS_PASSWORD and NATS_INBOX_PREFIX', () => {
      const { nats } = loadConfig({ NATS_USER: 'user-service', NATS_PASSWORD: PASSWORD, NATS_INBOX_PREFIX: '_INBOX_user-service' });
      expect(nats).toEqual({ user: 'user-service', password: PASSWORD, inboxPrefix: '_INBOX_user-service' });
    });

    it('reads the password from NATS_PASSWORD_FILE', () => {
      const { nats } = loadConfig({ NATS_USER: 'user-service', NATS_PASSWORD_FILE: fileWith('password', `${PASSWORD}\n`) });
      expect(nats.password).toBe(PASSWORD);
    });

    it('takes a credentials file', () => {
      const creds = fileWith('user.creds', CREDS);
      expect(loadConfig({ NATS_CREDS_FILE: creds }).nats.credsFile).toBe(creds);
    });

    it.each<[string, Record<string, string>, string]>([
      ['a user without a password', { NATS_USER: 'user-service' }, 'NATS_USER'],
      ['a password without a user', { NATS_PASSWORD: PASSWORD }, 'NATS_PASSWORD'],
      ['a user and a credentials file', { NATS_USER: 'user-service', NATS_PASSWORD: PASSWORD, NATS_CREDS_FILE: '/dev/null' }, 'NATS_CREDS_FILE'],
      ['a password and a credentials file', { NATS_PASSWORD: PASSWORD, NATS_CREDS_FILE: '/dev/null' }, 'NATS_CREDS_FILE'],
      ['an unreadable credentials file', { NATS_CREDS_FILE: '/nonexistent/user.creds' }, 'NATS_CREDS_FILE'],
      ['an unreadable password file', { NATS_USER: 'user-service', NATS_PASSWORD_FILE: '/nonexistent/password' }, 'NATS_PASSWORD_FILE'],
      ['an inbox prefix with a wildcard', { NATS_INBOX_PREFIX: '_INBOX.>' }, 'NATS_INBOX_PREFIX'],
      ['an inbox prefix with a space', { NATS_INBOX_PREFIX: '_INBOX me' }, 'NATS_INBOX_PREFIX'],
    ])('refuses %s with one line naming %s', (_case, env, name) => {
      expect(configErrorFor(env).message).toMatch(new RegExp(`^${name}: [^\n]+$`));
    });

    it('refuses a file that is not a credentials file, naming NATS_CREDS_FILE', () => {
      expect(configErrorFor({ NATS_CREDS_FILE: fileWith('not.creds', 'hello') }).message).toMatch(/^NATS_CREDS_FILE: [^\n]+$/);
    });

    it.each([
      ['a user and password', 'nats://user-service:s3cr3t-pass@nats:4222', 's3cr3t-pass'],
      ['a token', 'nats://s3cr3t-token@nats:4222', 's3cr3t-token'],
      ['credentials in the second of two URLs', 'nats://a:4222,tls://u:s3cr3t-pass@b:4222', 's3cr3t-pass'],
    ])('refuses %s inside NATS_URL in one line naming it, without the secret', (_case, url, secret) => {
      const { message } = configErrorFor({ NATS_URL: url });
      expect(message).toMatch(/^NATS_URL: [^\n]+$/);
      expect(message).not.toContain(secret);
    });
  });

  describe('TLS', () => {
    it('demands TLS for a tls:// URL', () => {
      expect(loadConfig({ NATS_URL: 'tls://nats.internal:4222' }).nats.tls).toEqual({});
    });

    it('demands TLS when a CA is given, even for a nats:// URL', () => {
      const ca = fileWith('ca.pem', 'CA');
      expect(loadConfig({ NATS_TLS_CA_FILE: ca }).nats.tls).toEqual({ caFile: ca });
    });

    it('takes a client certificate and key together, for mutual TLS', () => {
      const [ca, cert, key] = [fileWith('ca2.pem', 'CA'), fileWith('cert.pem', 'CERT'), fileWith('key.pem', 'KEY')];
      const { nats } = loadConfig({ NATS_URL: 'tls://nats:4222', NATS_TLS_CA_FILE: ca, NATS_TLS_CERT_FILE: cert, NATS_TLS_KEY_FILE: key });
      expect(nats.tls).toEqual({ caFile: ca, certFile: cert, keyFile: key });
    });

    it('leaves TLS to the server for nats:// URLs without TLS files', () => {
      expect(loadConfig({ NATS_URL: 'nats://nats:4222' }).nats.tls).toBeUndefined();
    });

    it.each<[string, Record<string, string>, string]>([
      ['a certificate without its key', { NATS_TLS_CERT_FILE: '/dev/null' }, 'NATS_TLS_KEY_FILE'],
      ['a key without its certificate', { NATS_TLS_KEY_FILE: '/dev/null' }, 'NATS_TLS_CERT_FILE'],
      ['an unreadable CA file', { NATS_TLS_CA_FILE: '/nonexistent/ca.pem' }, 'NATS_TLS_CA_FILE'],
      ['an unreadable certificate', { NATS_TLS_CERT_FILE: '/nonexistent/cert.pem', NATS_TLS_KEY_FILE: '/dev/null' }, 'NATS_TLS_CERT_FILE'],
      ['an unreadable key', { NATS_TLS_CERT_FILE: '/dev/null', NATS_TLS_KEY_FILE: '/nonexistent/key.pem' }, 'NATS_TLS_KEY_FILE'],
      ['tls:// mixed with nats://', { NATS_URL: 'tls://a:4222,nats://b:4222' }, 'NATS_URL'],
    ])('refuses %s with one line naming %s', (_case, env, name) => {
      expect(configErrorFor(env).message).toMatch(new RegExp(`^${name}: [^\n]+$`));
    });
  });
});
