export * from './commands';
export * from './http';
export * from './views';
