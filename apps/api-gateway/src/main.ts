import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import {
  armShutdownLimit,
  createRootLogger,
  initMetrics,
  NATS_LINK,
  NatsLink,
  natsAnswers,
  PinoNestLogger,
  shutdownLimitMs,
  startHealthServer,
  withStoppedLog,
} from '@app/common';
import { loadConfigOrExit } from '@app/config';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiGatewayModule, CONTROLLERS } from './api-gateway.module';
import { ErrorEnvelopeFilter } from './http/error-envelope.filter';
import { createFastifyAdapter } from './http/fastify-adapter';
import { setupOpenApi } from './http/openapi';
import { registerRateLimit } from './http/rate-limit';

/** Whether an address only this machine reaches (a host name counts as beyond: it may resolve anywhere). */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = new PinoNestLogger(createRootLogger('api-gateway', config.logLevel));
  initMetrics('api-gateway');
  const app = await NestFactory.create<NestFastifyApplication>(withStoppedLog(ApiGatewayModule.forRoot(config)), createFastifyAdapter(config), {
    logger,
    // Fastify's own JSON parser is the only one: Nest would add url-encoded forms.
    bodyParser: false,
  });
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  // On SIGTERM/SIGINT Nest closes Fastify first: it stops accepting connections, answers 503 to
  // new requests on open ones (see createFastifyAdapter), and waits for the requests in flight (a
  // bootstrap waits for the orchestrator up to BOOTSTRAP_TIMEOUT_MS + 5 s); only then does the
  // bus connection drain.
  armShutdownLimit(shutdownLimitMs(config));
  app.enableShutdownHooks();
  setupOpenApi(app, CONTROLLERS);
  await registerRateLimit(app, config);
  await app.listen(config.port, config.host);
  if (!isLoopback(config.host) && config.bootstrapKey === undefined) {
    new Logger('Main').warn({
      msg: 'Listening beyond loopback with no BOOTSTRAP_KEY: until the instance is bootstrapped, anyone who can reach this port can bootstrap it and own it',
      host: config.host,
    });
  }
  // Metrics on a port of their own, never the public one (see health-server.ts).
  if (config.healthPort !== undefined) {
    const link = app.get<NatsLink>(NATS_LINK);
    await startHealthServer(config.healthPort, { service: 'api-gateway', checks: { nats: () => natsAnswers(link.connection) } });
  }
  new Logger('Main').log({ msg: 'service ready', port: config.port });
}

void main();
