import { Logger } from '@nestjs/common';
import { NatsConnectionConfig } from '@app/config';
import { NatsConnection, NatsError } from 'nats';
import { connectNats, loggableServers } from './nats';

/**
 * One process's outgoing NATS connection, opened in the background: the process starts (the
 * gateway answers /api/status and a 503 /api/health) while NATS is still down, and a request
 * made while the connection is down fails after a short grace (a blip is absorbed) instead of
 * waiting for its whole timeout.
 */
export class NatsLink {
  private readonly logger = new Logger(NatsLink.name);
  private nc?: NatsConnection;
  private up = false;
  private waiters: Array<() => void> = [];
  /** Resolves at the first successful connection (retried with backoff until then). */
  readonly ready: Promise<NatsConnection>;

  constructor(servers: string[], name: string, auth: NatsConnectionConfig) {
    this.logger.log({ msg: 'Connecting to NATS', servers: loggableServers(servers), user: auth.user });
    this.ready = connectNats(servers, name, auth).then((nc) => {
      this.nc = nc;
      this.setUp(true);
      this.logger.log({ msg: 'Connected to NATS', server: nc.getServer() });
      void this.follow(nc);
      return nc;
    });
    // The client gives up only when the server refuses the credentials twice, or when it is
    // closed before the first connection (nothing to say then).
    this.ready.catch((error: unknown) => {
      if (error instanceof NatsError && error.isAuthError()) {
        this.logger.error({ msg: 'NATS refused the credentials; check NATS_USER and NATS_PASSWORD (or NATS_CREDS_FILE)', code: error.code });
      }
    });
  }

  /** The connection while it is connected; undefined while connecting, reconnecting or closed. */
  get connection(): NatsConnection | undefined {
    return this.up && this.nc !== undefined && !this.nc.isClosed() ? this.nc : undefined;
  }

  /** The connection once it is connected, waiting at most `graceMs`; undefined if it is not by then. */
  async whenConnected(graceMs: number): Promise<NatsConnection | undefined> {
    if (this.connection !== undefined || graceMs <= 0) return this.connection;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      timer = setTimeout(resolve, graceMs);
    });
    clearTimeout(timer);
    return this.connection;
  }

  /** Whatever was opened, connected or not (for closing). */
  get opened(): NatsConnection | undefined {
    return this.nc;
  }

  private async follow(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') {
        this.setUp(s.type === 'reconnect');
        this.logger.warn({ msg: `NATS ${s.type}`, server: String(s.data) });
      }
    }
  }

  private setUp(up: boolean): void {
    this.up = up;
    if (!up) return;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}
