import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { freePort, NATS_SERVER_BINARY, TestNatsServer, waitFor } from '@app/testing';
import { connect, ErrorCode, NatsConnection, NatsError } from 'nats';
import { natsConnectionOptions } from '../src/bus/nats';

jest.setTimeout(30_000);

/** A CA, and a server and a client certificate it signed (for 127.0.0.1, which the client checks as localhost), made with openssl. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['server', 'client']) {
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', 'san.ext');
  }
}

/** The outcome of connecting with the options a service builds from this environment. */
async function connectWith(env: Record<string, string>): Promise<string> {
  const config = loadConfig(env);
  let nc: NatsConnection | undefined;
  try {
    nc = await connect({ ...natsConnectionOptions(config.natsServers, 'tls-test', config.nats), waitOnFirstConnect: false, reconnect: false, timeout: 3_000 });
    await nc.flush();
    return 'connected';
  } catch (error) {
    return error instanceof NatsError ? error.code : (error as Error).message;
  } finally {
    await nc?.close();
  }
}

describe('NATS over TLS (natsConnectionOptions against a real nats-server)', () => {
  let dir: string;
  let port: number;
  let server: ChildProcess;
  let plain: TestNatsServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nats-tls-'));
    makeCertificates(dir);
    port = await freePort();
    // Mutual TLS: the server verifies a client certificate signed by the CA.
    const flags = ['--tls', '--tlscert', 'server.pem', '--tlskey', 'server.key', '--tlscacert', 'ca.pem', '--tlsverify'];
    server = spawn(NATS_SERVER_BINARY, ['-a', '127.0.0.1', '-p', String(port), ...flags], { cwd: dir, stdio: 'ignore' });
    await waitFor('the TLS nats-server', async () => (execFileSync('ss', ['-ltn']).toString().includes(`127.0.0.1:${port}`) ? true : undefined));
    plain = await TestNatsServer.start({ permissions: false });
  });

  afterAll(async () => {
    server?.kill('SIGKILL');
    await plain?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const files = () => ({
    NATS_TLS_CA_FILE: join(dir, 'ca.pem'),
    NATS_TLS_CERT_FILE: join(dir, 'client.pem'),
    NATS_TLS_KEY_FILE: join(dir, 'client.key'),
  });

  it('connects with the CA, the client certificate and its key (mutual TLS)', async () => {
    expect(await connectWith({ NATS_URL: `tls://127.0.0.1:${port}`, ...files() })).toBe('connected');
  });

  it('is refused without a client certificate when the server demands one', async () => {
    const { NATS_TLS_CA_FILE } = files();
    expect(await connectWith({ NATS_URL: `tls://127.0.0.1:${port}`, NATS_TLS_CA_FILE })).not.toBe('connected');
  });

  it('refuses a server whose certificate the CA did not sign', async () => {
    const { NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE } = files();
    // The client's own certificate as the "CA": it signed nothing.
    expect(await connectWith({ NATS_URL: `tls://127.0.0.1:${port}`, NATS_TLS_CA_FILE: NATS_TLS_CERT_FILE, NATS_TLS_CERT_FILE, NATS_TLS_KEY_FILE })).not.toBe(
      'connected',
    );
  });

  it('never falls back to plain text: a tls:// URL to a server without TLS is refused', async () => {
    expect(await connectWith({ NATS_URL: `tls://127.0.0.1:${plain.port}` })).toBe(ErrorCode.ServerOptionNotAvailable);
  });

  it('connects in plain text to a plain nats:// URL without TLS settings (the local default)', async () => {
    expect(await connectWith({ NATS_URL: plain.url })).toBe('connected');
  });
});
