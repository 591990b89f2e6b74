import { randomBytes, randomUUID } from 'node:crypto';
import { DomainError } from '@app/common';
import { TokenService } from '@app/tokens';
import { loadConfig } from '@app/config';
import { ErrorCodes, Member, OrgRole } from '@app/contracts';
import { TestDatabase, testPrincipalSigner, useServiceDatabase } from '@app/testing';
import { DataSource } from 'typeorm';
import { HashGate } from '../src/login/hash-gate';
import { LoginLockout } from '../src/login/login-lockout';
import { LoginService } from '../src/login/login.service';
import { OrganizationDirectory } from '@app/common';
import { SelectOrganizationService } from '../src/sessions/select-organization.service';
import { SessionsService } from '../src/sessions/sessions.service';
import { userDatabase } from '../src/user.database';
import { UserEntity } from '../src/users/user.entity';
import { insertUser, PASSWORD, principal } from './fixtures';

const AUTH_SECRET = randomBytes(32).toString('base64url');
const INVALID = { name: 'DomainError', code: ErrorCodes.tokenInvalid, message: 'Invalid token' };
const REVOKED = { name: 'DomainError', code: ErrorCodes.tokenRevoked, message: 'Token has been revoked' };

/** organization-service as this service sees it: roles by organization, and organizations that do not exist. */
class StubOrganizationDirectory implements OrganizationDirectory {
  readonly roles = new Map<string, OrgRole>();
  readonly missing = new Set<string>();
  readonly asked: Array<{ organizationId: string; member: Member }> = [];

  setIdentityRole(): Promise<OrgRole> {
    return Promise.reject(new Error('user-service never sets roles'));
  }

  memberRole(organizationId: string, member: Member): Promise<OrgRole | null> {
    this.asked.push({ organizationId, member });
    if (this.missing.has(organizationId)) {
      return Promise.reject(new DomainError(ErrorCodes.organizationNotFound, 'Organization not found'));
    }
    return Promise.resolve(this.roles.get(`${organizationId}/${member.id}`) ?? null);
  }
}

/** The proof every principal comes with (signed-principal.ts): its own tests are in graceful-server-nats.int-spec. */
const SIGNED = { correlationId: expect.any(String), expiresAt: expect.any(Number), signature: expect.any(String) };

/** The client's address, as the gateway saw it. */
const HERE = '192.0.2.1';

describe(SessionsService.name, () => {
  const database = useServiceDatabase('int_sessions', userDatabase);
  let db: TestDatabase;
  let dataSource: DataSource;
  let sessions: SessionsService;
  let logins: LoginService;
  let selection: SelectOrganizationService;
  const directory = new StubOrganizationDirectory();
  const tokens = new TokenService(AUTH_SECRET);

  beforeAll(() => {
    ({ db, dataSource } = database);
    sessions = new SessionsService(dataSource, tokens, loadConfig({ AUTH_SECRET }), testPrincipalSigner);
    logins = new LoginService(dataSource, new LoginLockout(dataSource), sessions, new HashGate());
    selection = new SelectOrganizationService(sessions, directory, tokens);
  });

  /** A user logged in, with the principal the gateway would have for its token. */
  const loggedIn = async (superAdmin = false) => {
    const user = await insertUser(dataSource, { superAdmin });
    const { accessToken } = await logins.login(user.email, PASSWORD, HERE);
    return { user, accessToken, caller: await sessions.authenticate(accessToken) };
  };

  const memberOf = (organizationId: string, userId: string, role: OrgRole) => directory.roles.set(`${organizationId}/${userId}`, role);

  describe('authenticate', () => {
    it('answers the principal of a login token', async () => {
      const { user, caller } = await loggedIn();
      expect(caller).toStrictEqual({ type: 'user', id: user.id, orgId: null, isInstanceAdmin: false, tokenId: expect.any(String), ...SIGNED });
    });

    it('refuses an identity token with TOKEN.INVALID', async () => {
      const { user, caller } = await loggedIn();
      const token = tokens.signIdentityAccessToken(user.id, caller.tokenId, new Date(), null);
      await expect(sessions.authenticate(token)).rejects.toMatchObject(INVALID);
    });

    it('refuses a token signed with another secret with TOKEN.INVALID', async () => {
      const { user, caller } = await loggedIn();
      const forged = new TokenService(randomBytes(32).toString('base64url'));
      const token = forged.signUserAccessToken(user.id, caller.tokenId, new Date(), new Date(Date.now() + 3_600_000));
      await expect(sessions.authenticate(token)).rejects.toMatchObject(INVALID);
    });

    it('refuses an expired token with TOKEN.INVALID, though its session is active', async () => {
      const { user, caller } = await loggedIn();
      const token = tokens.signUserAccessToken(user.id, caller.tokenId, new Date(Date.now() - 7_200_000), new Date(Date.now() - 3_600_000));
      await expect(sessions.authenticate(token)).rejects.toMatchObject(INVALID);
    });

    it('refuses a token whose session was revoked with TOKEN.REVOKED', async () => {
      const { accessToken, caller } = await loggedIn();
      await db.query('UPDATE user_service.user_sessions SET revoked_at = now() WHERE id = $1', [caller.tokenId]);
      await expect(sessions.authenticate(accessToken)).rejects.toMatchObject(REVOKED);
    });

    it('refuses a token whose session has expired with TOKEN.REVOKED', async () => {
      const { accessToken, caller } = await loggedIn();
      await db.query(`UPDATE user_service.user_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [caller.tokenId]);
      await expect(sessions.authenticate(accessToken)).rejects.toMatchObject(REVOKED);
    });

    it('refuses a token of a deleted user with TOKEN.REVOKED', async () => {
      const { user, accessToken } = await loggedIn();
      await dataSource.getRepository(UserEntity).delete({ id: user.id });
      await expect(sessions.authenticate(accessToken)).rejects.toMatchObject(REVOKED);
    });

    it("refuses a token naming another user's session with TOKEN.REVOKED", async () => {
      const { caller } = await loggedIn();
      const other = await insertUser(dataSource);
      const token = tokens.signUserAccessToken(other.id, caller.tokenId, new Date(), new Date(Date.now() + 3_600_000));
      await expect(sessions.authenticate(token)).rejects.toMatchObject(REVOKED);
    });

    it('refuses a token naming no session with TOKEN.REVOKED', async () => {
      const user = await insertUser(dataSource);
      const token = tokens.signUserAccessToken(user.id, randomUUID(), new Date(), new Date(Date.now() + 3_600_000));
      await expect(sessions.authenticate(token)).rejects.toMatchObject(REVOKED);
    });
  });

  describe(SelectOrganizationService.name, () => {
    it.each<OrgRole>(['admin', 'member'])('gives a %s a token of the same session, scoped to the organization', async (role) => {
      const { user, caller } = await loggedIn(true);
      const organizationId = randomUUID();
      memberOf(organizationId, user.id, role);
      const { token } = await selection.select(caller, organizationId);
      await expect(sessions.authenticate(token)).resolves.toStrictEqual({
        ...SIGNED,
        type: 'user',
        id: user.id,
        orgId: organizationId,
        isInstanceAdmin: true,
        tokenId: caller.tokenId,
      });
      expect(directory.asked).toContainEqual({ organizationId, member: { type: 'user', id: user.id } });
    });

    it('gives the scoped token the expiry of its session', async () => {
      const { user, caller } = await loggedIn();
      const organizationId = randomUUID();
      memberOf(organizationId, user.id, 'member');
      const claims = tokens.verifyUserAccessToken((await selection.select(caller, organizationId)).token, 0);
      const [session] = await db.query<{ expires_at: Date }>('SELECT expires_at FROM user_service.user_sessions WHERE id = $1', [caller.tokenId]);
      expect(claims.exp).toBe(session.expires_at.getTime() / 1000);
    });

    it('ends the scoped token with its session', async () => {
      const { user, caller } = await loggedIn();
      const organizationId = randomUUID();
      memberOf(organizationId, user.id, 'member');
      const { token } = await selection.select(caller, organizationId);
      await db.query('UPDATE user_service.user_sessions SET revoked_at = now() WHERE id = $1', [caller.tokenId]);
      await expect(sessions.authenticate(token)).rejects.toMatchObject(REVOKED);
    });

    it('refuses a user who is not a member with PERMISSION.DENIED', async () => {
      const { caller } = await loggedIn();
      await expect(selection.select(caller, randomUUID())).rejects.toMatchObject({
        code: ErrorCodes.permissionDenied,
        message: 'You are not a member of this organization',
      });
    });

    it('refuses a member with no-access with PERMISSION.DENIED', async () => {
      const { user, caller } = await loggedIn();
      const organizationId = randomUUID();
      memberOf(organizationId, user.id, 'no-access');
      await expect(selection.select(caller, organizationId)).rejects.toMatchObject({
        code: ErrorCodes.permissionDenied,
        message: 'You are not a member of this organization',
      });
    });

    it('passes ORGANIZATION.NOT_FOUND through', async () => {
      const { caller } = await loggedIn();
      const organizationId = randomUUID();
      directory.missing.add(organizationId);
      await expect(selection.select(caller, organizationId)).rejects.toMatchObject({ code: ErrorCodes.organizationNotFound });
    });

    it('refuses a machine identity with PERMISSION.DENIED', async () => {
      const organizationId = randomUUID();
      const caller = principal({ type: 'identity', orgId: organizationId, isInstanceAdmin: true });
      memberOf(organizationId, caller.id, 'admin');
      await expect(selection.select(caller, organizationId)).rejects.toMatchObject({
        code: ErrorCodes.permissionDenied,
        message: 'Only a user can select an organization',
      });
    });

    it('refuses a caller whose session was revoked with TOKEN.REVOKED', async () => {
      const { user, caller } = await loggedIn();
      const organizationId = randomUUID();
      memberOf(organizationId, user.id, 'member');
      await db.query('UPDATE user_service.user_sessions SET revoked_at = now() WHERE id = $1', [caller.tokenId]);
      await expect(selection.select(caller, organizationId)).rejects.toMatchObject(REVOKED);
    });

    it("refuses a caller presenting another user's session with TOKEN.REVOKED", async () => {
      const { caller } = await loggedIn();
      const other = await loggedIn();
      const organizationId = randomUUID();
      memberOf(organizationId, other.user.id, 'member');
      await expect(selection.select({ ...other.caller, tokenId: caller.tokenId }, organizationId)).rejects.toMatchObject(REVOKED);
    });
  });
});
