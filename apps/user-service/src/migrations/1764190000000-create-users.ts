import { COMPENSATED_SAGAS_DDL } from '@app/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateUsers1764190000000 implements MigrationInterface {
  name = 'CreateUsers1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        username text NOT NULL,
        first_name text NOT NULL,
        last_name text NOT NULL,
        super_admin boolean NOT NULL DEFAULT false,
        password_hash text NOT NULL,
        saga_id uuid UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(COMPENSATED_SAGAS_DDL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE compensated_sagas');
    await q.query('DROP TABLE users');
  }
}
