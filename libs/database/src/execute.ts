import { EntityManager } from 'typeorm';

export interface ExecResult<T> {
  rows: T[];
  affected: number;
}

/**
 * Raw SQL with a predictable result. TypeORM's `query()` answers UPDATE and DELETE with
 * `[rows, count]` but other statements with `rows`; this always gives both, named.
 */
export async function execute<T = Record<string, unknown>>(
  manager: EntityManager,
  sql: string,
  parameters: unknown[] = [],
): Promise<ExecResult<T>> {
  const own = manager.queryRunner === undefined;
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, parameters, true);
    const rows = (result.records ?? []) as T[];
    return { rows, affected: typeof result.affected === 'number' ? result.affected : rows.length };
  } finally {
    if (own) await runner.release();
  }
}
