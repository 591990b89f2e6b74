import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  BOOTSTRAP_EVENTS_STREAM,
  BOOTSTRAP_EVENTS_SUBJECTS,
  BootstrapCompletedEvent,
  BootstrapFailedEvent,
  BootstrapStartedEvent,
  Events,
  EVENTS_JS_API_PREFIX,
} from '@app/contracts';
import { busHeaders, NATS_LINK, NatsLink } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { DiscardPolicy, ErrorCode, JetStreamClient, JetStreamManager, JSONCodec, NatsConnection, NatsError, nanos, RetentionPolicy, StorageType, StreamConfig } from 'nats';
import { clusterSize, desiredReplicas, ReplicasDecision, replicasUpdate } from './stream-replicas';

const codec = JSONCodec<object>();
const DUPLICATE_WINDOW_MS = 2 * 60_000;

/**
 * The stream's bounds, so that nobody can make it (or its readers' consumers) grow without end.
 * Old messages go first, per subject: `bootstrap.evt.completed` (one per instance, ever) is never
 * pushed out by a run of started and failed events. Events are well under 1 KiB.
 */
export const STREAM_LIMITS = {
  max_msgs_per_subject: 10_000,
  max_bytes: 64 * 1024 * 1024,
  max_msg_size: 16 * 1024,
  discard: DiscardPolicy.Old,
} satisfies Partial<StreamConfig>;
/** Set when the stream is created (nats-server 2.9 cannot change it later; the events account bounds it too). */
const MAX_CONSUMERS = 100;

/**
 * Publishes the public bootstrap events to JetStream, so a subscriber that connects later still
 * gets them. `Nats-Msg-Id` = `<sagaId>:<kind>` lets JetStream drop a re-publish after a crash.
 * Payloads are built field by field from ids and names: a secret cannot slip in.
 */
@Injectable()
export class BootstrapEventsPublisher implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapEventsPublisher.name);
  /** Publishes through the stream API as this connection reaches it (see findStream). */
  private js?: JetStreamClient;

  constructor(
    @Inject(NATS_LINK) private readonly nats: NatsLink,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates the stream if it is missing, with the replicas the cluster allows, and brings an
   * existing one to them; safe when several replicas start at once.
   */
  async onApplicationBootstrap(): Promise<void> {
    const nc = await this.nats.ready;
    const servers = clusterSize(nc.info);
    const decision = desiredReplicas(this.config.eventsStreamReplicas, servers);
    const found = await this.findStream(nc);
    if (found.config === undefined) await this.create(found.jsm, decision, servers);
    else await this.reconcile(found.jsm, found.config, decision, servers);
  }

  /**
   * The stream's API through the events account (the configuration `npm run nats:config`
   * generates); on a server without that account (every client in one account, no users) the
   * stream is in this connection's own account. No $JS.API.INFO probe: the orchestrator's NATS
   * user may touch this stream's API only. The cluster's size comes from the server's INFO,
   * which every client receives.
   */
  private async findStream(nc: NatsConnection): Promise<{ jsm: JetStreamManager; config?: StreamConfig }> {
    for (const apiPrefix of [EVENTS_JS_API_PREFIX, '$JS.API']) {
      const jsm = await nc.jetstreamManager({ checkAPI: false, apiPrefix });
      try {
        const { config } = await jsm.streams.info(BOOTSTRAP_EVENTS_STREAM);
        return this.use(nc, apiPrefix, jsm, config);
      } catch (error) {
        if (error instanceof NatsError && error.code === ErrorCode.NoResponders) continue;
        return this.use(nc, apiPrefix, jsm); // answered: the stream is missing
      }
    }
    throw new Error('No JetStream API answers for the events stream');
  }

  private use(nc: NatsConnection, apiPrefix: string, jsm: JetStreamManager, config?: StreamConfig): { jsm: JetStreamManager; config?: StreamConfig } {
    this.js = nc.jetstream({ apiPrefix });
    if (apiPrefix !== EVENTS_JS_API_PREFIX) {
      this.logger.warn({ msg: "The events stream shares the services' NATS account (a server without the generated accounts): its readers can reach the commands", apiPrefix });
    }
    return { jsm, config };
  }

  private async create(jsm: JetStreamManager, decision: ReplicasDecision, servers: number): Promise<void> {
    try {
      await jsm.streams.add({
        name: BOOTSTRAP_EVENTS_STREAM,
        subjects: [BOOTSTRAP_EVENTS_SUBJECTS],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        num_replicas: decision.replicas,
        max_consumers: MAX_CONSUMERS,
        ...STREAM_LIMITS,
      });
      this.logger.log({ msg: 'Created JetStream stream', stream: BOOTSTRAP_EVENTS_STREAM, replicas: decision.replicas, servers, configured: decision.configured });
    } catch (error) {
      // Another replica may have created it between our two calls.
      await jsm.streams.info(BOOTSTRAP_EVENTS_STREAM).catch(() => {
        throw error;
      });
    }
  }

  /** Brings an existing stream to the replicas the cluster allows and to the limits (a stream made before they existed). */
  private async reconcile(jsm: JetStreamManager, config: StreamConfig, decision: ReplicasDecision, servers: number): Promise<void> {
    const current = config.num_replicas;
    const replicas = replicasUpdate(current, decision);
    if (replicas === undefined && current !== decision.replicas) {
      this.logger.log({ msg: 'Kept JetStream stream replicas', stream: BOOTSTRAP_EVENTS_STREAM, replicas: current, servers, reason: 'fewer servers answer; set EVENTS_STREAM_REPLICAS to lower it' });
    }
    const limits = Object.entries(STREAM_LIMITS).filter(([key, value]) => config[key as keyof StreamConfig] !== value);
    if (replicas === undefined && limits.length === 0) return;
    try {
      await jsm.streams.update(BOOTSTRAP_EVENTS_STREAM, { ...(replicas === undefined ? {} : { num_replicas: replicas }), ...Object.fromEntries(limits) });
      if (replicas !== undefined) {
        this.logger.log({ msg: 'Changed JetStream stream replicas', stream: BOOTSTRAP_EVENTS_STREAM, from: current, to: replicas, servers, configured: decision.configured });
      }
      if (limits.length > 0) this.logger.log({ msg: 'Changed JetStream stream limits', stream: BOOTSTRAP_EVENTS_STREAM, limits: Object.fromEntries(limits) });
    } catch (error) {
      // The stream works as it is: the next orchestrator to start tries again.
      this.logger.warn({ msg: 'Could not change the JetStream stream', stream: BOOTSTRAP_EVENTS_STREAM, from: current, to: replicas, servers, error: (error as Error).message });
    }
  }

  started(sagaId: string, correlationId: string): Promise<void> {
    const event: BootstrapStartedEvent = { eventId: randomUUID(), sagaId, occurredAt: new Date().toISOString() };
    return this.publish(Events.bootstrapStarted, `${sagaId}:started`, event, correlationId);
  }

  completed(
    sagaId: string,
    correlationId: string,
    r: { user: { id: string; email: string; username: string }; organization: { id: string; name: string; slug: string }; identity: { id: string; name: string } },
  ): Promise<void> {
    const event: BootstrapCompletedEvent = {
      eventId: randomUUID(),
      sagaId,
      occurredAt: new Date().toISOString(),
      user: { id: r.user.id, email: r.user.email, username: r.user.username },
      organization: { id: r.organization.id, name: r.organization.name, slug: r.organization.slug },
      identity: { id: r.identity.id, name: r.identity.name },
    };
    return this.publish(Events.bootstrapCompleted, `${sagaId}:completed`, event, correlationId);
  }

  /** `reason` is one of the fixed texts of failureReason ("step 'user' timed out"), never an error's message. */
  failed(sagaId: string, correlationId: string, failedStep: string, reason: string): Promise<void> {
    const event: BootstrapFailedEvent = {
      eventId: randomUUID(),
      sagaId,
      occurredAt: new Date().toISOString(),
      failedStep,
      reason,
      compensated: true,
    };
    return this.publish(Events.bootstrapFailed, `${sagaId}:failed`, event, correlationId);
  }

  private async publish(subject: string, msgID: string, event: { eventId: string; sagaId: string }, correlationId: string): Promise<void> {
    const headers = busHeaders({ correlationId, causationId: event.sagaId, messageId: event.eventId });
    // While NATS is down the event waits in the outbox (the saga row) for a sweep to publish it.
    if (this.nats.connection === undefined || this.js === undefined) throw new Error('NATS is not connected');
    await this.js.publish(subject, codec.encode(event), { msgID, headers });
    this.logger.log({ msg: 'Published event', subject, sagaId: event.sagaId, eventId: event.eventId });
  }
}
