export * from './data-source';
export * from './database.module';
export * from './saga-guard';
export * from './execute';
