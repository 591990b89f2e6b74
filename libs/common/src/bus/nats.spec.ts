import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { loggableServers, natsConnectionOptions } from './nats';

describe(loggableServers.name, () => {
  it('keeps URLs without credentials as they are', () => {
    expect(loggableServers(['nats://127.0.0.1:4222', 'tls://nats.internal:4222'])).toEqual([
      'nats://127.0.0.1:4222',
      'tls://nats.internal:4222',
    ]);
  });

  it('masks a user and password', () => {
    expect(loggableServers(['nats://svc:s3cr3t-pass@nats:4222'])).toEqual(['nats://***@nats:4222']);
  });

  it('masks a token given as the user', () => {
    expect(loggableServers(['nats://s3cr3t-token@nats:4222'])[0]).not.toContain('s3cr3t-token');
  });
});

describe(natsConnectionOptions.name, () => {
  const PASSWORD = 'cGFzc3dvcmQtb2YtdGhlLXVzZXItc2VydmljZS11c2Vy';
  const optionsFor = (env: Record<string, string>) => {
    const config = loadConfig(env);
    return natsConnectionOptions(config.natsServers, 'user-service', config.nats);
  };
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nats-options-spec-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('captures no stack per request (a timeout is named by BusClient)', () => {
    expect(optionsFor({})).toMatchObject({ noAsyncTraces: true });
  });

  it('connects without credentials or TLS by default, with the standard inbox', () => {
    const options = optionsFor({});
    expect(options).toMatchObject({ servers: ['nats://127.0.0.1:4222'], name: 'user-service', inboxPrefix: '_INBOX' });
    expect(options).not.toHaveProperty('user');
    expect(options).not.toHaveProperty('pass');
    expect(options).not.toHaveProperty('authenticator');
    expect(options).not.toHaveProperty('tls');
  });

  it("authenticates as the service's user and receives replies on its private inbox", () => {
    const options = optionsFor({ NATS_USER: 'user-service', NATS_PASSWORD: PASSWORD, NATS_INBOX_PREFIX: '_INBOX_user-service' });
    expect(options).toMatchObject({ user: 'user-service', pass: PASSWORD, inboxPrefix: '_INBOX_user-service' });
  });

  it('authenticates with a .creds file through an authenticator, not a user and password', () => {
    const creds = join(dir, 'user.creds');
    writeFileSync(creds, '-----BEGIN NATS USER JWT-----\nx\n------END NATS USER JWT------\n-----BEGIN USER NKEY SEED-----\ny\n------END USER NKEY SEED------\n');
    const options = optionsFor({ NATS_CREDS_FILE: creds });
    expect(typeof options.authenticator).toBe('function');
    expect(options).not.toHaveProperty('user');
  });

  it('requires TLS for a tls:// URL', () => {
    expect(optionsFor({ NATS_URL: 'tls://nats:4222' }).tls).toEqual({});
  });

  it('passes the CA, certificate and key files for (mutual) TLS', () => {
    const [ca, cert, key] = ['ca.pem', 'cert.pem', 'key.pem'].map((name) => join(dir, name));
    for (const file of [ca, cert, key]) writeFileSync(file, 'PEM');
    expect(optionsFor({ NATS_TLS_CA_FILE: ca, NATS_TLS_CERT_FILE: cert, NATS_TLS_KEY_FILE: key }).tls).toEqual({
      caFile: ca,
      certFile: cert,
      keyFile: key,
    });
  });
});
