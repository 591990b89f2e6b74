import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The machine's Postgres (trust auth), as DEVELOPERS.md describes it. */
export const ADMIN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  /** Runs SQL against this database on a short-lived connection. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database for one test file on the server of `adminUrl`; dropped (with its connections) by drop(). */
export async function createTestDatabase(prefix = 't', adminUrl = ADMIN_DATABASE_URL): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    ...existingTestDatabase(url.toString()),
    name,
    drop: () => withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A database someone else created and will drop: drop() does nothing. */
export function existingTestDatabase(url: string): TestDatabase {
  return {
    name: decodeURIComponent(new URL(url).pathname.slice(1)),
    url,
    query: (sql, params = []) => withClient(url, async (c) => (await c.query(sql, params)).rows),
    drop: () => Promise.resolve(),
  };
}
