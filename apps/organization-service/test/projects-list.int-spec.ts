import { ErrorCodes, OrgRole, ProjectView } from '@app/contracts';
import { ProjectsService } from '../src/projects/projects.service';
import { addMember, identity, principal } from './fixtures';
import { named, projectsHarness, SEED_BODY } from './project-fixtures';

describe(ProjectsService.name, () => {
  const t = projectsHarness('int_projects_list');

  describe('list', () => {
    const names = (views: ProjectView[]) => views.map((p) => p.name);

    /** An organization with projects A and B by its admin and C by a member, and a project elsewhere. */
    async function populated() {
      const { org, admin, caller: member } = await t.orgWith('member');
      for (const name of ['A', 'B']) await t.create(admin, named(name));
      await t.create(member, named('C'));
      await t.create((await t.orgWithAdmin()).admin, named('Elsewhere'));
      return { org, admin, member };
    }

    it("shows an admin every project of the organization, in creation order, with environments", async () => {
      const { org, admin } = await populated();
      const listed = await t.list(admin);
      expect(names(listed)).toEqual(['A', 'B', 'C']);
      for (const p of listed) {
        expect(p.orgId).toBe(org.id);
        expect(p.environments.map((e) => e.slug)).toEqual(['dev', 'staging', 'prod']);
      }
    });

    it('answers with the same views as create', async () => {
      const { admin } = await t.orgWithAdmin();
      const created = await t.create(admin, SEED_BODY);
      await expect(t.list(admin)).resolves.toEqual([created]);
    });

    it('shows a member only the projects it is a member of', async () => {
      const { member } = await populated();
      await expect(t.list(member).then(names)).resolves.toEqual(['C']);
    });

    it('shows a member nothing when it is in no project', async () => {
      const { admin, caller } = await t.orgWith('member');
      await t.create(admin, named('Hidden'));
      await expect(t.list(caller)).resolves.toEqual([]);
    });

    it.each<[string, OrgRole | null]>([
      ['a caller with no membership', null],
      ['a no-access member', 'no-access'],
    ])('refuses %s with PERMISSION.DENIED', async (_, role) => {
      const { org, admin } = await t.orgWithAdmin();
      await t.create(admin, named('Secret'));
      const caller = principal(identity(), org.id);
      if (role !== null) await addMember(t.dataSource, org.id, caller, role);
      await expect(t.list(caller)).rejects.toMatchObject({ code: ErrorCodes.permissionDenied });
    });

    it('refuses a token not scoped to an organization with AUTH.UNAUTHORIZED', async () => {
      const { admin } = await t.orgWithAdmin();
      await expect(t.list({ ...admin, orgId: null })).rejects.toMatchObject({ code: ErrorCodes.unauthorized });
    });

    it('pages with offset and limit', async () => {
      const { admin } = await t.orgWithAdmin();
      for (const name of ['P1', 'P2', 'P3', 'P4', 'P5']) await t.create(admin, named(name));
      await expect(t.list(admin, 0, 2).then(names)).resolves.toEqual(['P1', 'P2']);
      await expect(t.list(admin, 1, 2).then(names)).resolves.toEqual(['P2', 'P3']);
      await expect(t.list(admin, 4, 2).then(names)).resolves.toEqual(['P5']);
      await expect(t.list(admin, 5, 2)).resolves.toEqual([]);
    });

    it('pages a member within its own projects', async () => {
      const { admin, caller } = await t.orgWith('member');
      for (const name of ['M1', 'x', 'M2', 'y', 'M3']) await t.create(name.startsWith('M') ? caller : admin, named(name));
      await expect(t.list(caller, 1, 1).then(names)).resolves.toEqual(['M2']);
    });

    it('orders projects created in the same instant by id', async () => {
      const { org, admin } = await t.orgWithAdmin();
      for (const name of ['T1', 'T2', 'T3']) await t.create(admin, named(name));
      await t.db.query('UPDATE organization_service.projects SET created_at = $2 WHERE org_id = $1', [org.id, new Date('2025-01-01T00:00:00Z')]);
      const ids = (await t.list(admin)).map((p) => p.id);
      expect(ids).toEqual([...ids].sort());
    });
  });
});
