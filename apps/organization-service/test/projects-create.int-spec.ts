import crypto from 'node:crypto';
import { ErrorCodes, OrgRole } from '@app/contracts';
import { ProjectEnvironmentEntity } from '../src/projects/project-environment.entity';
import { ProjectMembershipEntity } from '../src/projects/project-membership.entity';
import { ProjectEntity } from '../src/projects/project.entity';
import { ProjectsService } from '../src/projects/projects.service';
import { addMember, identity, principal, user } from './fixtures';
import { named, projectsHarness, SEED_BODY } from './project-fixtures';

const SLUG_RULE = /^[a-z0-9-]{5,36}$/;

describe(ProjectsService.name, () => {
  const t = projectsHarness('int_projects_create');

  describe('create', () => {
    it("creates the seed's project, as the instance admin identity, with the type normalized", async () => {
      const { org } = await t.orgWithAdmin('Seed Org');
      const rootIdentity = identity();
      await t.addBootstrapIdentity(org.id, rootIdentity.id);
      const project = await t.create(principal(rootIdentity, org.id, true), SEED_BODY);
      expect(project).toEqual({
        id: expect.any(String),
        name: 'New Project',
        description: 'A project created via API',
        slug: 'new-project-slug',
        type: 'secret-manager',
        orgId: org.id,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        environments: [
          { id: expect.any(String), name: 'Development', slug: 'dev' },
          { id: expect.any(String), name: 'Staging', slug: 'staging' },
          { id: expect.any(String), name: 'Production', slug: 'prod' },
        ],
      });
      expect(new Date(project.createdAt).toISOString()).toBe(project.createdAt);
      await expect(t.dataSource.getRepository(ProjectEntity).findOneByOrFail({ id: project.id })).resolves.toMatchObject({
        orgId: org.id,
        template: 'default',
        type: 'secret-manager',
      });
    });

    it('stores the three environments in position order', async () => {
      const { admin } = await t.orgWithAdmin();
      const project = await t.create(admin, named('Envs'));
      const rows = await t.dataSource.getRepository(ProjectEnvironmentEntity).find({ where: { projectId: project.id }, order: { position: 'ASC' } });
      expect(rows.map((e) => [e.position, e.name, e.slug, e.id])).toEqual(
        project.environments.map((e, i) => [i + 1, e.name, e.slug, e.id]),
      );
    });

    it('makes the caller the project admin', async () => {
      const { admin } = await t.orgWithAdmin();
      const project = await t.create(admin, named('Mine'));
      await expect(t.dataSource.getRepository(ProjectMembershipEntity).findBy({ projectId: project.id })).resolves.toEqual([
        expect.objectContaining({ userId: admin.id, identityId: null, role: 'admin' }),
      ]);
    });

    it('lets an organization member create a project', async () => {
      const { caller } = await t.orgWith('member');
      const project = await t.create(caller, named('By Member'));
      await expect(t.dataSource.getRepository(ProjectMembershipEntity).findBy({ projectId: project.id })).resolves.toEqual([
        expect.objectContaining({ identityId: caller.id, role: 'admin' }),
      ]);
    });

    it('defaults the slug to slugify(name-xxxx), at most 36 characters', async () => {
      const { admin } = await t.orgWithAdmin();
      const { slug } = await t.create(admin, named('New Project'));
      expect(slug).toMatch(SLUG_RULE);
      expect(slug.startsWith('new-project-')).toBe(true);
      // slugify lower-cases the suffix and may split it at camel case (vE5l -> v-e5l).
      expect(slug.slice('new-project-'.length).replace(/-/g, '')).toMatch(/^[0-9a-z]{4}$/);
    });

    it('cuts the default slug of a long name to 36 characters, without a trailing hyphen', async () => {
      const { admin } = await t.orgWithAdmin();
      const { slug } = await t.create(admin, named('A Rather Long Project Name That Goes On And On For Ever'));
      expect(slug).toMatch(SLUG_RULE);
      expect(slug).not.toMatch(/-$/);
      expect(slug.startsWith('a-rather-long-project-name')).toBe(true);
    });

    it('gives a name of emoji only the slug project-xxxx', async () => {
      const { admin } = await t.orgWithAdmin();
      const project = await t.create(admin, named('🚀🔥✨'));
      expect(project.name).toBe('🚀🔥✨');
      expect(project.slug).toMatch(SLUG_RULE);
      expect(project.slug.startsWith('project-')).toBe(true);
    });

    it('draws a new default slug when the drawn one is taken', async () => {
      const { admin } = await t.orgWithAdmin();
      await t.create(admin, named('Collide', 'collide-0000'));
      // Suffix digits: 0000 (taken), then 1111.
      const draws = [...'00001111'].map(Number);
      const randomInt = jest.spyOn(crypto, 'randomInt') as unknown as jest.SpyInstance<number, []>;
      randomInt.mockImplementation(() => draws.shift() ?? 2);
      try {
        await expect(t.create(admin, named('Collide'))).resolves.toMatchObject({ slug: 'collide-1111' });
      } finally {
        randomInt.mockRestore();
      }
    });

    it('refuses a slug already used in the organization, naming it, and creates nothing', async () => {
      const { org, admin } = await t.orgWithAdmin();
      await t.create(admin, named('First', 'taken-slug'));
      await expect(t.create(admin, named('Second', 'taken-slug'))).rejects.toMatchObject({
        name: 'DomainError',
        code: ErrorCodes.projectSlugTaken,
        message: "Project with slug 'taken-slug' already exists in this organization",
      });
      await expect(t.projectsIn(org.id)).resolves.toBe(1);
    });

    it('allows the same slug in another organization', async () => {
      const first = await t.orgWithAdmin();
      const second = await t.orgWithAdmin();
      await t.create(first.admin, named('Shared', 'shared-slug'));
      await expect(t.create(second.admin, named('Shared', 'shared-slug'))).resolves.toMatchObject({ slug: 'shared-slug', orgId: second.org.id });
    });

    it('lets exactly one of many concurrent creations with the same slug win', async () => {
      const { org, admin } = await t.orgWithAdmin();
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => t.create(admin, named(`Race ${i}`, 'race-slug'))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
        expect(r.reason).toMatchObject({ code: ErrorCodes.projectSlugTaken });
      }
      await expect(t.projectsIn(org.id)).resolves.toBe(1);
    });

    it.each<[string, OrgRole | null]>([
      ['a caller with no membership', null],
      ['a no-access member', 'no-access'],
    ])('refuses %s with PERMISSION.DENIED and creates nothing', async (_, role) => {
      const { org } = await t.orgWithAdmin();
      const caller = principal(user(), org.id);
      if (role !== null) await addMember(t.dataSource, org.id, caller, role);
      await expect(t.create(caller, named('Nope'))).rejects.toMatchObject({
        code: ErrorCodes.permissionDenied,
        message: 'You are not allowed to create projects in this organization',
      });
      await expect(t.projectsIn(org.id)).resolves.toBe(0);
    });

    it('refuses a member of another organization', async () => {
      const { org } = await t.orgWithAdmin();
      const other = await t.orgWithAdmin();
      // An admin there, acting with a token that names this organization.
      await expect(t.create({ ...other.admin, orgId: org.id }, named('Nope'))).rejects.toMatchObject({ code: ErrorCodes.permissionDenied });
    });

    it('refuses a token not scoped to an organization with AUTH.UNAUTHORIZED', async () => {
      const { admin } = await t.orgWithAdmin();
      await expect(t.create({ ...admin, orgId: null }, named('Unscoped'))).rejects.toMatchObject({
        code: ErrorCodes.unauthorized,
        message: 'This route needs a token scoped to an organization',
      });
    });
  });
});
