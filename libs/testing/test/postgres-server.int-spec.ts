import { Client } from 'pg';
import { TestDatabase, TestPostgresServer } from '@app/testing';

jest.setTimeout(60_000);

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe(TestPostgresServer.name, () => {
  let server: TestPostgresServer;
  let db: TestDatabase;

  beforeAll(async () => {
    server = await TestPostgresServer.create();
    db = await server.createDatabase('pgserver');
    await db.query('CREATE TABLE kept (id int)');
    await db.query('INSERT INTO kept VALUES (1)');
  });

  afterAll(async () => {
    await server?.destroy();
  });

  it('serves a database of its own on 127.0.0.1 and its own port', async () => {
    expect(db.url).toBe(server.url(db.name));
    expect(server.port).not.toBe(5432);
    await expect(answers(db.url)).resolves.toBe(true);
  });

  it('refuses connections once stopped', async () => {
    await server.stop();
    await expect(answers(db.url)).resolves.toBe(false);
  });

  it('keeps its data across an immediate stop and a start', async () => {
    await server.start();
    await server.restart('immediate');
    await expect(db.query('SELECT id FROM kept')).resolves.toEqual([{ id: 1 }]);
  });
});
