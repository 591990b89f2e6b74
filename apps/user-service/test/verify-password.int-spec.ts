import { randomBytes, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { TokenService } from '@app/tokens';
import { loadConfig } from '@app/config';
import { ErrorCodes } from '@app/contracts';
import { TestDatabase, testPrincipalSigner, useServiceDatabase } from '@app/testing';
import { DataSource } from 'typeorm';
import { HashGate } from '../src/login/hash-gate';
import { LoginLockout } from '../src/login/login-lockout';
import { LoginService } from '../src/login/login.service';
import { VerifyPasswordService } from '../src/login/verify-password.service';
import { SessionsService } from '../src/sessions/sessions.service';
import { userDatabase } from '../src/user.database';
import { insertUser, PASSWORD } from './fixtures';

const AUTH_SECRET = randomBytes(32).toString('base64url');
const WRONG = 'not the password';
const LOCKED = { name: 'DomainError', code: ErrorCodes.loginLocked };
const DUMMY_HASH = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;

/** The client's address, as the gateway saw it. */
const HERE = '192.0.2.1';

describe(VerifyPasswordService.name, () => {
  const database = useServiceDatabase('int_verify_password', userDatabase);
  let db: TestDatabase;
  let dataSource: DataSource;
  let passwords: VerifyPasswordService;
  let logins: LoginService;

  beforeAll(() => {
    ({ db, dataSource } = database);
    const lockout = new LoginLockout(dataSource);
    passwords = new VerifyPasswordService(dataSource, lockout, new HashGate());
    const sessions = new SessionsService(dataSource, new TokenService(AUTH_SECRET), loadConfig({ AUTH_SECRET }), testPrincipalSigner);
    logins = new LoginService(dataSource, lockout, sessions, new HashGate());
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  const failTimes = async (userId: string, n: number) => {
    for (let i = 0; i < n; i++) await expect(passwords.verify(userId, WRONG, HERE)).resolves.toBe(false);
  };
  const attempts = (email: string) =>
    db.query<{ failures: number; locked: boolean }>(
      'SELECT failures, locked_until IS NOT NULL AS locked FROM user_service.login_attempts WHERE email = $1',
      [email],
    );

  it("answers whether the password is the user's", async () => {
    const user = await insertUser(dataSource);
    await expect(passwords.verify(user.id, PASSWORD, HERE)).resolves.toBe(true);
    await expect(passwords.verify(user.id, WRONG, HERE)).resolves.toBe(false);
  });

  it('after 5 consecutive failures refuses even the right password with LOGIN.LOCKED', async () => {
    const user = await insertUser(dataSource);
    await failTimes(user.id, 5);
    await expect(passwords.verify(user.id, PASSWORD, HERE)).rejects.toMatchObject(LOCKED);
    expect(await attempts(user.email)).toEqual([{ failures: 5, locked: true }]);
  });

  it('lets the 5th attempt in when it has the right password, and a success resets the count', async () => {
    const user = await insertUser(dataSource);
    await failTimes(user.id, 4);
    await expect(passwords.verify(user.id, PASSWORD, HERE)).resolves.toBe(true);
    expect(await attempts(user.email)).toEqual([]);
    await failTimes(user.id, 4);
    await expect(passwords.verify(user.id, PASSWORD, HERE)).resolves.toBe(true);
  });

  it("counts together with login, on the user's email: 4 failed logins and 1 failed check lock both", async () => {
    const user = await insertUser(dataSource);
    for (let i = 0; i < 4; i++) await expect(logins.login(user.email, WRONG, HERE)).rejects.toMatchObject({ code: ErrorCodes.loginInvalid });
    await expect(passwords.verify(user.id, WRONG, HERE)).resolves.toBe(false);
    await expect(logins.login(user.email, PASSWORD, HERE)).rejects.toMatchObject(LOCKED);
    await expect(passwords.verify(user.id, PASSWORD, HERE)).rejects.toMatchObject(LOCKED);
  });

  it('is locked by failed logins alone, and a successful login resets it', async () => {
    const user = await insertUser(dataSource);
    for (let i = 0; i < 4; i++) await logins.login(user.email, WRONG, HERE).catch(() => undefined);
    await logins.login(user.email, PASSWORD, HERE);
    await failTimes(user.id, 4);
    await expect(passwords.verify(user.id, PASSWORD, HERE)).resolves.toBe(true);
  });

  it('still spends one argon2 verification, against a dummy hash, while locked: the refusal takes as long', async () => {
    const user = await insertUser(dataSource);
    await failTimes(user.id, 5);
    const verify = jest.spyOn(argon2, 'verify');
    await expect(passwords.verify(user.id, PASSWORD, HERE)).rejects.toMatchObject(LOCKED);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0][0]).toMatch(DUMMY_HASH);
    await expect(argon2.verify(verify.mock.calls[0][0], PASSWORD)).resolves.toBe(false);
  });

  it('verifies an unknown user id against a dummy hash, answers false, and counts against no one', async () => {
    const user = await insertUser(dataSource);
    const before = await db.query('SELECT email, failures FROM user_service.login_attempts ORDER BY email');
    const verify = jest.spyOn(argon2, 'verify');
    // The password is the real user's: the dummy check must still say no.
    await expect(passwords.verify(randomUUID(), PASSWORD, HERE)).resolves.toBe(false);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0][0]).toMatch(DUMMY_HASH);
    expect(await db.query('SELECT email, failures FROM user_service.login_attempts ORDER BY email')).toEqual(before);
    expect(await attempts(user.email)).toEqual([]);
  });
});
