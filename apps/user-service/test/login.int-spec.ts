import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
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
import { insertUser, PASSWORD, uniqueEmail } from './fixtures';

const AUTH_SECRET = randomBytes(32).toString('base64url');
const WRONG = 'not the password';
const LOCKED = { name: 'DomainError', code: ErrorCodes.loginLocked, message: 'Too many failed login attempts; try again in a few minutes' };
const INVALID = { name: 'DomainError', code: ErrorCodes.loginInvalid, message: ErrorMessages.loginInvalid };

/** The proof every principal comes with (signed-principal.ts): its own tests are in graceful-server-nats.int-spec. */
/** The client's address, as the gateway saw it. */
const HERE = '192.0.2.1';
const ELSEWHERE = '198.51.100.7';

const SIGNED = { correlationId: expect.any(String), expiresAt: expect.any(Number), signature: expect.any(String) };

describe(LoginService.name, () => {
  const database = useServiceDatabase('int_login', userDatabase);
  let db: TestDatabase;
  let dataSource: DataSource;
  let sessions: SessionsService;
  let logins: LoginService;
  let lockout: LoginLockout;
  const tokens = new TokenService(AUTH_SECRET);

  beforeAll(() => {
    ({ db, dataSource } = database);
    sessions = new SessionsService(dataSource, tokens, loadConfig({ AUTH_SECRET }), testPrincipalSigner);
    lockout = new LoginLockout(dataSource);
    logins = new LoginService(dataSource, lockout, sessions, new HashGate());
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  const failTimes = async (email: string, n: number) => {
    for (let i = 0; i < n; i++) await expect(logins.login(email, WRONG, HERE)).rejects.toMatchObject(INVALID);
  };

  describe('login', () => {
    it('answers a token that authenticate accepts as the user, scoped to no organization', async () => {
      const user = await insertUser(dataSource, { superAdmin: true });
      const { accessToken } = await logins.login(user.email, PASSWORD, HERE);
      await expect(sessions.authenticate(accessToken)).resolves.toStrictEqual({
        ...SIGNED,
        type: 'user',
        id: user.id,
        orgId: null,
        isInstanceAdmin: true,
        tokenId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    });

    it('records a session that ends when the token does, JWT_AUTH_LIFETIME (1 day) after login', async () => {
      const user = await insertUser(dataSource);
      const { accessToken } = await logins.login(user.email, PASSWORD, HERE);
      const claims = tokens.verifyUserAccessToken(accessToken, 0);
      expect(claims).toMatchObject({ userId: user.id });
      expect(claims.organizationId).toBeUndefined();
      expect(claims.exp - claims.iat).toBe(24 * 3600);
      const [session] = await db.query<{ user_id: string; expires_at: Date; revoked_at: Date | null }>(
        'SELECT user_id, expires_at, revoked_at FROM user_service.user_sessions WHERE id = $1',
        [claims.tokenVersionId],
      );
      expect(session).toStrictEqual({ user_id: user.id, expires_at: new Date(claims.exp * 1000), revoked_at: null });
    });

    it('opens a new session on every login', async () => {
      const user = await insertUser(dataSource);
      const first = await sessions.authenticate((await logins.login(user.email, PASSWORD, HERE)).accessToken);
      const second = await sessions.authenticate((await logins.login(user.email, PASSWORD, HERE)).accessToken);
      expect(second.tokenId).not.toBe(first.tokenId);
    });

    it('answers a wrong password and an unknown email with the same code and message', async () => {
      const user = await insertUser(dataSource);
      const wrongPassword = await logins.login(user.email, WRONG, HERE).catch((e: unknown) => e);
      const unknownEmail = await logins.login(uniqueEmail('nobody'), PASSWORD, HERE).catch((e: unknown) => e);
      expect(wrongPassword).toMatchObject(INVALID);
      expect(unknownEmail).toMatchObject(INVALID);
      expect((unknownEmail as Error).message).toBe((wrongPassword as Error).message);
      expect(JSON.stringify(wrongPassword)).not.toContain(WRONG);
    });

    it('verifies the password of an unknown email against a dummy hash, like a real one', async () => {
      const verify = jest.spyOn(argon2, 'verify');
      await expect(logins.login(uniqueEmail('nobody'), PASSWORD, HERE)).rejects.toMatchObject(INVALID);
      expect(verify).toHaveBeenCalledTimes(1);
      expect(verify.mock.calls[0][0]).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(verify.mock.calls[0][1]).toBe(PASSWORD);
    });

    it('opens no session for a wrong password', async () => {
      const user = await insertUser(dataSource);
      await failTimes(user.email, 1);
      const [row] = await db.query<{ n: string }>('SELECT count(*) AS n FROM user_service.user_sessions WHERE user_id = $1', [user.id]);
      expect(Number(row.n)).toBe(0);
    });
  });

  describe('when more password checks arrive than the service takes', () => {
    it('answers the excess SERVICE.BUSY at once, with when to retry, counting nothing and checking no password', async () => {
      const user = await insertUser(dataSource);
      const busy = new LoginService(dataSource, lockout, sessions, new HashGate(1, 1));
      const verify = jest.spyOn(argon2, 'verify');
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => busy.login(user.email, WRONG, HERE)));
      const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'fulfilled'));
      expect(codes.filter((c) => c === ErrorCodes.serviceBusy)).toHaveLength(2);
      expect(codes.filter((c) => c === ErrorCodes.loginInvalid)).toHaveLength(2);
      expect(verify).toHaveBeenCalledTimes(2);
      expect(results.find((r) => r.status === 'rejected' && (r.reason as { code: string }).code === ErrorCodes.serviceBusy)).toMatchObject({
        reason: { details: { retryAfterSeconds: 1 } },
      });
      const [{ failures }] = await db.query<{ failures: number }>('SELECT failures FROM user_service.login_attempts WHERE email = $1', [user.email]);
      expect(failures).toBe(2);
    });
  });

  describe('lockout', () => {
    it('after 5 consecutive failures refuses even the right password with LOGIN.LOCKED, checking no password', async () => {
      const user = await insertUser(dataSource);
      await failTimes(user.email, 5);
      const verify = jest.spyOn(argon2, 'verify');
      await expect(logins.login(user.email, PASSWORD, HERE)).rejects.toMatchObject(LOCKED);
      expect(verify).not.toHaveBeenCalled();
    });

    it('lets the 5th attempt in when it has the right password', async () => {
      const user = await insertUser(dataSource);
      await failTimes(user.email, 4);
      await expect(logins.login(user.email, PASSWORD, HERE)).resolves.toHaveProperty('accessToken');
    });

    it('locks for 5 minutes', async () => {
      const user = await insertUser(dataSource);
      await failTimes(user.email, 5);
      const [row] = await db.query<{ failures: number; seconds: number }>(
        `SELECT failures, extract(epoch FROM locked_until - now())::float AS seconds FROM user_service.login_attempts WHERE email = $1`,
        [user.email],
      );
      expect(row.failures).toBe(5);
      expect(row.seconds).toBeGreaterThan(290);
      expect(row.seconds).toBeLessThanOrEqual(300);
    });

    it('counts unknown emails too, so locking out tells nothing about who exists', async () => {
      const nobody = uniqueEmail('nobody');
      await failTimes(nobody, 5);
      await expect(logins.login(nobody, PASSWORD, HERE)).rejects.toMatchObject(LOCKED);
    });

    it('counts per address: the same account from another address is not locked (a stranger cannot keep the admin out)', async () => {
      const user = await insertUser(dataSource);
      await failTimes(user.email, 5);
      await expect(logins.login(user.email, PASSWORD, HERE)).rejects.toMatchObject(LOCKED);
      await expect(logins.login(user.email, PASSWORD, ELSEWHERE)).resolves.toHaveProperty('accessToken');
    });

    it('tells a locked caller when to retry', async () => {
      const user = await insertUser(dataSource);
      await failTimes(user.email, 5);
      await expect(logins.login(user.email, PASSWORD, HERE)).rejects.toMatchObject({ details: { retryAfterSeconds: 300 } });
    });

    it('counts per email: another account is not locked', async () => {
      const locked = await insertUser(dataSource);
      const other = await insertUser(dataSource);
      await failTimes(locked.email, 5);
      await expect(logins.login(other.email, PASSWORD, HERE)).resolves.toHaveProperty('accessToken');
    });

    it('checks at most 5 passwords of 10 concurrent wrong attempts, and answers the others LOGIN.LOCKED', async () => {
      const user = await insertUser(dataSource);
      const verify = jest.spyOn(argon2, 'verify');
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => logins.login(user.email, WRONG, HERE)));
      expect(verify.mock.calls.length).toBeLessThanOrEqual(5);
      const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'fulfilled'));
      expect(codes.filter((c) => c === ErrorCodes.loginInvalid)).toHaveLength(5);
      expect(codes.filter((c) => c === ErrorCodes.loginLocked)).toHaveLength(5);
      await expect(logins.login(user.email, PASSWORD, HERE)).rejects.toMatchObject(LOCKED);
    });

    it('resets the count on a success', async () => {
      const user = await insertUser(dataSource);
      await failTimes(user.email, 4);
      await logins.login(user.email, PASSWORD, HERE);
      await failTimes(user.email, 4);
      await expect(logins.login(user.email, PASSWORD, HERE)).resolves.toHaveProperty('accessToken');
      await expect(db.query('SELECT 1 FROM user_service.login_attempts WHERE email = $1', [user.email])).resolves.toEqual([]);
    });

    it('lets the right password in once the lock has expired', async () => {
      const user = await insertUser(dataSource);
      await failTimes(user.email, 5);
      await db.query(`UPDATE user_service.login_attempts SET locked_until = now() - interval '1 second' WHERE email = $1`, [user.email]);
      await expect(logins.login(user.email, PASSWORD, HERE)).resolves.toHaveProperty('accessToken');
    });

    it('purges the counts untouched for 5 minutes, and only them', async () => {
      const [old, recent] = [uniqueEmail('old'), uniqueEmail('recent')];
      await failTimes(old, 5);
      await failTimes(recent, 2);
      await db.query(`UPDATE user_service.login_attempts SET updated_at = now() - interval '301 seconds', locked_until = now() - interval '1 second' WHERE email = $1`, [old]);
      expect(await lockout.purge()).toBeGreaterThanOrEqual(1);
      const left = await db.query<{ email: string }>('SELECT email FROM user_service.login_attempts WHERE email = ANY($1)', [[old, recent]]);
      expect(left).toEqual([{ email: recent }]);
    });

    it('starts a fresh count once the lock has expired', async () => {
      const user = await insertUser(dataSource);
      await failTimes(user.email, 5);
      await db.query(`UPDATE user_service.login_attempts SET locked_until = now() - interval '1 second' WHERE email = $1`, [user.email]);
      await failTimes(user.email, 4);
      await expect(logins.login(user.email, PASSWORD, HERE)).resolves.toHaveProperty('accessToken');
    });
  });
});
