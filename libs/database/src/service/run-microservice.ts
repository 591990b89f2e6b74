import { DynamicModule, Logger } from '@nestjs/common';
import { ServiceName } from '@app/contracts';
import { AppConfig, loadConfigOrExit, principalPublicKey } from '@app/config';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { NatsConnection, NatsError } from 'nats';
import { DataSource } from 'typeorm';
import {
  armShutdownLimit,
  BusExceptionFilter,
  createRootLogger,
  drainTimeoutMs,
  InFlight,
  InFlightInterceptor,
  initMetrics,
  loggableServers,
  natsAnswers,
  natsConnectionOptions,
  PinoNestLogger,
  PrincipalVerifier,
  shutdownLimitMs,
  startHealthServer,
  withStoppedLog,
} from '@app/common';
import { GracefulServerNats } from './graceful-server-nats';
import { BusMessageInterceptor } from './message-log.interceptor';

export interface MicroserviceSpec {
  service: ServiceName;
  module: (config: AppConfig) => DynamicModule;
  /** The services that sign or verify access tokens, and sign the principals behind them. */
  authenticatesTokens?: boolean;
}

/**
 * Starts one bus service: validated config, JSON logs, NATS transport in the service's queue
 * group (so replicas share the load), typed error replies, and a graceful shutdown on SIGTERM
 * or SIGINT: stop taking commands, let running handlers reply, close, all within a hard limit.
 */
export async function runMicroservice(spec: MicroserviceSpec): Promise<void> {
  const authenticates = spec.authenticatesTokens === true;
  const config = loadConfigOrExit({ needsAuthSecret: authenticates, signsPrincipals: authenticates, actsOnCallers: true });
  const logger = new PinoNestLogger(createRootLogger(spec.service, config.logLevel));
  initMetrics(spec.service);
  const inFlight = new InFlight();
  const strategy = new GracefulServerNats(
    { ...natsConnectionOptions(config.natsServers, spec.service, config.nats), queue: spec.service },
    { inFlight, drainTimeoutMs: drainTimeoutMs(config), principals: new PrincipalVerifier(principalPublicKey(config)) },
  );
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(withStoppedLog(spec.module(config)), {
    strategy,
    logger,
  });
  app.useGlobalFilters(new BusExceptionFilter());
  // In-flight first: it counts everything the message-log interceptor and the handler do.
  app.useGlobalInterceptors(new InFlightInterceptor(inFlight), new BusMessageInterceptor());
  armShutdownLimit(shutdownLimitMs(config));
  app.enableShutdownHooks();
  // Waits (retrying with backoff) while NATS is down: the service becomes ready once it is up.
  new Logger('Main').log({ msg: 'Connecting to NATS', servers: loggableServers(config.natsServers), user: config.nats.user });
  await app.listen().catch((error: unknown) => {
    // The client gives up (after a second try) only when the server refuses the credentials.
    if (!(error instanceof NatsError && error.isAuthError())) throw error;
    new Logger('Main').fatal({ msg: 'NATS refused the credentials; check NATS_USER and NATS_PASSWORD (or NATS_CREDS_FILE)', code: error.code });
    process.exit(1);
  });
  if (config.healthPort !== undefined) {
    const nats = app.unwrap<NatsConnection>();
    const dataSource = app.get(DataSource, { strict: false });
    await startHealthServer(config.healthPort, {
      service: spec.service,
      checks: {
        nats: () => natsAnswers(nats),
        database: () => dataSource.query('SELECT 1').then(() => true, () => false),
      },
    });
  }
  new Logger('Main').log('service ready');
}
