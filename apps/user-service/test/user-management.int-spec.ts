import { randomBytes, randomUUID } from 'node:crypto';
import { TokenService } from '@app/tokens';
import { loadConfig } from '@app/config';
import { ErrorCodes, ErrorMessages } from '@app/contracts';
import { TestDatabase, testPrincipalSigner, useServiceDatabase } from '@app/testing';
import { DataSource } from 'typeorm';
import { HashGate } from '../src/login/hash-gate';
import { LoginLockout } from '../src/login/login-lockout';
import { LoginService } from '../src/login/login.service';
import { SessionsService } from '../src/sessions/sessions.service';
import { userDatabase } from '../src/user.database';
import { ListUsersQuery, UserManagementService } from '../src/user-management/user-management.service';
import { toUserView } from '../src/users/users.service';
import { insertUser, PASSWORD, principal } from './fixtures';

const AUTH_SECRET = randomBytes(32).toString('base64url');
const DENIED = { name: 'DomainError', code: ErrorCodes.permissionDenied, message: 'Only an instance admin may do this' };

/** The client's address, as the gateway saw it. */
const HERE = '192.0.2.1';

describe(UserManagementService.name, () => {
  const database = useServiceDatabase('int_user_management', userDatabase);
  let db: TestDatabase;
  let dataSource: DataSource;
  let management: UserManagementService;
  const admin = principal({ type: 'identity', orgId: randomUUID(), isInstanceAdmin: true });
  const notAdmin = principal({ orgId: randomUUID() });

  beforeAll(() => {
    ({ db, dataSource } = database);
    management = new UserManagementService(dataSource);
  });

  /** A tag unique to the test, in every email it creates, so a search on it sees only that test's users. */
  const tagged = () => `t${randomUUID().slice(0, 8)}`;
  const query = (overrides: Partial<ListUsersQuery>): ListUsersQuery => ({ searchTerm: '', offset: 0, limit: 20, adminsOnly: false, ...overrides });

  describe('list', () => {
    it('finds users by a substring of their email, case-insensitively, oldest first, with their views', async () => {
      const tag = tagged();
      const first = await insertUser(dataSource, { email: `alice.${tag}@example.com` });
      const second = await insertUser(dataSource, { email: `bob.${tag}@example.com`, superAdmin: true });
      await insertUser(dataSource);
      await expect(management.list(admin, query({ searchTerm: tag.toUpperCase() }))).resolves.toStrictEqual({
        users: [toUserView(first), toUserView(second)],
        total: 2,
      });
    });

    it('finds users by a substring of their username', async () => {
      const tag = tagged();
      const user = await insertUser(dataSource, { username: `Name-${tag}-X` });
      await expect(management.list(admin, query({ searchTerm: `name-${tag}` }))).resolves.toMatchObject({ users: [{ id: user.id }], total: 1 });
    });

    it('takes % and _ in the search term literally', async () => {
      const tag = tagged();
      const literal = await insertUser(dataSource, { email: `${tag}_%x@example.com` });
      await insertUser(dataSource, { email: `${tag}abx@example.com` });
      await expect(management.list(admin, query({ searchTerm: `${tag}_` }))).resolves.toMatchObject({ users: [{ id: literal.id }], total: 1 });
      await expect(management.list(admin, query({ searchTerm: `${tag}_%` }))).resolves.toMatchObject({ users: [{ id: literal.id }], total: 1 });
    });

    it('takes a backslash in the search term literally', async () => {
      const tag = tagged();
      const literal = await insertUser(dataSource, { username: `${tag}\\%` });
      await insertUser(dataSource, { username: `${tag}%` });
      await expect(management.list(admin, query({ searchTerm: `${tag}\\` }))).resolves.toMatchObject({ users: [{ id: literal.id }], total: 1 });
    });

    it('lists only superAdmin users when adminsOnly', async () => {
      const tag = tagged();
      const superAdmin = await insertUser(dataSource, { email: `a.${tag}@example.com`, superAdmin: true });
      await insertUser(dataSource, { email: `b.${tag}@example.com` });
      await expect(management.list(admin, query({ searchTerm: tag, adminsOnly: true }))).resolves.toStrictEqual({
        users: [toUserView(superAdmin)],
        total: 1,
      });
    });

    it('pages with offset and limit, and counts every match in total', async () => {
      const tag = tagged();
      const users = [];
      for (let i = 0; i < 5; i++) users.push(await insertUser(dataSource, { email: `u${i}.${tag}@example.com` }));
      await expect(management.list(admin, query({ searchTerm: tag, offset: 1, limit: 2 }))).resolves.toStrictEqual({
        users: [toUserView(users[1]), toUserView(users[2])],
        total: 5,
      });
      await expect(management.list(admin, query({ searchTerm: tag, offset: 10, limit: 2 }))).resolves.toStrictEqual({ users: [], total: 5 });
    });

    it('lists everyone for an empty search term', async () => {
      const [row] = await db.query<{ n: string }>('SELECT count(*) AS n FROM user_service.users');
      await expect(management.list(admin, query({ limit: 1 }))).resolves.toMatchObject({ total: Number(row.n) });
    });

    it('refuses a caller who is not an instance admin with PERMISSION.DENIED', async () => {
      await expect(management.list(notAdmin, query({}))).rejects.toMatchObject(DENIED);
    });
  });

  describe('listAdminIds', () => {
    it('answers the ids of the superAdmin users, and only those', async () => {
      const superAdmin = await insertUser(dataSource, { superAdmin: true });
      const user = await insertUser(dataSource);
      const { ids } = await management.listAdminIds();
      const [row] = await db.query<{ ids: string[] }>('SELECT array_agg(id::text) AS ids FROM user_service.users WHERE super_admin');
      expect(ids).toContain(superAdmin.id);
      expect(ids).not.toContain(user.id);
      expect([...ids].sort()).toEqual([...row.ids].sort());
    });
  });

  describe('delete', () => {
    it('deletes the user and answers its view', async () => {
      const user = await insertUser(dataSource);
      await expect(management.delete(admin, user.id, false)).resolves.toStrictEqual({ user: toUserView(user) });
      await expect(db.query('SELECT 1 FROM user_service.users WHERE id = $1', [user.id])).resolves.toEqual([]);
    });

    it('ends every session of the user: its tokens are refused at once', async () => {
      const user = await insertUser(dataSource, { superAdmin: true });
      const sessions = new SessionsService(dataSource, new TokenService(AUTH_SECRET), loadConfig({ AUTH_SECRET }), testPrincipalSigner);
      const logins = new LoginService(dataSource, new LoginLockout(dataSource), sessions, new HashGate());
      const { accessToken } = await logins.login(user.email, PASSWORD, HERE);
      await expect(sessions.authenticate(accessToken)).resolves.toMatchObject({ id: user.id });
      await management.delete(admin, user.id, false);
      await expect(sessions.authenticate(accessToken)).rejects.toMatchObject({ code: ErrorCodes.tokenRevoked });
      await expect(db.query('SELECT 1 FROM user_service.user_sessions WHERE user_id = $1', [user.id])).resolves.toEqual([]);
    });

    it('deletes a superAdmin when another admin remains', async () => {
      const user = await insertUser(dataSource, { superAdmin: true });
      await expect(management.delete(admin, user.id, false)).resolves.toMatchObject({ user: { id: user.id, superAdmin: true } });
    });

    it('refuses to delete a superAdmin when no other admin would remain, and keeps it', async () => {
      const user = await insertUser(dataSource, { superAdmin: true });
      await expect(management.delete(admin, user.id, true)).rejects.toMatchObject({
        name: 'DomainError',
        code: ErrorCodes.lastInstanceAdmin,
        message: ErrorMessages.lastInstanceAdmin,
      });
      await expect(db.query('SELECT 1 FROM user_service.users WHERE id = $1', [user.id])).resolves.toHaveLength(1);
    });

    it('deletes a user who is not an admin even when lastAdmin is set', async () => {
      const user = await insertUser(dataSource);
      await expect(management.delete(admin, user.id, true)).resolves.toMatchObject({ user: { id: user.id } });
    });

    it('answers USER.NOT_FOUND for an unknown user', async () => {
      await expect(management.delete(admin, randomUUID(), false)).rejects.toMatchObject({
        name: 'DomainError',
        code: ErrorCodes.userNotFound,
        message: 'User not found',
      });
    });

    it('refuses a caller who is not an instance admin with PERMISSION.DENIED, and keeps the user', async () => {
      const user = await insertUser(dataSource);
      await expect(management.delete(notAdmin, user.id, false)).rejects.toMatchObject(DENIED);
      await expect(db.query('SELECT 1 FROM user_service.users WHERE id = $1', [user.id])).resolves.toHaveLength(1);
    });
  });
});
