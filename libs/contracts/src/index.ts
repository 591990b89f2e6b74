export * from './subjects';
export * from './errors';
export * from './shared';
export * from './commands';
export * from './bootstrap';
export * from './user';
export * from './organization';
export * from './identity';
