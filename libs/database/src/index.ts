export * from './data-source';
export * from './database.module';
export * from './saga-guard';
export * from './execute';
// A bus service with its database: how each service starts, and its health probe.
export * from './service/graceful-server-nats';
export * from './service/message-log.interceptor';
export * from './service/ping.controller';
export * from './service/finish-saga.controller';
export * from './service/run-microservice';
