import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { within } from '../lifecycle/within';
import { BusClient } from './bus.client';
import { NatsLink } from './nats-link';

export const NATS_LINK = Symbol('NATS_LINK');

const DRAIN_TIMEOUT_MS = 2_000;

/** The outgoing side of the bus: one NATS connection per process and the typed client on it. */
@Global()
@Module({})
export class BusModule implements OnApplicationShutdown {
  private readonly logger = new Logger(BusModule.name);

  constructor(@Inject(NATS_LINK) private readonly link: NatsLink) {}

  static forRoot(clientName: string): DynamicModule {
    return {
      module: BusModule,
      providers: [
        { provide: NATS_LINK, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new NatsLink(config.natsServers, clientName, config.nats) },
        { provide: BusClient, inject: [NATS_LINK], useFactory: (link: NatsLink) => new BusClient(link) },
      ],
      exports: [NATS_LINK, BusClient],
    };
  }

  /**
   * Runs after the app stopped taking work (Nest calls it after closing the HTTP or bus server),
   * so nothing still needs this connection. Drain flushes what was published; it needs the
   * server, so while NATS is unreachable the connection is closed after a short wait instead.
   */
  async onApplicationShutdown(): Promise<void> {
    const nc = this.link.opened;
    if (nc === undefined || nc.isClosed()) return;
    try {
      if ((await within(nc.drain(), DRAIN_TIMEOUT_MS)) === 'timeout') {
        this.logger.warn({ msg: 'NATS drain did not finish; closing', timeoutMs: DRAIN_TIMEOUT_MS });
        await nc.close();
      }
    } catch (error) {
      this.logger.warn({ msg: 'NATS drain failed', err: error });
    }
  }
}
