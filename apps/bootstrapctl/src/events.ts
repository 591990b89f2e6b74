import { BOOTSTRAP_EVENTS_STREAM } from '@app/contracts';
import { type NatsConnectionConfig, natsAuthOptions } from '@app/config';
import { connect, ConnectionOptions, JsMsg } from 'nats';
import { CliFailure } from './http';

/** A stream message as one JSON line: `{ subject, ...payload }`. */
export function eventLine(subject: string, data: Uint8Array): string {
  const text = new TextDecoder().decode(data);
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = undefined;
  }
  const fields = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : { data: text };
  return `${JSON.stringify({ subject, ...fields })}\n`;
}

/** The NATS connection options of `events`: the user (or creds file), inbox prefix and TLS of the environment. Holds secrets: never log it. */
export function eventsConnectionOptions(servers: string[], auth: NatsConnectionConfig, follow: boolean): ConnectionOptions {
  return {
    servers,
    name: 'bootstrapctl events',
    ...natsAuthOptions(auth),
    timeout: 5_000,
    // A one-off read fails fast; --follow rides out a server restart.
    maxReconnectAttempts: follow ? -1 : 0,
    reconnectTimeWait: 1_000,
  };
}

export interface EventsOptions {
  servers: string[];
  auth: NatsConnectionConfig;
  follow: boolean;
  write: (text: string) => void;
  /** Without --follow: how long to wait for the messages the stream said it holds. */
  readTimeoutMs?: number;
  /** With --follow: resolves when the command should stop (SIGINT/SIGTERM). */
  stopSignal?: Promise<void>;
}

const problem = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Prints the public bootstrap events from the start of BOOTSTRAP_EVENTS through an ordered
 * consumer (no durable state on the server, nothing to clean up). Without follow: up to the last
 * message the stream held when we asked, then returns. With follow: until stopSignal resolves.
 */
export async function printEvents(options: EventsOptions): Promise<void> {
  let nc;
  try {
    nc = await connect(eventsConnectionOptions(options.servers, options.auth, options.follow));
  } catch (error) {
    throw new CliFailure(`cannot connect to NATS (${problem(error)})`);
  }
  try {
    // checkAPI: false: the events-reader user may not call $JS.API.INFO, only its stream's API.
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    let lastSeq: number;
    try {
      lastSeq = (await jsm.streams.info(BOOTSTRAP_EVENTS_STREAM)).state.last_seq;
    } catch (error) {
      throw new CliFailure(`cannot read the stream ${BOOTSTRAP_EVENTS_STREAM} (${problem(error)}); is NATS_USER the events-reader user?`);
    }
    if (!options.follow && lastSeq === 0) return;

    const consumer = await nc.jetstream({ checkAPI: false }).consumers.get(BOOTSTRAP_EVENTS_STREAM);
    const messages = await consumer.consume();
    let timedOut = false;
    const timer = options.follow
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          void messages.stop();
        }, options.readTimeoutMs ?? 10_000);
    void options.stopSignal?.then(() => messages.stop());
    let seen = 0;
    for await (const m of messages as AsyncIterable<JsMsg>) {
      options.write(eventLine(m.subject, m.data));
      seen = m.seq;
      if (!options.follow && m.seq >= lastSeq) break;
    }
    if (timer !== undefined) clearTimeout(timer);
    await messages.close().catch(() => undefined);
    if (timedOut && seen < lastSeq) throw new CliFailure(`read only up to message ${seen} of ${lastSeq} of ${BOOTSTRAP_EVENTS_STREAM} in time`);
  } finally {
    await nc.close().catch(() => undefined);
  }
}
