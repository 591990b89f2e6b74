import pg from 'pg';
import { DataSource, DataSourceOptions, EntitySchema, MigrationInterface } from 'typeorm';

type EntityTarget = Function | EntitySchema<unknown>;

export interface ServiceDatabaseSpec {
  /** The Postgres schema this service owns; no other service touches it. */
  schema: string;
  entities: EntityTarget[];
  /** Listed explicitly: a webpack bundle has no migration files on disk to glob. */
  migrations: Array<new () => MigrationInterface>;
}

export function dataSourceOptions(url: string, spec: ServiceDatabaseSpec): DataSourceOptions {
  return {
    type: 'postgres',
    // Passed rather than left to TypeORM's require by name, which a bundler cannot see: the
    // driver is then bundled with the app like every other package (scripts/bundle.js).
    driver: pg,
    url,
    schema: spec.schema,
    entities: spec.entities,
    migrations: spec.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: false,
    // TypeORM's `schema` does not set search_path; raw SQL would otherwise land in `public`.
    extra: { options: `-c search_path=${spec.schema}`, max: 10, connectionTimeoutMillis: 5_000 },
  };
}

/**
 * Creates the schema if it is missing and runs pending migrations under a Postgres advisory
 * lock, so replicas that start together migrate once, one after the other.
 */
export async function migrateWithLock(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const lockKey = `migrations:${schema}`;
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    // Postgres checks the right to create schemas before IF NOT EXISTS: a service role that owns
    // its schema but may create no other (deploy/postgres/service-roles.sql) must not ask.
    const [{ present }] = await runner.query('SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1) AS present', [schema]);
    if (!present) await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
    await runner.release();
  }
}

/** Pool connections opened before the service is ready: as many as a burst of first commands uses at once. */
const WARM_CONNECTIONS = 4;

/**
 * Pays the first-use cost of connections before the service says it is ready instead of on the
 * first request (nearly always the bootstrap, which happens once, right after start): opened and
 * authenticated. The bootstrap's steps run plain SQL, the path these queries take too; warming
 * TypeORM's query building per entity, as before, was start-up time for paths it no longer takes.
 */
async function warmUp(dataSource: DataSource): Promise<void> {
  await Promise.all(Array.from({ length: WARM_CONNECTIONS }, () => dataSource.query('SELECT 1')));
}

export async function openServiceDatabase(url: string, spec: ServiceDatabaseSpec): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(url, spec));
  await dataSource.initialize();
  try {
    await migrateWithLock(dataSource, spec.schema);
    await warmUp(dataSource);
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  return dataSource;
}
