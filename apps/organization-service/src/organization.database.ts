import { ServiceDatabaseSpec } from '@app/database';
import { CreateOrganizations1764190000000 } from './migrations/1764190000000-create-organizations';
import { MembershipEntity } from './organizations/membership.entity';
import { OrganizationEntity } from './organizations/organization.entity';

export const organizationDatabase: ServiceDatabaseSpec = {
  schema: 'organization_service',
  entities: [OrganizationEntity, MembershipEntity],
  migrations: [CreateOrganizations1764190000000],
};
