export * from './permissions';
export * from './server-config';
export * from './cli';
