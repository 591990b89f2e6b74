import { randomBytes } from 'node:crypto';
import { BusUser } from '@app/contracts';
import { ConnectionOptions, NatsConnection } from 'nats';
import { AppName, AppProcess, APPS } from './app-process';
import { freePort, waitFor } from './free-port';
import { TestNatsServer } from './nats-server';
import { createTestDatabase, existingTestDatabase, TestDatabase } from './postgres';
import { TestPostgresServer } from './postgres-server';

export interface StackOptions {
  /** Processes per app (two gateways, two orchestrators…). */
  replicas?: number;
  /** Gateway processes, when not `replicas` (e.g. a second gateway to prove what holds across them). */
  gateways?: number;
  /** Extra environment for every process. */
  env?: Record<string, string>;
  /** Prefix for database names and log files. */
  name: string;
  /** Run on a fresh database of this private server (to stop and restart Postgres) instead of the machine's. */
  postgres?: TestPostgresServer;
  /** Run on this existing database, which the caller created and drops. */
  databaseUrl?: string;
}

function createStackDatabase(options: StackOptions): Promise<TestDatabase> {
  const prefix = options.name.replace(/\W/g, '_');
  if (options.databaseUrl !== undefined) return Promise.resolve(existingTestDatabase(options.databaseUrl));
  if (options.postgres !== undefined) return options.postgres.createDatabase(prefix);
  return createTestDatabase(prefix);
}

/**
 * The whole system for an end-to-end test: its own nats-server, a fresh database (on the
 * machine's Postgres unless told otherwise), and every app as its own process, configured only
 * by environment variables, like containers.
 */
export class TestStack {
  readonly authSecret = randomBytes(32).toString('base64url');
  /** The orchestrator's key for Idempotency-Key digests (re-claiming the root credential). */
  readonly reclaimSecret = randomBytes(32).toString('base64url');
  readonly processes: AppProcess[] = [];
  gatewayPorts: number[] = [];

  private constructor(
    readonly options: StackOptions,
    readonly nats: TestNatsServer,
    readonly db: TestDatabase,
  ) {}

  static async start(options: StackOptions): Promise<TestStack> {
    const [nats, db] = await Promise.all([TestNatsServer.start(), createStackDatabase(options)]);
    const stack = new TestStack(options, nats, db);
    try {
      await stack.launch();
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.gatewayPorts[0]}`;
  }

  get gatewayUrls(): string[] {
    return this.gatewayPorts.map((p) => `http://127.0.0.1:${p}`);
  }

  baseEnv(): Record<string, string> {
    return {
      NODE_ENV: 'test',
      NATS_URL: this.nats.url,
      DB_CONNECTION_URI: this.db.url,
      AUTH_SECRET: this.authSecret,
      BOOTSTRAP_RECLAIM_SECRET: this.reclaimSecret,
      LOG_LEVEL: 'debug',
      ...this.options.env,
    };
  }

  /** A NATS connection with the rights of `user` only (api-gateway to send what the gateway sends, events-reader to read the events…). */
  natsAs(user: BusUser, options: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
    return this.nats.connect(user, options);
  }

  /** The processes of one app, in start order. */
  app(name: AppName): AppProcess[] {
    return this.processes.filter((p) => p.app === name);
  }

  /** All logs of all processes, for secret scans. */
  allLogs(): string {
    return this.processes.map((p) => p.logs).join('\n');
  }

  private async launch(): Promise<void> {
    const replicas = this.options.replicas ?? 1;
    const started: Array<Promise<void>> = [];
    for (const app of APPS) {
      const count = app === 'api-gateway' ? (this.options.gateways ?? replicas) : replicas;
      for (let i = 0; i < count; i += 1) {
        // Each app connects as its own NATS user, as in production (see *Bus security*).
        const env = { ...this.nats.credentials(app), ...this.baseEnv() };
        if (app === 'api-gateway') {
          const port = await freePort();
          this.gatewayPorts.push(port);
          env.PORT = String(port);
        }
        const proc = new AppProcess(app, `${this.options.name}-${app}-${i + 1}`, env);
        this.processes.push(proc);
        started.push(proc.start());
      }
    }
    await Promise.all(started);
    await this.waitHealthy();
  }

  /** Resolves once the gateway reports every dependency up. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    for (const url of this.gatewayUrls) {
      await waitFor(`${url}/api/health`, async () => ((await fetch(`${url}/api/health`)).status === 200 ? true : undefined), {
        timeoutMs,
        intervalMs: 100,
      });
    }
  }

  /** Releases everything, each part even when another fails (a test may have left a dependency down). */
  async stop(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = (release: () => Promise<unknown>) => release().catch((error: unknown) => errors.push(error));
    await attempt(() => Promise.all(this.processes.map((p) => p.dispose())));
    await attempt(() => this.nats.destroy());
    await attempt(() => this.db.drop());
    if (errors.length > 0) throw errors[0];
  }
}
