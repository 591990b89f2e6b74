import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { NatsConnection } from 'nats';
import { BusClient } from './bus.client';
import { within } from '../lifecycle/within';
import { connectNats } from './nats';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

const DRAIN_TIMEOUT_MS = 2_000;

/** The outgoing side of the bus: one NATS connection per process and the typed client on it. */
@Global()
@Module({})
export class BusModule implements OnApplicationShutdown {
  private readonly logger = new Logger(BusModule.name);

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  static forRoot(clientName: string): DynamicModule {
    return {
      module: BusModule,
      providers: [
        {
          provide: NATS_CONNECTION,
          inject: [APP_CONFIG],
          useFactory: async (config: AppConfig) => {
            const logger = new Logger(BusModule.name);
            logger.log({ msg: 'Connecting to NATS', servers: config.natsServers });
            const nc = await connectNats(config.natsServers, clientName);
            logger.log({ msg: 'Connected to NATS', server: nc.getServer() });
            void (async () => {
              for await (const s of nc.status()) {
                if (s.type === 'disconnect' || s.type === 'reconnect') {
                  logger.warn({ msg: `NATS ${s.type}`, server: String(s.data) });
                }
              }
            })();
            return nc;
          },
        },
        { provide: BusClient, inject: [NATS_CONNECTION], useFactory: (nc: NatsConnection) => new BusClient(nc) },
      ],
      exports: [NATS_CONNECTION, BusClient],
    };
  }

  /**
   * Runs after the app stopped taking work (Nest calls it after closing the HTTP or bus server),
   * so nothing still needs this connection. Drain flushes what was published; it needs the
   * server, so while NATS is unreachable the connection is closed after a short wait instead.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      if ((await within(this.nc.drain(), DRAIN_TIMEOUT_MS)) === 'timeout') {
        this.logger.warn({ msg: 'NATS drain did not finish; closing', timeoutMs: DRAIN_TIMEOUT_MS });
        await this.nc.close();
      }
    } catch (error) {
      this.logger.warn({ msg: 'NATS drain failed', err: error });
    }
  }
}
