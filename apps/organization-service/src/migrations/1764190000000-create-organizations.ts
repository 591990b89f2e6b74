import { COMPENSATED_SAGAS_DDL } from '@app/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrganizations1764190000000 implements MigrationInterface {
  name = 'CreateOrganizations1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        slug text NOT NULL UNIQUE,
        saga_id uuid UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE org_memberships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        user_id uuid,
        identity_id uuid,
        role text NOT NULL CHECK (role IN ('admin', 'member', 'no-access')),
        saga_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((user_id IS NULL) <> (identity_id IS NULL)),
        UNIQUE (org_id, user_id),
        UNIQUE (org_id, identity_id)
      )`);
    await q.query(COMPENSATED_SAGAS_DDL);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE compensated_sagas');
    await q.query('DROP TABLE org_memberships');
    await q.query('DROP TABLE organizations');
  }
}
