export * from './commands';
export * from './views';
