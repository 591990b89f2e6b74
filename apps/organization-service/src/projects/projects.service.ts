import { Injectable } from '@nestjs/common';
import { CreateProjectSchema, ErrorCodes, ListProjectsSchema, OrgRole, ProjectView } from '@app/contracts';
import { DomainError } from '@app/common';
import { execute } from '@app/database';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { memberColumn, roleIn, scopedOrg } from '../memberships/org-access';
import { projectSlug } from './project-slug';
import { ProjectRow, toProjectView } from './project-views';

type CreateProject = z.infer<typeof CreateProjectSchema>;
type ListProjects = z.infer<typeof ListProjectsSchema>;

/** 62^4 suffixes make a collision rare; a handful of attempts makes failing one negligible. */
const SLUG_ATTEMPTS = 8;

/** The `default` template: what every new project starts with, in display order. */
const DEFAULT_ENVIRONMENTS = [
  { name: 'Development', slug: 'dev' },
  { name: 'Staging', slug: 'staging' },
  { name: 'Production', slug: 'prod' },
];

const PROJECT_COLUMNS = 'id, name, description, slug, type, org_id AS "orgId", created_at AS "createdAt", updated_at AS "updatedAt"';

@Injectable()
export class ProjectsService {
  constructor(private readonly dataSource: DataSource) {}

  /** The project, its default environments and the caller as its admin, all or nothing. */
  async create(cmd: CreateProject): Promise<ProjectView> {
    const orgId = scopedOrg(cmd.caller);
    return this.dataSource.transaction(async (m) => {
      // Authorization is ours (see org-access.ts). The row stays locked until commit, so the
      // caller cannot lose its membership halfway through.
      const role = await roleIn(m, orgId, cmd.caller, true);
      if (role !== 'admin' && role !== 'member') {
        throw new DomainError(ErrorCodes.permissionDenied, 'You are not allowed to create projects in this organization');
      }
      const project = await this.insertProject(m, orgId, cmd);
      const { rows: environments } = await execute<{ id: string; name: string; slug: string; position: number }>(
        m,
        `INSERT INTO project_environments (project_id, name, slug, position)
         SELECT $1, e.name, e.slug, e.position
         FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS e(name, slug, position)
         RETURNING id, name, slug, position`,
        [project.id, DEFAULT_ENVIRONMENTS.map((e) => e.name), DEFAULT_ENVIRONMENTS.map((e) => e.slug)],
      );
      await execute(m, `INSERT INTO project_memberships (project_id, ${memberColumn(cmd.caller.type)}, role) VALUES ($1, $2, 'admin')`, [
        project.id,
        cmd.caller.id,
      ]);
      return toProjectView(project, environments);
    });
  }

  /**
   * An organization admin sees every project; a member only those it is a member of. One
   * statement — the caller's role, and the page it may see with each project's environments as
   * JSON — since every authenticated call lands here: one round trip instead of three, and no
   * entity hydration (see bench/README.md).
   */
  async list(cmd: ListProjects): Promise<ProjectView[]> {
    const orgId = scopedOrg(cmd.caller);
    const column = memberColumn(cmd.caller.type);
    const { rows } = await execute<{ role: OrgRole | null; projects: ProjectView[] | null }>(
      this.dataSource.manager,
      `WITH caller AS (SELECT role FROM org_memberships WHERE org_id = $1 AND ${column} = $2),
       page AS (
         SELECT p.* FROM projects p
          WHERE p.org_id = $1
            AND ((SELECT role FROM caller) = 'admin'
              OR ((SELECT role FROM caller) = 'member'
                  AND EXISTS (SELECT 1 FROM project_memberships pm WHERE pm.project_id = p.id AND pm.${column} = $2)))
          ORDER BY p.created_at, p.id OFFSET $3 LIMIT $4
       )
       SELECT (SELECT role FROM caller) AS role,
              (SELECT json_agg(json_build_object(
                        'id', page.id, 'name', page.name, 'description', page.description, 'slug', page.slug,
                        'type', page.type, 'orgId', page.org_id, 'createdAt', page.created_at, 'updatedAt', page.updated_at,
                        'environments', (SELECT coalesce(json_agg(json_build_object('id', e.id, 'name', e.name, 'slug', e.slug) ORDER BY e.position), '[]')
                                           FROM project_environments e WHERE e.project_id = page.id))
                      ORDER BY page.created_at, page.id)
                 FROM page) AS projects`,
      [orgId, cmd.caller.id, cmd.offset, cmd.limit],
    );
    // Authorization is ours (see org-access.ts).
    const { role, projects } = rows[0];
    if (role !== 'admin' && role !== 'member') {
      throw new DomainError(ErrorCodes.permissionDenied, 'You are not allowed to list the projects of this organization');
    }
    // JSON carries Postgres's timestamps (microseconds, +00:00): the same instants as Date gives elsewhere.
    return (projects ?? []).map((p) => ({ ...p, createdAt: new Date(p.createdAt).toISOString(), updatedAt: new Date(p.updatedAt).toISOString() }));
  }

  /**
   * The unique (org_id, slug) constraint decides, not a prior lookup: of two concurrent
   * creations with one slug, exactly one inserts. A given slug is refused when taken; a
   * default one is drawn again.
   */
  private async insertProject(m: EntityManager, orgId: string, cmd: CreateProject): Promise<ProjectRow> {
    const attempts = cmd.slug === undefined ? SLUG_ATTEMPTS : 1;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const slug = cmd.slug ?? projectSlug(cmd.projectName);
      const { rows } = await execute<ProjectRow>(
        m,
        `INSERT INTO projects (org_id, name, description, slug, type, template) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (org_id, slug) DO NOTHING RETURNING ${PROJECT_COLUMNS}`,
        [orgId, cmd.projectName, cmd.projectDescription, slug, cmd.type, cmd.template],
      );
      if (rows.length === 1) return rows[0];
    }
    if (cmd.slug !== undefined) {
      throw new DomainError(ErrorCodes.projectSlugTaken, `Project with slug '${cmd.slug}' already exists in this organization`);
    }
    throw new Error('Could not find a free project slug');
  }
}
