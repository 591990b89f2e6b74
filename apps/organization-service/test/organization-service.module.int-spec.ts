import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PayloadPipe } from '@app/common';
import { loadConfig } from '@app/config';
import { CreateProjectSchema, ErrorCodes, ListProjectsSchema } from '@app/contracts';
import { createTestDatabase, TestDatabase } from '@app/testing';
import { MembershipsMessageController } from '../src/memberships/memberships.message.controller';
import { OrganizationServiceModule } from '../src/organization-service.module';
import { OrganizationsMessageController } from '../src/organizations/organizations.message.controller';
import { ProjectsMessageController } from '../src/projects/projects.message.controller';
import { identity, principal } from './fixtures';

/** The module as main.ts builds it (without the NATS transport): every handler wired to its service. */
describe(OrganizationServiceModule.name, () => {
  let db: TestDatabase;
  let app: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase('int_org_module');
    const config = loadConfig({ DB_CONNECTION_URI: db.url });
    app = await (await Test.createTestingModule({ imports: [OrganizationServiceModule.forRoot(config)] }).compile()).init();
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("runs the seed's flow: bootstrap, a project by the root identity, a new identity, its removal", async () => {
    const orgs = app.get(OrganizationsMessageController);
    const members = app.get(MembershipsMessageController);
    const projects = app.get(ProjectsMessageController);

    const sagaId = randomUUID();
    const { organization } = await orgs.create({ sagaId, name: 'Seed Org', adminUserId: randomUUID() });
    const root = identity();
    await orgs.addIdentityMembership({ sagaId, organizationId: organization.id, identityId: root.id, role: 'admin' });
    const caller = principal(root, organization.id, true);

    // As the bus delivers them: through the pipe that validates every payload.
    const body = { projectName: 'New Project', projectDescription: 'A project created via API', slug: 'new-project-slug', template: 'default', type: 'SECRET_MANAGER' };
    const { project } = await projects.create(new PayloadPipe(CreateProjectSchema).transform({ caller, ...body }));
    expect(project).toMatchObject({ slug: 'new-project-slug', type: 'secret-manager', orgId: organization.id });
    await expect(projects.list(new PayloadPipe(ListProjectsSchema).transform({ caller }))).resolves.toEqual({ projects: [project] });

    const machine = identity();
    await orgs.addIdentityMembership({ sagaId: randomUUID(), organizationId: organization.id, identityId: machine.id, caller, role: 'member' });
    await expect(members.getMemberRole({ organizationId: organization.id, member: machine })).resolves.toEqual({ role: 'member' });
    await expect(members.setIdentityRole({ caller, organizationId: organization.id, identityId: machine.id, role: 'no-access' })).resolves.toEqual({
      role: 'no-access',
    });
    await expect(members.removeMember({ member: machine })).resolves.toEqual({ removed: 1 });
    await expect(members.getMemberRole({ organizationId: organization.id, member: machine })).resolves.toEqual({ role: null });
    await expect(members.getMemberRole({ organizationId: randomUUID(), member: machine })).rejects.toMatchObject({
      code: ErrorCodes.organizationNotFound,
    });
  });
});
