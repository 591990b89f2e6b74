import { DynamicModule, Logger } from '@nestjs/common';
import { ServiceName } from '@app/contracts';
import { AppConfig, loadConfigOrExit } from '@app/config';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { BusExceptionFilter } from '../bus/bus-exception.filter';
import { CorrelationInterceptor } from '../bus/correlation.interceptor';
import { natsAnswers, natsConnectionOptions } from '../bus/nats';
import { createRootLogger, PinoNestLogger } from '../logging/logger';
import { startHealthServer } from './health-server';

export interface MicroserviceSpec {
  service: ServiceName;
  module: (config: AppConfig) => DynamicModule;
  needsAuthSecret?: boolean;
}

/**
 * Starts one bus service: validated config, JSON logs, NATS transport in the service's queue
 * group (so replicas share the load), typed error replies, graceful shutdown on SIGTERM.
 */
export async function runMicroservice(spec: MicroserviceSpec): Promise<void> {
  const config = loadConfigOrExit({ needsAuthSecret: spec.needsAuthSecret });
  const logger = new PinoNestLogger(createRootLogger(spec.service, config.logLevel));
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(spec.module(config), {
    transport: Transport.NATS,
    options: { ...natsConnectionOptions(config.natsServers, spec.service), queue: spec.service },
    logger,
  });
  app.useGlobalFilters(new BusExceptionFilter());
  app.useGlobalInterceptors(new CorrelationInterceptor());
  app.enableShutdownHooks();
  await app.listen();
  if (config.healthPort !== undefined) {
    const nats = app.unwrap<NatsConnection>();
    const dataSource = app.get(DataSource, { strict: false });
    const server = startHealthServer(config.healthPort, {
      service: spec.service,
      checks: {
        nats: () => natsAnswers(nats),
        database: () => dataSource.query('SELECT 1').then(() => true, () => false),
      },
    });
    process.once('SIGTERM', () => server.close());
  }
  new Logger('Main').log('service ready');
}
