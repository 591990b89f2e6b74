import { randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { ErrorCodes } from '@app/contracts';
import { finishSaga } from '@app/database';
import { TestDatabase, useServiceDatabase, waitFor } from '@app/testing';
import { DataSource } from 'typeorm';
import { userDatabase } from '../src/user.database';
import { UserManagementService } from '../src/user-management/user-management.service';
import { UserEntity } from '../src/users/user.entity';
import { UsersService } from '../src/users/users.service';

const PASSWORD = 'correct horse battery staple';

describe(UsersService.name, () => {
  const database = useServiceDatabase('int_users', userDatabase);
  let db: TestDatabase;
  let dataSource: DataSource;
  let users: UsersService;

  beforeAll(() => {
    ({ db, dataSource } = database);
    users = new UsersService(dataSource);
  });

  /** Unique per test, so tests never see each other's users. */
  const email = (local: string) => `${local}-${randomUUID().slice(0, 8)}@example.com`;

  const storedHash = async (userId: string) =>
    (await db.query<{ password_hash: string }>('SELECT password_hash FROM user_service.users WHERE id = $1', [userId]))[0]
      .password_hash;

  const countBySaga = async (sagaId: string) =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM user_service.users WHERE saga_id = $1', [sagaId]))[0].n);

  describe('createAdmin', () => {
    it('creates the instance admin: username = email, Admin User, superAdmin', async () => {
      const address = email('admin');
      const user = await users.createAdmin(randomUUID(), randomUUID(), address, PASSWORD);
      expect(user).toStrictEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: address,
        username: address,
        firstName: 'Admin',
        lastName: 'User',
        superAdmin: true,
      });
    });

    it('stores the email lower-cased', async () => {
      const address = email('Mixed.Case');
      const user = await users.createAdmin(randomUUID(), randomUUID(), address.toUpperCase(), PASSWORD);
      const [row] = await db.query<{ email: string }>('SELECT email FROM user_service.users WHERE id = $1', [user.id]);
      expect(row.email).toBe(address.toLowerCase());
    });

    it('stores an argon2id hash with m=19456, t=2, p=1 that verifies the password', async () => {
      const user = await users.createAdmin(randomUUID(), randomUUID(), email('hash'), PASSWORD);
      const hash = await storedHash(user.id);
      expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      await expect(argon2.verify(hash, PASSWORD)).resolves.toBe(true);
      await expect(argon2.verify(hash, `${PASSWORD}!`)).resolves.toBe(false);
    });

    it('never stores the password itself', async () => {
      const user = await users.createAdmin(randomUUID(), randomUUID(), email('plain'), PASSWORD);
      const hash = await storedHash(user.id);
      expect(hash).not.toBe(PASSWORD);
      expect(hash).not.toContain(PASSWORD);
    });

    it('is idempotent on the saga id: a retry returns the same user and creates no second row', async () => {
      const sagaId = randomUUID();
      const address = email('retry');
      const first = await users.createAdmin(sagaId, randomUUID(), address, PASSWORD);
      const second = await users.createAdmin(sagaId, randomUUID(), address, PASSWORD);
      expect(second).toStrictEqual(first);
      expect(await countBySaga(sagaId)).toBe(1);
    });

    it('refuses an email already taken by another saga with USER.EMAIL_TAKEN', async () => {
      const address = email('taken');
      await users.createAdmin(randomUUID(), randomUUID(), address, PASSWORD);
      await expect(users.createAdmin(randomUUID(), randomUUID(), address, PASSWORD)).rejects.toMatchObject({
        name: 'DomainError',
        code: ErrorCodes.emailTaken,
      });
    });

    it('treats the email case-insensitively when checking that it is taken', async () => {
      const address = email('case');
      await users.createAdmin(randomUUID(), randomUUID(), address, PASSWORD);
      await expect(users.createAdmin(randomUUID(), randomUUID(), address.toUpperCase(), PASSWORD)).rejects.toMatchObject({
        code: ErrorCodes.emailTaken,
      });
    });

    it('answers USER.EMAIL_TAKEN to the loser when two sagas race for one email', async () => {
      const address = email('race');
      // Block writes (not reads) to users until both sagas are stuck on a lock, so they really race.
      const locker = dataSource.createQueryRunner();
      await locker.connect();
      let racing: Promise<Array<PromiseSettledResult<unknown>>>;
      try {
        await locker.startTransaction();
        await locker.query('LOCK TABLE users IN SHARE MODE');
        racing = Promise.allSettled([
          users.createAdmin(randomUUID(), randomUUID(), address, PASSWORD),
          users.createAdmin(randomUUID(), randomUUID(), address, PASSWORD),
        ]);
        await waitFor(
          'both sagas to wait on a lock',
          async () => {
            const [row] = await db.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            );
            return Number(row.n) === 2 ? true : undefined;
          },
          { timeoutMs: 10_000 },
        );
      } finally {
        await locker.commitTransaction().catch(() => undefined);
        await locker.release();
      }

      const results = await racing;
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const [rejected] = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected.reason).toMatchObject({ name: 'DomainError', code: ErrorCodes.emailTaken });
    }, 20_000);
  });

  describe('deleteForSaga', () => {
    it('removes the user the saga created', async () => {
      const sagaId = randomUUID();
      await users.createAdmin(sagaId, randomUUID(), email('delete'), PASSWORD);
      await expect(users.deleteForSaga(sagaId)).resolves.toEqual({ removed: 1 });
      expect(await countBySaga(sagaId)).toBe(0);
    });

    it('is idempotent: a second call removes nothing', async () => {
      const sagaId = randomUUID();
      await users.createAdmin(sagaId, randomUUID(), email('delete-twice'), PASSWORD);
      await users.deleteForSaga(sagaId);
      await expect(users.deleteForSaga(sagaId)).resolves.toEqual({ removed: 0 });
    });

    it('refuses to undo a saga that finished (SAGA.FINISHED): a replayed compensation erases no admin', async () => {
      const sagaId = randomUUID();
      await users.createAdmin(sagaId, randomUUID(), email('finished'), PASSWORD);
      await finishSaga(dataSource, sagaId);
      await expect(users.deleteForSaga(sagaId)).rejects.toMatchObject({ name: 'DomainError', code: ErrorCodes.sagaFinished });
      expect(await countBySaga(sagaId)).toBe(1);
    });

    it('leaves the users of other sagas alone', async () => {
      const kept = await users.createAdmin(randomUUID(), randomUUID(), email('kept'), PASSWORD);
      await users.deleteForSaga(randomUUID());
      await expect(dataSource.getRepository(UserEntity).existsBy({ id: kept.id })).resolves.toBe(true);
    });

    it('refuses a createAdmin that arrives after the compensation with SAGA.CANCELLED', async () => {
      const sagaId = randomUUID();
      await expect(users.deleteForSaga(sagaId)).resolves.toEqual({ removed: 0 });
      await expect(users.createAdmin(sagaId, randomUUID(), email('late'), PASSWORD)).rejects.toMatchObject({
        name: 'DomainError',
        code: ErrorCodes.sagaCancelled,
      });
    });

    it('creates nothing for a createAdmin that arrives after the compensation', async () => {
      const sagaId = randomUUID();
      const address = email('late-nothing');
      await users.deleteForSaga(sagaId);
      await users.createAdmin(sagaId, randomUUID(), address, PASSWORD).catch(() => undefined);
      expect(await countBySaga(sagaId)).toBe(0);
      await expect(dataSource.getRepository(UserEntity).existsBy({ email: address })).resolves.toBe(false);
    });
  });

  describe('a replay of createAdmin with the id of a finished saga (saga ids are public)', () => {
    const management = () => new UserManagementService(dataSource);
    const admin = { type: 'identity' as const, id: randomUUID(), orgId: randomUUID(), isInstanceAdmin: true, tokenId: randomUUID() };

    it('answers the user the saga created and creates nothing, whatever email and password it carries', async () => {
      const sagaId = randomUUID();
      const created = await users.createAdmin(sagaId, randomUUID(), email('done'), PASSWORD);
      const hash = await storedHash(created.id);
      const intruder = email('intruder');
      await expect(users.createAdmin(sagaId, randomUUID(), intruder, 'the intruder password')).resolves.toStrictEqual(created);
      expect(await countBySaga(sagaId)).toBe(1);
      expect(await storedHash(created.id)).toBe(hash);
      await expect(dataSource.getRepository(UserEntity).existsBy({ email: intruder })).resolves.toBe(false);
    });

    it('once its admin was deleted, is refused with SAGA.FINISHED and creates no admin afresh', async () => {
      const sagaId = randomUUID();
      const created = await users.createAdmin(sagaId, randomUUID(), email('deleted'), PASSWORD);
      await management().delete(admin, created.id, false);
      const intruder = email('intruder');
      await expect(users.createAdmin(sagaId, randomUUID(), intruder, 'the intruder password')).rejects.toMatchObject({
        name: 'DomainError',
        code: ErrorCodes.sagaFinished,
      });
      expect(await countBySaga(sagaId)).toBe(0);
      await expect(dataSource.getRepository(UserEntity).existsBy({ email: intruder })).resolves.toBe(false);
      await expect(db.query('SELECT 1 FROM user_service.finished_sagas WHERE saga_id = $1', [sagaId])).resolves.toHaveLength(1);
    });

    it('a refused delete finishes nothing: the saga still answers its user', async () => {
      const sagaId = randomUUID();
      const created = await users.createAdmin(sagaId, randomUUID(), email('kept'), PASSWORD);
      await expect(management().delete(admin, created.id, true)).rejects.toMatchObject({ code: ErrorCodes.lastInstanceAdmin });
      await expect(users.createAdmin(sagaId, randomUUID(), created.email, PASSWORD)).resolves.toStrictEqual(created);
    });

    it('deleting a user no saga created finishes no saga', async () => {
      const before = await db.query('SELECT saga_id FROM user_service.finished_sagas ORDER BY saga_id');
      const other = await dataSource.getRepository(UserEntity).save(
        dataSource.getRepository(UserEntity).create({
          email: email('plain'),
          username: email('plain'),
          firstName: 'P',
          lastName: 'U',
          superAdmin: false,
          passwordHash: 'x',
          sagaId: null,
        }),
      );
      await management().delete(admin, other.id, false);
      expect(await db.query('SELECT saga_id FROM user_service.finished_sagas ORDER BY saga_id')).toEqual(before);
    });
  });

  describe('UserEntity', () => {
    it('does not select the password hash by default', async () => {
      const created = await users.createAdmin(randomUUID(), randomUUID(), email('select'), PASSWORD);
      const user = await dataSource.getRepository(UserEntity).findOneByOrFail({ id: created.id });
      expect(user.passwordHash).toBeUndefined();
      expect(user.email).toBe(created.email);
    });
  });
});
