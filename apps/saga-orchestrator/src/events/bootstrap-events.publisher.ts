import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  BOOTSTRAP_EVENTS_STREAM,
  BOOTSTRAP_EVENTS_SUBJECTS,
  BootstrapCompletedEvent,
  BootstrapFailedEvent,
  BootstrapStartedEvent,
  Events,
} from '@app/contracts';
import { busHeaders, NATS_LINK, NatsLink } from '@app/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { JetStreamManager, JSONCodec, nanos, RetentionPolicy, StorageType } from 'nats';
import { clusterSize, desiredReplicas, ReplicasDecision, replicasUpdate } from './stream-replicas';

const codec = JSONCodec<object>();
const DUPLICATE_WINDOW_MS = 2 * 60_000;

/**
 * Publishes the public bootstrap events to JetStream, so a subscriber that connects later still
 * gets them. `Nats-Msg-Id` = `<sagaId>:<kind>` lets JetStream drop a re-publish after a crash.
 * Payloads are built field by field from ids and names: a secret cannot slip in.
 */
@Injectable()
export class BootstrapEventsPublisher implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapEventsPublisher.name);

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
    // No $JS.API.INFO probe: the orchestrator's NATS user may touch this stream's API only. The
    // cluster's size comes from the server's INFO instead, which every client receives.
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    const servers = clusterSize(nc.info);
    const decision = desiredReplicas(this.config.eventsStreamReplicas, servers);
    let current: number;
    try {
      current = (await jsm.streams.info(BOOTSTRAP_EVENTS_STREAM)).config.num_replicas;
    } catch {
      await this.create(jsm, decision, servers);
      return;
    }
    await this.rescale(jsm, current, decision, servers);
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
      });
      this.logger.log({ msg: 'Created JetStream stream', stream: BOOTSTRAP_EVENTS_STREAM, replicas: decision.replicas, servers, configured: decision.configured });
    } catch (error) {
      // Another replica may have created it between our two calls.
      await jsm.streams.info(BOOTSTRAP_EVENTS_STREAM).catch(() => {
        throw error;
      });
    }
  }

  private async rescale(jsm: JetStreamManager, current: number, decision: ReplicasDecision, servers: number): Promise<void> {
    const replicas = replicasUpdate(current, decision);
    if (replicas === undefined) {
      if (current !== decision.replicas) {
        this.logger.log({ msg: 'Kept JetStream stream replicas', stream: BOOTSTRAP_EVENTS_STREAM, replicas: current, servers, reason: 'fewer servers answer; set EVENTS_STREAM_REPLICAS to lower it' });
      }
      return;
    }
    try {
      await jsm.streams.update(BOOTSTRAP_EVENTS_STREAM, { num_replicas: replicas });
      this.logger.log({ msg: 'Changed JetStream stream replicas', stream: BOOTSTRAP_EVENTS_STREAM, from: current, to: replicas, servers, configured: decision.configured });
    } catch (error) {
      // The stream works as it is: the next orchestrator to start tries again.
      this.logger.warn({ msg: 'Could not change JetStream stream replicas', stream: BOOTSTRAP_EVENTS_STREAM, from: current, to: replicas, servers, error: (error as Error).message });
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
    const nc = this.nats.connection;
    // While NATS is down the event waits in the outbox (the saga row) for a sweep to publish it.
    if (nc === undefined) throw new Error('NATS is not connected');
    await nc.jetstream().publish(subject, codec.encode(event), { msgID, headers });
    this.logger.log({ msg: 'Published event', subject, sagaId: event.sagaId, eventId: event.eventId });
  }
}
