import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { INITIALIZED_MEMORY_MS } from '@app/common';
import { BusUser } from '@app/contracts';
import { ConnectionOptions, NatsConnection } from 'nats';
import { AppName, AppProcess, APPS } from './app-process';
import { freePort, waitFor } from './free-port';
import { TestNatsServer } from './nats-server';
import { createTestDatabase, existingTestDatabase, TestDatabase } from './postgres';
import { TestPostgresServer } from './postgres-server';
import { principalKeyEnv } from './principal-keys';
import { resetInstance } from './reset';

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
  /** Give every process its own free HEALTH_PORT (its /health and /metrics server); see AppProcess.healthPort. */
  healthPorts?: boolean;
  /** How often waitHealthy polls /api/health (default 100 ms); the bench polls finer to time cold starts. */
  healthPollMs?: number;
}

/** What the stack needs of its NATS: a server of its own (TestNatsServer) or one the caller runs and stops (TestNatsCluster). */
export interface TestNats {
  /** NATS_URL: one URL, or a comma-separated list. */
  readonly url: string;
  credentials(user: BusUser): Record<string, string>;
  connect(user: BusUser, options?: Partial<ConnectionOptions>): Promise<NatsConnection>;
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
export class TestStack<N extends TestNats = TestNatsServer> {
  readonly authSecret = randomBytes(32).toString('base64url');
  /** The orchestrator's key for Idempotency-Key digests (re-claiming the root credential). */
  readonly reclaimSecret = randomBytes(32).toString('base64url');
  /** The Ed25519 pair principals are signed with: the private key for identity- and user-service only. */
  readonly principalKeys = principalKeyEnv();
  readonly processes: AppProcess[] = [];
  private readonly connections: NatsConnection[] = [];
  gatewayPorts: number[] = [];
  /** performance.now() when the app processes were spawned, and when /api/health first answered 200 after that (cold start). */
  launchedAt?: number;
  healthyAt?: number;

  private constructor(
    readonly options: StackOptions,
    readonly nats: N,
    readonly db: TestDatabase,
    /** The server the stack started, and so stops; none when the caller gave its NATS. */
    private readonly ownNats: TestNatsServer | undefined,
  ) {}

  static start(options: StackOptions): Promise<TestStack>;
  /** On NATS the caller started, and stops after the stack. */
  static start<N extends TestNats>(options: StackOptions & { nats: N }): Promise<TestStack<N>>;
  static async start(options: StackOptions & { nats?: TestNats }): Promise<TestStack<TestNats>> {
    const [ownNats, db] = await Promise.all([options.nats === undefined ? TestNatsServer.start() : undefined, createStackDatabase(options)]);
    const stack = new TestStack<TestNats>(options, options.nats ?? ownNats!, db, ownNats);
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
      PRINCIPAL_PUBLIC_KEY: this.principalKeys.PRINCIPAL_PUBLIC_KEY,
      LOG_LEVEL: 'debug',
      // Many tests race or repeat bootstraps and logins from 127.0.0.1; the limit has tests of its own.
      UNAUTHENTICATED_RATE_LIMIT: '0',
      ...this.options.env,
    };
  }

  /**
   * Everything `app` is started with: its NATS user, the common environment, and the principal
   * signing key for the two services that authenticate tokens (the gateway never holds it).
   */
  envFor(app: AppName): Record<string, string> {
    const signs = app === 'identity-service' || app === 'user-service';
    return { ...this.nats.credentials(app), ...this.baseEnv(), ...(signs ? { PRINCIPAL_SIGNING_KEY: this.principalKeys.PRINCIPAL_SIGNING_KEY } : {}) };
  }

  /** A NATS connection with the rights of `user` only (api-gateway to send what the gateway sends, events-reader to read the events…). */
  natsAs(user: BusUser, options: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
    const connecting = this.nats.connect(user, options);
    // Closed by stop(), so a test need not keep track of the connections it opened.
    void connecting.then((nc) => this.connections.push(nc), () => undefined);
    return connecting;
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
    this.launchedAt = performance.now();
    for (const app of APPS) {
      const count = app === 'api-gateway' ? (this.options.gateways ?? replicas) : replicas;
      for (let i = 0; i < count; i += 1) {
        // Each app connects as its own NATS user, as in production (see *Bus security*).
        const env = this.envFor(app);
        if (app === 'api-gateway') {
          const port = await freePort();
          this.gatewayPorts.push(port);
          env.PORT = String(port);
        }
        if (this.options.healthPorts === true) env.HEALTH_PORT = String(await freePort());
        const proc = new AppProcess(app, `${this.options.name}-${app}-${i + 1}`, env);
        this.processes.push(proc);
        started.push(proc.start());
      }
    }
    await Promise.all(started);
    await this.waitHealthy();
  }

  /**
   * Test only: the instance back to "never bootstrapped" (see resetInstance), once the gateways
   * have forgotten that it was initialized (they remember it for INITIALIZED_MEMORY_MS).
   */
  async resetInstance(): Promise<void> {
    await resetInstance(this.db);
    await sleep(INITIALIZED_MEMORY_MS);
  }

  /** Resolves once the gateway reports every dependency up. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    for (const url of this.gatewayUrls) {
      await waitFor(`${url}/api/health`, async () => ((await fetch(`${url}/api/health`)).status === 200 ? true : undefined), {
        timeoutMs,
        intervalMs: this.options.healthPollMs ?? 100,
      });
    }
    this.healthyAt ??= performance.now();
  }

  /** Releases everything, each part even when another fails (a test may have left a dependency down). */
  async stop(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = (release: () => Promise<unknown>) => release().catch((error: unknown) => errors.push(error));
    await Promise.all(this.connections.map((nc) => nc.close().catch(() => undefined)));
    await attempt(() => Promise.all(this.processes.map((p) => p.dispose())));
    if (this.ownNats !== undefined) await attempt(() => this.ownNats!.destroy());
    await attempt(() => this.db.drop());
    if (errors.length > 0) throw errors[0];
  }
}
