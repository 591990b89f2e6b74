import { COMPENSATED_SAGAS_DDL } from '@app/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentities1764190000000 implements MigrationInterface {
  name = 'CreateIdentities1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        org_id uuid NOT NULL,
        is_instance_admin boolean NOT NULL DEFAULT false,
        saga_id uuid UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE identity_token_auths (
        identity_id uuid PRIMARY KEY REFERENCES identities(id) ON DELETE CASCADE,
        access_token_ttl integer NOT NULL,
        access_token_max_ttl integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE identity_access_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        identity_id uuid NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
        name text NOT NULL,
        auth_method text NOT NULL DEFAULT 'token-auth',
        expires_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX identity_access_tokens_identity_id ON identity_access_tokens (identity_id)');
    await q.query(COMPENSATED_SAGAS_DDL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE compensated_sagas');
    await q.query('DROP TABLE identity_access_tokens');
    await q.query('DROP TABLE identity_token_auths');
    await q.query('DROP TABLE identities');
  }
}
