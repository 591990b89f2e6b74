import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '@app/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSourceOptions } from 'typeorm';
import { dataSourceOptions, openServiceDatabase, ServiceDatabaseSpec } from './data-source';

/** A service's own database: its schema, its entities, its migrations run at start under a lock. */
@Module({})
export class DatabaseModule {
  static forService(spec: ServiceDatabaseSpec): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions(config.databaseUrl, spec),
            retryAttempts: Number.MAX_SAFE_INTEGER,
            retryDelay: 1_000,
          }),
          dataSourceFactory: async (options?: DataSourceOptions) =>
            openServiceDatabase((options as { url: string }).url, spec),
        }),
        TypeOrmModule.forFeature(spec.entities),
      ],
      exports: [TypeOrmModule],
    };
  }
}
