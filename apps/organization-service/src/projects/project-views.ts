import { ProjectView } from '@app/contracts';
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
