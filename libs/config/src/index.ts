export * from './config';
export * from './cli-env';
export { natsAuthOptions, type NatsConnectionConfig } from './nats-connection';
export * from './config.module';
