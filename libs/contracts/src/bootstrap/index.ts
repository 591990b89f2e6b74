export * from './bootstrap.http';
export * from './commands';
export * from './events';
