import { NatsConnectionConfig, natsAuthOptions } from '@app/config';
import { connect, ConnectionOptions, NatsConnection } from 'nats';

/**
 * Connection options shared by every NATS connection: this process's NATS user (password or
 * .creds file), its private reply inbox and TLS (see *Bus security*); wait for a server that is
 * not up yet, and reconnect forever with backoff instead of crash-looping. The result holds
 * secrets: never log it (loggableServers is for the servers).
 */
export function natsConnectionOptions(servers: string[], name: string, auth: NatsConnectionConfig): ConnectionOptions {
  return {
    servers,
    name,
    ...natsAuthOptions(auth),
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    pingInterval: 10_000,
    // No stack captured at each request for a timeout's sake: BusClient names the subject of a
    // timeout itself, and that capture was a visible part of the gateway's cost per request.
    noAsyncTraces: true,
  };
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
