import { openServiceDatabase, ServiceDatabaseSpec } from '@app/database';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from './postgres';

export interface ServiceTestDatabase {
  readonly db: TestDatabase;
  readonly dataSource: DataSource;
}

/**
 * For the tests of the enclosing block: a fresh database with the service's schema migrated (as
 * the service opens it at start), closed and dropped after them. Read `db` and `dataSource` in
 * hooks and tests, once the block's beforeAll has run.
 */
export function useServiceDatabase(prefix: string, spec: ServiceDatabaseSpec): ServiceTestDatabase {
  const opened: { db?: TestDatabase; dataSource?: DataSource } = {};
  beforeAll(async () => {
    opened.db = await createTestDatabase(prefix);
    opened.dataSource = await openServiceDatabase(opened.db.url, spec);
  }, 30_000);
  afterAll(async () => {
    await opened.dataSource?.destroy();
    await opened.db?.drop();
  });
  return {
    get db() {
      if (opened.db === undefined) throw new Error('useServiceDatabase: the database is open only once beforeAll has run');
      return opened.db;
    },
    get dataSource() {
      if (opened.dataSource === undefined) throw new Error('useServiceDatabase: the database is open only once beforeAll has run');
      return opened.dataSource;
    },
  };
}
