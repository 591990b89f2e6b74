import { randomUUID } from 'node:crypto';
import { CreateProjectSchema, OrgRole, Principal } from '@app/contracts';
import { openServiceDatabase } from '@app/database';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { DataSource } from 'typeorm';
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
  const t = {} as { db: TestDatabase; dataSource: DataSource; organizations: OrganizationsService; projects: ProjectsService };

  beforeAll(async () => {
    t.db = await createTestDatabase(prefix);
    t.dataSource = await openServiceDatabase(t.db.url, organizationDatabase);
    t.organizations = new OrganizationsService(t.dataSource);
    t.projects = new ProjectsService(t.dataSource);
  }, 30_000);

  afterAll(async () => {
    await t.dataSource?.destroy();
    await t.db?.drop();
  });

  return {
    get db() {
      return t.db;
    },
    get dataSource() {
      return t.dataSource;
    },
    orgWithAdmin: (name?: string) => organizationWithAdmin(t.organizations, name),
    /** An identity added by the bootstrap's step (no caller): an admin of the organization. */
    addBootstrapIdentity: (orgId: string, identityId: string) => t.organizations.addIdentityMembership(randomUUID(), orgId, identityId),
    /** As the bus delivers it: the body validated (and normalized) by the contract's schema. */
    create: (caller: Principal, body: Record<string, unknown>) => t.projects.create(CreateProjectSchema.parse({ ...body, caller })),
    list: (caller: Principal, offset = 0, limit = 20) => t.projects.list({ caller, offset, limit }),
    projectsIn: (orgId: string) => t.dataSource.getRepository(ProjectEntity).countBy({ orgId }),
    /** A caller (an identity) with that role in a fresh organization, and the organization's admin. */
    async orgWith(role: OrgRole) {
      const { org, admin } = await organizationWithAdmin(t.organizations);
      const member = identity();
      await addMember(t.dataSource, org.id, member, role);
      return { org, admin, caller: principal(member, org.id) };
    },
  };
}
