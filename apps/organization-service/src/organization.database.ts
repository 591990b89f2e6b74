import { ServiceDatabaseSpec } from '@app/database';
import { CreateOrganizations1764190000000 } from './migrations/1764190000000-create-organizations';
import { CreateProjects1764300000000 } from './migrations/1764300000000-create-projects';
import { FinishedSagas1764400000000 } from './migrations/1764400000000-finished-sagas';
import { MembershipEntity } from './organizations/membership.entity';
import { OrganizationEntity } from './organizations/organization.entity';
import { ProjectEnvironmentEntity } from './projects/project-environment.entity';
import { ProjectMembershipEntity } from './projects/project-membership.entity';
import { ProjectEntity } from './projects/project.entity';

export const organizationDatabase: ServiceDatabaseSpec = {
  schema: 'organization_service',
  entities: [OrganizationEntity, MembershipEntity, ProjectEntity, ProjectEnvironmentEntity, ProjectMembershipEntity],
  migrations: [CreateOrganizations1764190000000, CreateProjects1764300000000, FinishedSagas1764400000000],
};
