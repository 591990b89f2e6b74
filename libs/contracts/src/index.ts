export * from './subjects';
export * from './errors';
export * from './bootstrap';
export * from './commands';
export * from './events';
