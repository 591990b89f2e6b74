import { readFileSync } from 'node:fs';
import { NatsConnectionConfig } from '@app/config';
import { connect, ConnectionOptions, credsAuthenticator, NatsConnection } from 'nats';

/**
 * Connection options shared by every NATS connection: this process's NATS user (password or
 * .creds file), its private reply inbox and TLS (see *Bus security*); wait for a server that is
 * not up yet, and reconnect forever with backoff instead of crash-looping. The result holds
 * secrets: never log it (loggableServers is for the servers).
 */
export function natsConnectionOptions(servers: string[], name: string, auth: NatsConnectionConfig): ConnectionOptions {
  const options: ConnectionOptions = {
    servers,
    name,
    inboxPrefix: auth.inboxPrefix,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    pingInterval: 10_000,
  };
  if (auth.user !== undefined) {
    options.user = auth.user;
    options.pass = auth.password;
  }
  // Read at start, like the other secrets: a rotated file takes effect on the next restart.
  if (auth.credsFile !== undefined) options.authenticator = credsAuthenticator(readFileSync(auth.credsFile));
  // Any `tls` object makes the client refuse a server without TLS; the files are read at connect.
  if (auth.tls !== undefined) options.tls = { ...auth.tls };
  return options;
}

export function connectNats(servers: string[], name: string, auth: NatsConnectionConfig): Promise<NatsConnection> {
  return connect(natsConnectionOptions(servers, name, auth));
}

/** Whether the server answers a round trip within the timeout (a reconnecting client does not). */
export async function natsAnswers(nc: NatsConnection | undefined, timeoutMs = 1_000): Promise<boolean> {
  if (nc === undefined || nc.isClosed()) return false;
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  return Promise.race([nc.flush().then(() => true, () => false), timeout]);
}

/** NATS URLs fit for a log line: credentials in them (nats://user:pass@host) are masked. */
export function loggableServers(servers: string[]): string[] {
  return servers.map((server) => {
    try {
      const url = new URL(server);
      if (url.username === '' && url.password === '') return server;
      url.username = '***';
      url.password = '';
      return url.toString().replace(/\/$/, '');
    } catch {
      return '[unparsable]';
    }
  });
}
