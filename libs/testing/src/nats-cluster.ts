import { BusUser } from '@app/contracts';
import { clusterNodeFile, GeneratedNatsConfig, generateNatsConfig } from '@app/nats-auth';
import { connect, ConnectionOptions, NatsConnection } from 'nats';
import { freePort, waitFor } from './free-port';
import { TEST_BCRYPT_COST, TestNatsServer } from './nats-server';

/** A stream as the monitoring endpoint of the server leading it reports it. */
export interface ClusterStream {
  name: string;
  replicas: number;
  /** server_name of its leader. */
  leader?: string;
  messages: number;
}

interface JszStream {
  name: string;
  config?: { num_replicas?: number };
  cluster?: { leader?: string; replicas?: unknown[] };
  state?: { messages?: number };
}

/** Distinct ports that were free a moment ago: the nodes' configurations name each other's. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * Private nats-servers forming one JetStream cluster, each a TestNatsServer started from its node
 * file of the configuration `npm run nats:config -- --cluster` generates: the same users and
 * permissions on every node, authenticated routes, its own store.
 */
export class TestNatsCluster {
  private constructor(
    readonly nodes: Record<string, TestNatsServer>,
    private readonly config: GeneratedNatsConfig,
  ) {}

  static async start(options: { size?: number } = {}): Promise<TestNatsCluster> {
    const names = Array.from({ length: options.size ?? 3 }, (_, i) => `n${i + 1}`);
    const ports = await distinctFreePorts(names.length * 3);
    const node = (i: number) => ({ name: names[i], port: ports[3 * i], monitorPort: ports[3 * i + 1], routePort: ports[3 * i + 2] });
    const config = await generateNatsConfig({
      bcryptCost: TEST_BCRYPT_COST,
      cluster: { name: 'test', listenHost: '127.0.0.1', nodes: names.map((_, i) => ({ name: names[i], host: '127.0.0.1', port: node(i).routePort })) },
    });
    const started = await Promise.allSettled(
      names.map((_, i) => TestNatsServer.start({ config, configFile: clusterNodeFile(names[i]), port: node(i).port, monitorPort: node(i).monitorPort })),
    );
    const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const cluster = new TestNatsCluster(Object.fromEntries(servers.map((s, i) => [names[i], s])), config);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined || servers.length !== names.length) {
      await Promise.all(servers.map((s) => s.destroy()));
      throw failed?.reason ?? new Error('a cluster node did not start');
    }
    await cluster.waitJetStreamReady();
    return cluster;
  }

  /** Every node's client URL, comma-separated: NATS_URL for a service that may connect to any. */
  get url(): string {
    return this.urls.join(',');
  }

  get urls(): string[] {
    return Object.values(this.nodes).map((node) => node.url);
  }

  credentials(user: BusUser): Record<string, string> {
    return { ...this.config.users[user] };
  }

  /** A connection as `user` to any node, moving to another when its node stops. */
  connect(user: BusUser, options: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
    const c = this.config.users[user];
    return connect({ servers: this.urls, name: `test:${user}`, user: c.NATS_USER, pass: c.NATS_PASSWORD, inboxPrefix: c.NATS_INBOX_PREFIX, ...options });
  }

  /**
   * Resolves once every running node sees the same JetStream meta leader among them: before that,
   * a stream cannot be created or placed. Elections take a few seconds after the routes form.
   */
  async waitJetStreamReady(timeoutMs = 30_000): Promise<string> {
    const running = Object.entries(this.nodes).filter(([, node]) => node.running);
    return waitFor(
      'a JetStream meta leader on every cluster node',
      async () => {
        const leaders = await Promise.all(running.map(async ([, node]) => (await this.jsz(node)).meta_cluster?.leader));
        const [leader] = leaders;
        return leader !== undefined && leaders.every((l) => l === leader) && running.some(([name]) => name === leader) ? leader : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /** A stream as its leader reports it; undefined while it has none (or does not exist). */
  async stream(name: string): Promise<ClusterStream | undefined> {
    for (const [nodeName, node] of Object.entries(this.nodes).filter(([, n]) => n.running)) {
      const body = (await this.jsz(node, '?accounts=true&streams=true&config=true')) as { account_details?: Array<{ stream_detail?: JszStream[] }> };
      const found = (body.account_details ?? []).flatMap((a) => a.stream_detail ?? []).find((s) => s.name === name);
      // Only the leader's view is authoritative: a follower's may lag behind a change of replicas.
      if (found?.cluster?.leader !== nodeName) continue;
      return { name, replicas: found.config?.num_replicas ?? 1, leader: found.cluster.leader, messages: found.state?.messages ?? 0 };
    }
    return undefined;
  }

  /** Polls until the stream has `replicas` replicas and a leader, for changes that settle asynchronously. */
  waitStream(name: string, replicas: number, timeoutMs = 30_000): Promise<ClusterStream> {
    return waitFor(`stream ${name} with ${replicas} replicas and a leader`, async () => {
      const s = await this.stream(name);
      return s?.replicas === replicas ? s : undefined;
    }, { timeoutMs, intervalMs: 100 });
  }

  async destroy(): Promise<void> {
    await Promise.all(Object.values(this.nodes).map((node) => node.destroy()));
  }

  private async jsz(node: TestNatsServer, query = ''): Promise<{ meta_cluster?: { leader?: string }; [key: string]: unknown }> {
    const response = await fetch(`http://127.0.0.1:${node.monitorPort}/jsz${query}`);
    return (await response.json()) as { meta_cluster?: { leader?: string } };
  }
}
