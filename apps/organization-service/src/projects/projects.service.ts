import { Injectable } from '@nestjs/common';
import { CreateProjectSchema, ErrorCodes, ListProjectsSchema, OrgRole, ProjectView } from '@app/contracts';
import { DomainError } from '@app/common';
import { execute } from '@app/database';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { memberColumn, scopedOrg } from '../memberships/org-access';
import { projectSlug } from './project-slug';

type MemberColumn = ReturnType<typeof memberColumn>;

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

/**
 * A project row (alias `p`) as the JSON of its view, its environments (rows `e` of the given
 * source, in position order) inside: Postgres builds the views, so a call is one statement.
 */
const projectJson = (environments: string) => `json_build_object(
  'id', p.id, 'name', p.name, 'description', p.description, 'slug', p.slug, 'type', p.type, 'orgId', p.org_id,
  'createdAt', p.created_at, 'updatedAt', p.updated_at,
  'environments', (SELECT coalesce(json_agg(json_build_object('id', e.id, 'name', e.name, 'slug', e.slug) ORDER BY e.position), '[]') FROM ${environments}))`;

/** JSON carries Postgres's timestamps (microseconds, +00:00): the same instants as the rest of the API gives, as Date would. */
export const fromJson = (view: ProjectView): ProjectView => ({
  ...view,
  createdAt: new Date(view.createdAt).toISOString(),
  updatedAt: new Date(view.updatedAt).toISOString(),
});

/**
 * One project, its default environments ($8 names, $9 slugs) and the caller ($2, in `column`) as
 * its admin, if the caller is an admin or member of organization $1; $3–$7: name, description,
 * slug, type, template. Exported for the bench's floor, which runs the same statements.
 */
export const createProjectSql = (column: MemberColumn) =>
  `WITH caller AS (
     SELECT role FROM org_memberships WHERE org_id = $1 AND ${column} = $2 FOR SHARE
   ), p AS (
     INSERT INTO projects (org_id, name, description, slug, type, template)
     SELECT $1, $3, $4, $5, $6, $7 WHERE (SELECT role FROM caller) IN ('admin', 'member')
     ON CONFLICT (org_id, slug) DO NOTHING
     RETURNING *
   ), e AS (
     INSERT INTO project_environments (project_id, name, slug, position)
     SELECT p.id, env.name, env.slug, env.position FROM p, unnest($8::text[], $9::text[]) WITH ORDINALITY AS env(name, slug, position)
     RETURNING *
   ), m AS (
     INSERT INTO project_memberships (project_id, ${column}, role) SELECT p.id, $2, 'admin' FROM p
   )
   SELECT (SELECT role FROM caller) AS role, (SELECT ${projectJson('e')} FROM p) AS project`;

/** createProjectSql's parameters; a default slug is drawn afresh on each call. */
export function createProjectParameters(orgId: string, callerId: string, body: Omit<CreateProject, 'caller'>): unknown[] {
  return [
    orgId,
    callerId,
    body.projectName,
    body.projectDescription,
    body.slug ?? projectSlug(body.projectName),
    body.type,
    body.template,
    DEFAULT_ENVIRONMENTS.map((e) => e.name),
    DEFAULT_ENVIRONMENTS.map((e) => e.slug),
  ];
}

/** The caller's role in organization $1 and the page ($3 offset, $4 limit) of projects it may see. */
export const listProjectsSql = (column: MemberColumn) =>
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
          (SELECT json_agg(${projectJson('project_environments e WHERE e.project_id = p.id')} ORDER BY p.created_at, p.id) FROM page p) AS projects`;

@Injectable()
export class ProjectsService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The project, its default environments and the caller as its admin, all or nothing, in one
   * statement: every POST lands here, and one round trip replaces a transaction of five. The
   * caller's membership is read FOR SHARE by that statement, so a concurrent removal of the
   * caller waits for it (see MembershipsService.removeMember). The unique (org_id, slug)
   * constraint decides, not a prior lookup: of two concurrent creations with one slug, exactly
   * one inserts. A given slug is refused when taken; a default one is drawn again.
   */
  async create(cmd: CreateProject): Promise<ProjectView> {
    const orgId = scopedOrg(cmd.caller);
    const column = memberColumn(cmd.caller.type);
    const attempts = cmd.slug === undefined ? SLUG_ATTEMPTS : 1;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const { rows } = await execute<{ role: OrgRole | null; project: ProjectView | null }>(
        this.dataSource.manager,
        createProjectSql(column),
        createProjectParameters(orgId, cmd.caller.id, cmd),
      );
      // Authorization is ours (see org-access.ts).
      const { role, project } = rows[0];
      if (role !== 'admin' && role !== 'member') {
        throw new DomainError(ErrorCodes.permissionDenied, 'You are not allowed to create projects in this organization');
      }
      if (project !== null) return fromJson(project);
    }
    if (cmd.slug !== undefined) {
      throw new DomainError(ErrorCodes.projectSlugTaken, `Project with slug '${cmd.slug}' already exists in this organization`);
    }
    throw new Error('Could not find a free project slug');
  }

  /**
   * An organization admin sees every project; a member only those it is a member of. One
   * statement — the caller's role, and the page it may see — since every authenticated GET lands
   * here: one round trip instead of three, and no entity hydration (see bench/README.md).
   */
  async list(cmd: ListProjects): Promise<ProjectView[]> {
    const orgId = scopedOrg(cmd.caller);
    const column = memberColumn(cmd.caller.type);
    const { rows } = await execute<{ role: OrgRole | null; projects: ProjectView[] | null }>(
      this.dataSource.manager,
      listProjectsSql(column),
      [orgId, cmd.caller.id, cmd.offset, cmd.limit],
    );
    // Authorization is ours (see org-access.ts).
    const { role, projects } = rows[0];
    if (role !== 'admin' && role !== 'member') {
      throw new DomainError(ErrorCodes.permissionDenied, 'You are not allowed to list the projects of this organization');
    }
    return (projects ?? []).map(fromJson);
  }
}
