import { Logger } from '@nestjs/common';
import { NatsOptions, ServerNats } from '@nestjs/microservices';
import { Msg, NatsConnection, Subscription } from 'nats';
import { BusHeaders } from '@app/contracts';
import { InFlight, withCorrelation, within } from '@app/common';

export interface GracefulNatsOptions {
  /** Counts running handlers; the same instance the InFlightInterceptor counts with. */
  inFlight: InFlight;
  /** How long close() waits for running handlers before closing the connection anyway. */
  drainTimeoutMs: number;
}

/** Unsubscribing and flushing need the server; when it is unreachable, do not wait longer than this. */
const BROKER_STEP_TIMEOUT_MS = 2_000;

/**
 * Nest's NATS server with a graceful close(): first unsubscribe every handler, so NATS routes
 * new commands to the other replicas of the queue group (or answers "no responders" when there
 * is none, which the sender reads as "nothing ran"); then wait until the handlers already
 * running have replied; only then close the connection they reply on. Nest's own close()
 * closes the connection at once, dropping the replies of running handlers: the sender then
 * sees a timeout and must treat the command as "may have run".
 */
export class GracefulServerNats extends ServerNats {
  private readonly shutdownLogger = new Logger('BusServer');
  private readonly inFlight: InFlight;
  private readonly drainTimeoutMs: number;
  private readonly queue?: string;
  private connection?: NatsConnection;
  private readonly handlerSubscriptions: Subscription[] = [];
  private closing?: Promise<void>;

  constructor(options: Required<NatsOptions>['options'], graceful: GracefulNatsOptions) {
    super(options);
    this.queue = options.queue;
    this.inFlight = graceful.inFlight;
    this.drainTimeoutMs = graceful.drainTimeoutMs;
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
      const callback = this.getMessageHandler(channel).bind(this) as (error: Error | null, msg: Msg) => void;
      this.handlerSubscriptions.push(client.subscribe(channel, { queue, callback }));
    }
  }

  /**
   * Counts a message from its arrival, before Nest's pipeline reaches the InFlightInterceptor,
   * and runs all of that pipeline (guards included) in the sender's correlation id, so every log
   * line and every command sent on the way carries it.
   */
  override async handleMessage(channel: string, natsMsg: Msg): Promise<unknown> {
    const end = this.inFlight.begin();
    const correlationId = natsMsg.headers?.get(BusHeaders.correlationId) || undefined;
    const handle = () => super.handleMessage(channel, natsMsg);
    try {
      return await (correlationId === undefined ? handle() : withCorrelation(correlationId, handle));
    } finally {
      end();
    }
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
      this.shutdownLogger.log({ msg: 'Stopped taking commands; waiting for running handlers', ...waiting });
      if (!(await this.inFlight.whenIdle(this.drainTimeoutMs))) {
        this.shutdownLogger.error({
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
