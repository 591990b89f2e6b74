import { TestDatabase } from './postgres';

/** Every schema a service owns. */
export const SERVICE_SCHEMAS = ['saga_orchestrator', 'user_service', 'organization_service', 'identity_service'];

/**
 * Test only: puts the instance back to "never bootstrapped" without restarting anything. Empties
 * every data table of the four services (found by query, so a table added later is included),
 * keeps their migrations, and sets instance_state to UNINITIALIZED, in one transaction. Call it
 * with no bootstrap in flight.
 */
export async function resetInstance(db: TestDatabase): Promise<void> {
  const tables = await db.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
     WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' AND table_name NOT IN ('migrations', 'instance_state')`,
    [SERVICE_SCHEMAS],
  );
  await db.query(
    `BEGIN;
     TRUNCATE ${tables.map((t) => t.name).join(', ')};
     UPDATE saga_orchestrator.instance_state SET status = 'UNINITIALIZED', saga_id = NULL, initialized_at = NULL, updated_at = now();
     COMMIT;`,
  );
}
