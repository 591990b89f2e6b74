export * from './config';
export type { NatsConnectionConfig } from './nats-connection';
export * from './config.module';
