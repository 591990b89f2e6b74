import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSagas1764190000000 implements MigrationInterface {
  name = 'CreateSagas1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE instance_state (
        id smallint PRIMARY KEY CHECK (id = 1),
        status text NOT NULL CHECK (status IN ('UNINITIALIZED', 'BOOTSTRAPPING', 'INITIALIZED')),
        saga_id uuid,
        initialized_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'UNINITIALIZED') = (saga_id IS NULL))
      )`);
    await q.query(`INSERT INTO instance_state (id, status) VALUES (1, 'UNINITIALIZED')`);
    await q.query(`
      CREATE TABLE sagas (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        state text NOT NULL CHECK (state IN ('RUNNING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'COMPENSATION_FAILED')),
        current_step text,
        completed_steps jsonb NOT NULL DEFAULT '[]',
        to_compensate jsonb NOT NULL DEFAULT '[]',
        compensated_steps jsonb NOT NULL DEFAULT '[]',
        failed_step text,
        error text,
        data jsonb NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        correlation_id text NOT NULL,
        deadline_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX sagas_unfinished ON sagas (deadline_at) WHERE state IN ('RUNNING', 'COMPENSATING', 'COMPENSATION_FAILED')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sagas');
    await q.query('DROP TABLE instance_state');
  }
}
