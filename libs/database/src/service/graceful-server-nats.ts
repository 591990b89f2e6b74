import { Logger } from '@nestjs/common';
import { NatsContext, NatsOptions, ServerNats } from '@nestjs/microservices';
import { NO_MESSAGE_HANDLER } from '@nestjs/microservices/constants';
import { Msg, NatsConnection, Subscription } from 'nats';
import { BusHeaders, ErrorCodes } from '@app/contracts';
import { DomainError, InFlight, metrics, PrincipalVerifier, withCorrelation, within } from '@app/common';
import { admitCommand, DropReason } from './command-admission';

export interface GracefulNatsOptions {
  /** Counts running handlers; the same instance the InFlightInterceptor counts with. */
  inFlight: InFlight;
  /** How long close() waits for running handlers before closing the connection anyway. */
  drainTimeoutMs: number;
  /** Checks the `caller` of every command that has one, before any handler (see signed-principal.ts). */
  principals: PrincipalVerifier;
}

/** Unsubscribing and flushing need the server; when it is unreachable, do not wait longer than this. */
const BROKER_STEP_TIMEOUT_MS = 2_000;

/** Dropped messages logged per second at most (each one is counted): a flood must not flood the logs. */
const DROP_LINES_PER_SECOND = 10;

/**
 * Nest's NATS server that takes only commands and cannot be crashed by a message: see
 * command-admission.ts for what passes; anything else is dropped with one log line (at most
 * DROP_LINES_PER_SECOND a second) and counted in bus_messages_dropped_total. A failure anywhere
 * in handling a message is logged, never left to reject (an unhandled rejection ends a process).
 *
 * With a graceful close(): first unsubscribe every handler, so NATS routes
 * new commands to the other replicas of the queue group (or answers "no responders" when there
 * is none, which the sender reads as "nothing ran"); then wait until the handlers already
 * running have replied; only then close the connection they reply on. Nest's own close()
 * closes the connection at once, dropping the replies of running handlers: the sender then
 * sees a timeout and must treat the command as "may have run".
 */
export class GracefulServerNats extends ServerNats {
  private readonly busLogger = new Logger('BusServer');
  private readonly inFlight: InFlight;
  private readonly drainTimeoutMs: number;
  private readonly principals: PrincipalVerifier;
  private readonly queue?: string;
  private connection?: NatsConnection;
  private readonly handlerSubscriptions: Subscription[] = [];
  private closing?: Promise<void>;
  private dropLines = { second: 0, written: 0 };

  constructor(options: Required<NatsOptions>['options'], graceful: GracefulNatsOptions) {
    super(options);
    this.queue = options.queue;
    this.inFlight = graceful.inFlight;
    this.drainTimeoutMs = graceful.drainTimeoutMs;
    this.principals = graceful.principals;
  }

  override async createNatsClient(): Promise<NatsConnection> {
    this.connection = (await super.createNatsClient()) as NatsConnection;
    return this.connection;
  }

  /** Ready means subscribed: the server has seen every SUB before listen() resolves. */
  override start(callback: (error?: unknown) => void): void {
    this.bindEvents(this.connection!);
    this.connection!.flush().then(() => callback(), callback);
  }

  /** Nest's bindEvents, keeping the subscriptions so close() can drain them. */
  override bindEvents(client: NatsConnection): void {
    for (const [channel, handler] of this.messageHandlers) {
      const queue = (handler.extras?.queue as string | undefined) ?? this.queue;
      const callback = (error: Error | null, msg: Msg) => {
        if (error !== null) this.busLogger.error({ msg: 'Subscription failed', subject: channel, err: error });
        else this.handleMessage(channel, msg).catch((failure: unknown) => this.busLogger.error({ msg: 'Could not handle a message', subject: channel, err: failure }));
      };
      this.handlerSubscriptions.push(client.subscribe(channel, { queue, callback }));
    }
  }

  /**
   * Admits the message (or drops it), counts it from its arrival, before Nest's pipeline reaches
   * the InFlightInterceptor, and runs all of that pipeline (guards included) in the sender's
   * correlation id, so every log line and every command sent on the way carries it. Nest's own
   * handleMessage, less its deserializer (which throws on bytes that are not JSON) and its
   * fire-and-forget path (which runs a command handler for a message nobody waits on).
   */
  override async handleMessage(channel: string, natsMsg: Msg): Promise<unknown> {
    const admission = admitCommand(channel, natsMsg);
    if (!admission.ok) return this.drop(channel, admission.reason, natsMsg.data.length);
    const end = this.inFlight.begin();
    const correlationId = natsMsg.headers?.get(BusHeaders.correlationId) || undefined;
    const handle = async () => {
      const context = new NatsContext([natsMsg.subject, natsMsg.headers]);
      const publish = this.getPublisher(natsMsg, admission.id, context);
      const refusal = this.checkCaller(channel, admission.data, correlationId);
      if (refusal !== undefined) return publish({ err: refusal.toBody(), isDisposed: true });
      const handler = this.getHandlerByPattern(channel);
      if (handler === null) return publish({ id: admission.id, status: 'error', err: NO_MESSAGE_HANDLER });
      return this.onProcessingStartHook(this.transportId, context, async () => {
        const response$ = this.transformToObservable(await handler(admission.data, context));
        if (response$ !== undefined) this.send(response$, publish);
      });
    };
    try {
      return await (correlationId === undefined ? handle() : withCorrelation(correlationId, handle));
    } finally {
      end();
    }
  }

  /**
   * A command made for a caller runs only with a caller signed by a service that authenticates
   * tokens, for this request (its correlation id), not expired. The refusal is an answer
   * (BUS.CALLER_UNVERIFIED), logged and counted like a handler's.
   */
  private checkCaller(subject: string, data: unknown, correlationId: string | undefined): DomainError | undefined {
    if (typeof data !== 'object' || data === null || !('caller' in data) || data.caller === undefined) return undefined;
    try {
      this.principals.verify(data.caller, correlationId);
      return undefined;
    } catch (error) {
      // verify() throws only BUS.CALLER_UNVERIFIED.
      metrics.busMessages.inc({ subject, outcome: 'error', code: ErrorCodes.callerUnverified });
      this.busLogger.warn({ msg: 'Refused a command whose caller is not signed for it by a service that authenticates tokens', subject });
      return error as DomainError;
    }
  }

  private drop(subject: string, reason: DropReason, bytes: number): void {
    metrics.busMessagesDropped.inc({ subject, reason });
    const second = Math.floor(Date.now() / 1000);
    if (this.dropLines.second !== second) this.dropLines = { second, written: 0 };
    if (this.dropLines.written >= DROP_LINES_PER_SECOND) return;
    this.dropLines.written += 1;
    this.busLogger.warn({ msg: 'Dropped a message that is not a command', subject, reason, bytes });
  }

  override close(): Promise<void> {
    this.closing ??= this.closeGracefully();
    return this.closing;
  }

  private async closeGracefully(): Promise<void> {
    const nc = this.connection;
    if (nc !== undefined && !nc.isClosed()) {
      // Drain rather than unsubscribe: messages the server sent before it saw the UNSUB are
      // still handled instead of dropped (the sender would wait for its timeout).
      await within(
        Promise.allSettled(this.handlerSubscriptions.map((sub) => sub.drain())),
        BROKER_STEP_TIMEOUT_MS,
      );
      const waiting = { inFlight: this.inFlight.size, drainTimeoutMs: this.drainTimeoutMs };
      this.busLogger.log({ msg: 'Stopped taking commands; waiting for running handlers', ...waiting });
      if (!(await this.inFlight.whenIdle(this.drainTimeoutMs))) {
        this.busLogger.error({
          msg: 'Handlers still running at the drain timeout; closing anyway',
          inFlight: this.inFlight.size,
          drainTimeoutMs: this.drainTimeoutMs,
        });
      }
      // Drain flushes the replies just written before closing.
      if ((await within(nc.drain().catch(() => undefined), BROKER_STEP_TIMEOUT_MS)) === 'timeout') await nc.close();
    }
    await super.close();
  }
}
