import { MigrationInterface, QueryRunner } from 'typeorm';

/** What deadline sweeps and the event outbox need: take-over attempts and the final event's publication. */
export class SagaRecovery1764200000000 implements MigrationInterface {
  name = 'SagaRecovery1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE sagas ADD COLUMN attempts integer NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE sagas ADD COLUMN event_published_at timestamptz');
    await q.query(
      `CREATE INDEX sagas_unpublished ON sagas (updated_at) WHERE state IN ('COMPLETED', 'COMPENSATED') AND event_published_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX sagas_unpublished');
    await q.query('ALTER TABLE sagas DROP COLUMN event_published_at');
    await q.query('ALTER TABLE sagas DROP COLUMN attempts');
  }
}
