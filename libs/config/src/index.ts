export * from './config';
export * from './cli-env';
export type { NatsConnectionConfig } from './nats-connection';
export * from './config.module';
