import { connect, ConnectionOptions, NatsConnection } from 'nats';

/**
 * Connection options shared by every NATS connection: wait for a server that is not up yet,
 * and reconnect forever with backoff instead of crash-looping.
 */
export function natsConnectionOptions(servers: string[], name: string): ConnectionOptions {
  return {
    servers,
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    pingInterval: 10_000,
  };
}

export function connectNats(servers: string[], name: string): Promise<NatsConnection> {
  return connect(natsConnectionOptions(servers, name));
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
