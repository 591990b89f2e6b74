import { randomUUID } from 'node:crypto';
import { CreateProjectSchema, OrgRole, Principal } from '@app/contracts';
import { useServiceDatabase } from '@app/testing';
import { organizationDatabase } from '../src/organization.database';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { ProjectEntity } from '../src/projects/project.entity';
import { ProjectsService } from '../src/projects/projects.service';
import { addMember, identity, organizationWithAdmin, principal } from './fixtures';

/** The body of the seed's example request, exactly as its curl sends it. */
export const SEED_BODY = {
  projectName: 'New Project',
  projectDescription: 'A project created via API',
  slug: 'new-project-slug',
  template: 'default',
  type: 'SECRET_MANAGER',
};

export const named = (projectName: string, slug?: string) => ({ projectName, ...(slug === undefined ? {} : { slug }) });

/** A fresh database for one test file, migrated, with the services over it; dropped after the file. */
export function projectsHarness(prefix: string) {
  const database = useServiceDatabase(prefix, organizationDatabase);
  const t = {} as { organizations: OrganizationsService; projects: ProjectsService };

  // After useServiceDatabase's beforeAll: hooks run in the order they are declared.
  beforeAll(() => {
    t.organizations = new OrganizationsService(database.dataSource);
    t.projects = new ProjectsService(database.dataSource);
  });

  return {
    get db() {
      return database.db;
    },
    get dataSource() {
      return database.dataSource;
    },
    orgWithAdmin: (name?: string) => organizationWithAdmin(t.organizations, name),
    /** An identity added by the bootstrap's step (no caller): an admin of the organization. */
    addBootstrapIdentity: (orgId: string, identityId: string) => t.organizations.addIdentityMembership(randomUUID(), orgId, identityId),
    /** As the bus delivers it: the body validated (and normalized) by the contract's schema. */
    create: (caller: Principal, body: Record<string, unknown>) => t.projects.create(CreateProjectSchema.parse({ ...body, caller })),
    list: (caller: Principal, offset = 0, limit = 20) => t.projects.list({ caller, offset, limit }),
    projectsIn: (orgId: string) => database.dataSource.getRepository(ProjectEntity).countBy({ orgId }),
    /** A caller (an identity) with that role in a fresh organization, and the organization's admin. */
    async orgWith(role: OrgRole) {
      const { org, admin } = await organizationWithAdmin(t.organizations);
      const member = identity();
      await addMember(database.dataSource, org.id, member, role);
      return { org, admin, caller: principal(member, org.id) };
    },
  };
}
