import { ProjectView } from '@app/contracts';
import { EntityManager, In } from 'typeorm';
import { ProjectEnvironmentEntity } from './project-environment.entity';
import { ProjectEntity } from './project.entity';

export type ProjectRow = Pick<ProjectEntity, 'id' | 'name' | 'description' | 'slug' | 'type' | 'orgId' | 'createdAt' | 'updatedAt'>;
type EnvironmentRow = Pick<ProjectEnvironmentEntity, 'id' | 'name' | 'slug' | 'position'>;

/** WIRE: a project as Infisical's v2 API shows one; environments in display order. */
export function toProjectView(p: ProjectRow, environments: EnvironmentRow[]): ProjectView {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    slug: p.slug,
    type: p.type,
    orgId: p.orgId,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    environments: [...environments].sort((a, b) => a.position - b.position).map(({ id, name, slug }) => ({ id, name, slug })),
  };
}

/** The views of a page of projects, with the environments of all of them in one query. */
export async function projectViews(m: EntityManager, projects: ProjectRow[]): Promise<ProjectView[]> {
  if (projects.length === 0) return [];
  const environments = await m.find(ProjectEnvironmentEntity, { where: { projectId: In(projects.map((p) => p.id)) } });
  const byProject = new Map<string, ProjectEnvironmentEntity[]>();
  for (const env of environments) byProject.set(env.projectId, [...(byProject.get(env.projectId) ?? []), env]);
  return projects.map((p) => toProjectView(p, byProject.get(p.id) ?? []));
}
