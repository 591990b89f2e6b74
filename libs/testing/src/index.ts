export * from './free-port';
export * from './postgres';
export * from './nats-server';
export * from './app-process';
export * from './stack';
export * from './bootstrap-client';
export * from './postgres-server';
export * from './reset';
