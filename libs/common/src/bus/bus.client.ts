import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CommandMap, CommandSubject, ErrorCodes, isBusErrorBody } from '@app/contracts';
import { ErrorCode as NatsErrorCode, JSONCodec, NatsError } from 'nats';
import { currentCorrelationId } from '../logging/correlation';
import { metrics } from '../metrics/metrics';
import { BusRemoteError, BusTimeoutError, BusUnavailableError } from './bus-errors';
import { busHeaders } from './headers';
import { NatsLink } from './nats-link';
import { COMMAND_TIMEOUT_MS } from './timeouts';

/** How long a request waits for a lost NATS connection to come back before it gives up. */
const RECONNECT_GRACE_MS = 1_500;

export interface SendOptions {
  timeoutMs?: number;
  correlationId?: string;
  causationId?: string;
}

/** Nest's NATS transport reply packet. */
interface ReplyPacket {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

const codec = JSONCodec<unknown>();

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

/** A failed request's kind as a bounded label: the remote code is one of the contract's ErrorCodes. */
function errorKind(error: unknown): string {
  if (error instanceof BusTimeoutError) return 'timeout';
  if (error instanceof BusUnavailableError) return 'unavailable';
  if (error instanceof BusRemoteError) return KNOWN_CODES.has(error.code) ? error.code : 'unknown';
  return 'internal';
}

/**
 * Typed request-reply over NATS, speaking Nest's packet format so Nest @MessagePattern handlers
 * answer it. Unlike Nest's ClientProxy it always applies a timeout and tells "nobody is
 * listening" (immediate, nothing ran) apart from "no reply in time" (may have run).
 */
export class BusClient {
  constructor(private readonly link: NatsLink) {}

  /** Every command this process sends, measured: latency by outcome, failures by kind. */
  async send<S extends CommandSubject>(
    subject: S,
    payload: CommandMap[S]['request'],
    options: SendOptions = {},
  ): Promise<CommandMap[S]['reply']> {
    const started = performance.now();
    try {
      const reply = await this.request(subject, payload, options);
      metrics.busRequestDuration.observe({ subject, outcome: 'ok' }, (performance.now() - started) / 1000);
      return reply;
    } catch (error) {
      metrics.busRequestDuration.observe({ subject, outcome: 'error' }, (performance.now() - started) / 1000);
      metrics.busRequestErrors.inc({ subject, kind: errorKind(error) });
      throw error;
    }
  }

  private async request<S extends CommandSubject>(
    subject: S,
    payload: CommandMap[S]['request'],
    options: SendOptions,
  ): Promise<CommandMap[S]['reply']> {
    const timeoutMs = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
    const messageId = randomUUID();
    const correlationId = options.correlationId ?? currentCorrelationId() ?? messageId;
    const h = busHeaders({ correlationId, causationId: options.causationId ?? correlationId, messageId });

    // Not connected to NATS: nothing can be sent, so nothing ran; after a short grace for a
    // reconnect, say so, rather than at the end of the timeout.
    const nc = await this.link.whenConnected(Math.min(RECONNECT_GRACE_MS, timeoutMs));
    if (nc === undefined) throw new BusUnavailableError(subject);
    let packet: ReplyPacket;
    try {
      const reply = await nc.request(subject, codec.encode({ pattern: subject, data: payload, id: messageId }), {
        timeout: timeoutMs,
        headers: h,
      });
      packet = codec.decode(reply.data) as ReplyPacket;
    } catch (error) {
      throw this.translate(error, subject, timeoutMs);
    }
    if (packet.err !== undefined && packet.err !== null) {
      const body = isBusErrorBody(packet.err) ? packet.err : { code: 'INTERNAL', message: 'Remote handler failed' };
      throw new BusRemoteError(subject, body);
    }
    return packet.response as CommandMap[S]['reply'];
  }

  private translate(error: unknown, subject: string, timeoutMs: number): Error {
    if (error instanceof NatsError) {
      if (error.code === NatsErrorCode.NoResponders) return new BusUnavailableError(subject);
      if (error.code === NatsErrorCode.Timeout) return new BusTimeoutError(subject, timeoutMs);
      // Closed or draining connection: nothing was sent.
      if (
        error.code === NatsErrorCode.ConnectionClosed ||
        error.code === NatsErrorCode.ConnectionDraining ||
        error.code === NatsErrorCode.Disconnect
      ) {
        return new BusUnavailableError(subject);
      }
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}
