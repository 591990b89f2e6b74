import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProjects1764300000000 implements MigrationInterface {
  name = 'CreateProjects1764300000000';

  async up(q: QueryRunner): Promise<void> {
    // UNIQUE (org_id, slug) is what refuses a taken slug, so two concurrent creations cannot both win.
    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        slug text NOT NULL,
        type text NOT NULL,
        template text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org_id, slug)
      )`);
    // list-projects pages an organization's projects in (created_at, id) order.
    await q.query('CREATE INDEX projects_org_created_idx ON projects (org_id, created_at, id)');
    await q.query(`
      CREATE TABLE project_environments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL,
        slug text NOT NULL,
        position int NOT NULL,
        UNIQUE (project_id, slug)
      )`);
    // user_id and identity_id are owned by other services: ids, never foreign keys across schemas.
    await q.query(`
      CREATE TABLE project_memberships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        user_id uuid,
        identity_id uuid,
        role text NOT NULL CHECK (role IN ('admin', 'member', 'viewer', 'no-access')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((user_id IS NULL) <> (identity_id IS NULL)),
        UNIQUE (project_id, user_id),
        UNIQUE (project_id, identity_id)
      )`);
    // remove-member deletes by member across all projects.
    await q.query('CREATE INDEX project_memberships_user_idx ON project_memberships (user_id) WHERE user_id IS NOT NULL');
    await q.query('CREATE INDEX project_memberships_identity_idx ON project_memberships (identity_id) WHERE identity_id IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE project_memberships');
    await q.query('DROP TABLE project_environments');
    await q.query('DROP TABLE projects');
  }
}
