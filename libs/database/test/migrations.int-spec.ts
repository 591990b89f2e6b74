import { openServiceDatabase, ServiceDatabaseSpec } from '@app/database';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

const REPLICAS = 5;

/** How often each migration's up() ran, across every DataSource of this process. */
const runs: Record<string, number> = {};

class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';
  async up(q: QueryRunner): Promise<void> {
    runs[this.name] = (runs[this.name] ?? 0) + 1;
    // Unqualified on purpose: it must land in the service's schema, not in `public`.
    await q.query('CREATE TABLE widgets (id serial PRIMARY KEY, label text NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE widgets');
  }
}

class SeedWidgets1700000000001 implements MigrationInterface {
  name = 'SeedWidgets1700000000001';
  async up(q: QueryRunner): Promise<void> {
    runs[this.name] = (runs[this.name] ?? 0) + 1;
    await q.query(`INSERT INTO widgets (label) VALUES ('seed')`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM widgets');
  }
}

const spec: ServiceDatabaseSpec = {
  schema: 'widget_service',
  entities: [],
  migrations: [CreateWidgets1700000000000, SeedWidgets1700000000001],
};

describe(openServiceDatabase.name, () => {
  let db: TestDatabase;
  let opened: Array<PromiseSettledResult<DataSource>>;

  const dataSources = () =>
    opened.filter((r): r is PromiseFulfilledResult<DataSource> => r.status === 'fulfilled').map((r) => r.value);

  const tablesIn = async (schema: string) =>
    (
      await db.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      )
    ).map((r) => r.table_name);

  beforeAll(async () => {
    db = await createTestDatabase('int_migrations');
    // Replicas starting together against a fresh database.
    opened = await Promise.allSettled(Array.from({ length: REPLICAS }, () => openServiceDatabase(db.url, spec)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(dataSources().map((ds) => ds.destroy()));
    await db?.drop();
  });

  it('opens the database from every replica', () => {
    expect(opened.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(dataSources().filter((ds) => ds.isInitialized)).toHaveLength(REPLICAS);
  });

  it('runs each migration exactly once', () => {
    expect(runs).toEqual({ CreateWidgets1700000000000: 1, SeedWidgets1700000000001: 1 });
  });

  it('records each migration once, in order, in the schema’s migrations table', async () => {
    const rows = await db.query<{ name: string }>(`SELECT name FROM widget_service.migrations ORDER BY id`);
    expect(rows.map((r) => r.name)).toEqual(['CreateWidgets1700000000000', 'SeedWidgets1700000000001']);
  });

  it("applies each migration's changes once", async () => {
    await expect(db.query('SELECT label FROM widget_service.widgets')).resolves.toEqual([{ label: 'seed' }]);
  });

  it("creates the tables, and TypeORM's migrations table, in the service's schema", async () => {
    await expect(tablesIn('widget_service')).resolves.toEqual(['migrations', 'widgets']);
  });

  it('creates nothing in the public schema', async () => {
    await expect(tablesIn('public')).resolves.toEqual([]);
  });

  it('runs nothing when a later replica opens the migrated database', async () => {
    const late = await openServiceDatabase(db.url, spec);
    await late.destroy();
    expect(runs).toEqual({ CreateWidgets1700000000000: 1, SeedWidgets1700000000001: 1 });
  });
});
