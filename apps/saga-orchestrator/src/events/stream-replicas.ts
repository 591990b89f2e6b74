/** What the connected server's INFO tells about its cluster (nats.js ServerInfo). */
export interface ClusterHint {
  cluster?: string;
  connect_urls?: string[];
}

/** The smallest cluster on which a stream gets three replicas: Raft needs three to survive losing one. */
const REPLICATED_FROM_SERVERS = 3;

/**
 * The servers of the connected cluster that the server's INFO gossips: its own client URL and
 * those of the other servers it has routes to. A server in no cluster is alone. A cluster whose
 * servers advertise nothing (no_advertise) counts as one: set EVENTS_STREAM_REPLICAS there.
 */
export function clusterSize(info: ClusterHint | undefined): number {
  if (info?.cluster === undefined || info.cluster === '') return 1;
  return Math.max(1, new Set(info.connect_urls ?? []).size);
}

export interface ReplicasDecision {
  /** The replicas the stream should have. */
  replicas: number;
  /** Whether EVENTS_STREAM_REPLICAS asked for them (else they follow the cluster). */
  configured: boolean;
}

/** EVENTS_STREAM_REPLICAS when set; otherwise three on a cluster of three or more servers, one below that. */
export function desiredReplicas(configured: number | undefined, servers: number): ReplicasDecision {
  if (configured !== undefined) return { replicas: configured, configured: true };
  return { replicas: servers >= REPLICATED_FROM_SERVERS ? 3 : 1, configured: false };
}

/**
 * The replicas to give an existing stream, or undefined to leave it. A configured number is
 * applied up or down. A number that follows the cluster only raises: a server that is down while
 * an orchestrator starts drops out of the gossip, and must not cost the stream its replicas.
 */
export function replicasUpdate(current: number, decision: ReplicasDecision): number | undefined {
  if (decision.replicas === current) return undefined;
  if (!decision.configured && decision.replicas < current) return undefined;
  return decision.replicas;
}
