import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusUser } from '@app/contracts';
import { GeneratedNatsConfig, generateNatsConfig, writeNatsConfig } from '@app/nats-auth';
import { connect, ConnectionOptions, NatsConnection } from 'nats';
import { freePort, waitFor } from './free-port';

export const NATS_SERVER_BINARY = '/usr/sbin/nats-server';

/**
 * The test servers' bcrypt cost: the same hashes as production's (cost 11) in format, cheaper to
 * make and to check (nats-server checks one per connection).
 */
export const TEST_BCRYPT_COST = 8;

export interface TestNatsServerOptions {
  /**
   * true (the default): the configuration `npm run nats:config` generates, freshly, with a user
   * per service and the permissions from libs/contracts. false: no users and no permissions
   * (anyone may do anything), for tests of the bus machinery itself on subjects of their own.
   */
  permissions?: boolean;
  /**
   * A configuration generated for several servers, to share its users (a cluster's nodes); the
   * server starts from its file `configFile` (e.g. cluster-<node>.conf) instead of nats-server.conf.
   */
  config?: GeneratedNatsConfig;
  configFile?: string;
  /** Ports chosen beforehand, as a cluster's configuration names them; free ones unless given. */
  port?: number;
  monitorPort?: number;
}

/** One client connection as the server's monitoring endpoint reports it. */
export interface ServerConnection {
  cid: number;
  name?: string;
  /** The NATS user it authenticated as. */
  authorized_user?: string;
  subscriptions_list?: string[];
}

/** A private nats-server with JetStream for one test file: real, and killable at will. */
export class TestNatsServer {
  private process?: ChildProcess;
  private output = '';

  private constructor(
    readonly port: number,
    readonly monitorPort: number,
    private readonly dir: string,
    private readonly config?: GeneratedNatsConfig,
    private readonly configFile = 'nats-server.conf',
  ) {}

  static async start(options: TestNatsServerOptions = {}): Promise<TestNatsServer> {
    const dir = mkdtempSync(join(tmpdir(), 'nats-js-'));
    const [port, monitorPort, config] = await Promise.all([
      options.port ?? freePort(),
      options.monitorPort ?? freePort(),
      options.config ?? (options.permissions === false ? undefined : generateNatsConfig({ bcryptCost: TEST_BCRYPT_COST })),
    ]);
    if (config !== undefined) writeNatsConfig(join(dir, 'config'), config);
    const server = new TestNatsServer(port, monitorPort, dir, config, options.configFile);
    await server.resume();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Whether the process runs (not stopped, or resumed since). */
  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null;
  }

  /** Whether the server runs the generated users and permissions. */
  get secured(): boolean {
    return this.config !== undefined;
  }

  /** Everything the server logged (permission violations included). */
  get logs(): string {
    return this.output;
  }

  /** The environment that makes a process connect as `user`: its password and private inbox (nothing on an open server). */
  credentials(user: BusUser): Record<string, string> {
    return this.config === undefined ? {} : { ...this.config.users[user] };
  }

  /** A connection as `user`, with its password and private inbox; an anonymous one on an open server. */
  connect(user: BusUser, options: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
    const c = this.config?.users[user];
    const auth = c === undefined ? {} : { user: c.NATS_USER, pass: c.NATS_PASSWORD, inboxPrefix: c.NATS_INBOX_PREFIX };
    return connect({ servers: this.url, name: `test:${user}`, ...auth, ...options });
  }

  /** The client connections the server has now, with the user each one authenticated as. */
  async connections(): Promise<ServerConnection[]> {
    const response = await fetch(`http://127.0.0.1:${this.monitorPort}/connz?auth=true&subs=true&limit=1024`);
    return ((await response.json()) as { connections?: ServerConnection[] }).connections ?? [];
  }

  /** The JetStream streams and their message counts, from the monitoring endpoint: no NATS user may list them. */
  async streams(): Promise<Array<{ name: string; messages: number }>> {
    const response = await fetch(`http://127.0.0.1:${this.monitorPort}/jsz?accounts=true&streams=true`);
    type Detail = { name: string; state?: { messages?: number } };
    const body = (await response.json()) as { account_details?: Array<{ stream_detail?: Detail[] }> };
    return (body.account_details ?? []).flatMap((account) =>
      (account.stream_detail ?? []).map((s) => ({ name: s.name, messages: s.state?.messages ?? 0 })),
    );
  }

  /** (Re)starts the server on the same port and store, so JetStream keeps its streams. */
  async resume(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-m', String(this.monitorPort), '-js', '-sd', join(this.dir, 'store')];
    if (this.config !== undefined) args.unshift('-c', join(this.dir, 'config', this.configFile));
    const child = spawn(NATS_SERVER_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.process = child;
    await waitFor(`nats-server on ${this.port}`, async () => {
      const nc = await this.connect('events-reader', { reconnect: false, timeout: 500 });
      await nc.close();
      return true;
    });
  }

  /** Stops the server (SIGTERM) and waits until it is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.process = undefined;
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
