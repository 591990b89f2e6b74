import { randomUUID } from 'node:crypto';
import { TokenService } from '@app/tokens';
import { ErrorCodes, Subjects } from '@app/contracts';
import { openServiceDatabase } from '@app/database';
import { IsNull } from 'typeorm';
import { createTestDatabase } from '@app/testing';
import { IdentityEntity } from '../src/identities/identity.entity';
import { identityDatabase } from '../src/identity.database';
import { FinishedSagas1764400000000 } from '../src/migrations/1764400000000-finished-sagas';
import { AccessTokenEntity } from '../src/token-auth/access-token.entity';
import { instanceAdmin, principal, useIdentityApp } from './support/identity-app';

const FINISHED = { code: ErrorCodes.sagaFinished, message: 'This saga has already finished' };

/**
 * Saga ids are public (the bootstrap events carry them). A step replayed for a saga that is over
 * must create nothing and sign nothing: identity-service learns that a saga finished from the
 * orchestrator (identity.cmd.finish-saga), or by itself when what the saga created is deleted.
 */
describe('identity-service: steps of finished sagas', () => {
  const app = useIdentityApp('int_finished_sagas');
  const identities = () => app().dataSource.getRepository(IdentityEntity);
  const records = () => app().dataSource.getRepository(AccessTokenEntity);
  const createInstanceAdmin = (sagaId: string, organizationId: string = randomUUID()) =>
    app().send(Subjects.identity.createInstanceAdmin, { sagaId, organizationId });
  const finish = (sagaId: string) => app().send(Subjects.identity.finishSaga, { sagaId });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('identity.cmd.finish-saga, then a replayed create-instance-admin', () => {
    it('re-signs while the saga runs, and once it finished refuses with SAGA.FINISHED', async () => {
      const sagaId = randomUUID();
      const first = await createInstanceAdmin(sagaId);
      await expect(createInstanceAdmin(sagaId, first.identity.orgId)).resolves.toHaveProperty('accessToken.token');
      await expect(finish(sagaId)).resolves.toEqual({});
      await expect(createInstanceAdmin(sagaId, first.identity.orgId)).rejects.toMatchObject(FINISHED);
    });

    it('signs no token and writes no record for the refused replay, whatever organization it names', async () => {
      const sagaId = randomUUID();
      const { identity } = await createInstanceAdmin(sagaId);
      await finish(sagaId);
      const sign = jest.spyOn(TokenService.prototype, 'signIdentityAccessToken');
      const error = await createInstanceAdmin(sagaId, randomUUID()).catch((e: unknown) => e);
      expect(error).toMatchObject(FINISHED);
      expect(JSON.stringify(error)).not.toMatch(/eyJ/);
      expect(sign).not.toHaveBeenCalled();
      await expect(identities().countBy({ sagaId })).resolves.toBe(1);
      await expect(records().countBy({ identityId: identity.id })).resolves.toBe(1);
    });

    it('is idempotent', async () => {
      const sagaId = randomUUID();
      await createInstanceAdmin(sagaId);
      await finish(sagaId);
      await expect(finish(sagaId)).resolves.toEqual({});
      await expect(createInstanceAdmin(sagaId)).rejects.toMatchObject(FINISHED);
    });

    it('refuses to undo a finished saga (SAGA.FINISHED): the instance admin and its token stay', async () => {
      const sagaId = randomUUID();
      const { identity } = await createInstanceAdmin(sagaId);
      await finish(sagaId);
      await expect(app().send(Subjects.identity.undoCreateInstanceAdmin, { sagaId })).rejects.toMatchObject(FINISHED);
      await expect(identities().countBy({ sagaId })).resolves.toBe(1);
      await expect(records().countBy({ identityId: identity.id, revokedAt: IsNull() })).resolves.toBe(1);
    });

    it('refuses a step of a finished saga that never ran here, creating nothing', async () => {
      const sagaId = randomUUID();
      await finish(sagaId);
      await expect(createInstanceAdmin(sagaId)).rejects.toMatchObject(FINISHED);
      await expect(identities().countBy({ sagaId })).resolves.toBe(0);
    });

    it('leaves other sagas alone', async () => {
      await finish(randomUUID());
      await expect(createInstanceAdmin(randomUUID())).resolves.toHaveProperty('accessToken.token');
    });

    it('refuses the identity-creation step of a finished saga too', async () => {
      const [sagaId, identityId, orgId] = [randomUUID(), randomUUID(), randomUUID()];
      await finish(sagaId);
      await expect(
        app().send(Subjects.identity.create, { sagaId, caller: principal({ orgId }), identityId, name: 'late', organizationId: orgId }),
      ).rejects.toMatchObject(FINISHED);
      await expect(identities().existsBy({ id: identityId })).resolves.toBe(false);
    });

    it('is refused with a payload that is not a saga id', async () => {
      await expect(app().sendRaw(Subjects.identity.finishSaga, { sagaId: 'not-a-uuid' })).rejects.toMatchObject({ code: ErrorCodes.invalidPayload });
    });
  });

  describe('an identity deleted after its saga', () => {
    const deleteIdentity = (identityId: string) =>
      app().send(Subjects.identity.delete, { caller: instanceAdmin(), identityId, lastAdmin: false });

    it('is not created afresh by a replayed create-instance-admin, and no token is signed', async () => {
      const sagaId = randomUUID();
      const { identity } = await createInstanceAdmin(sagaId);
      await deleteIdentity(identity.id);
      const sign = jest.spyOn(TokenService.prototype, 'signIdentityAccessToken');
      await expect(createInstanceAdmin(sagaId, identity.orgId)).rejects.toMatchObject(FINISHED);
      expect(sign).not.toHaveBeenCalled();
      await expect(identities().countBy({ sagaId })).resolves.toBe(0);
    });

    it('is not created afresh by a replayed identity.cmd.create (the identity-creation saga)', async () => {
      const [sagaId, identityId, orgId] = [randomUUID(), randomUUID(), randomUUID()];
      const create = (id: string) =>
        app().send(Subjects.identity.create, { sagaId, caller: principal({ orgId }), identityId: id, name: 'deployer', organizationId: orgId });
      await create(identityId);
      await deleteIdentity(identityId);
      const other = randomUUID();
      await expect(create(identityId)).rejects.toMatchObject(FINISHED);
      await expect(create(other)).rejects.toMatchObject(FINISHED);
      await expect(identities().countBy({ sagaId })).resolves.toBe(0);
    });

    it('a refused delete (the last admin) finishes nothing', async () => {
      const sagaId = randomUUID();
      const { identity } = await createInstanceAdmin(sagaId);
      await expect(
        app().send(Subjects.identity.delete, { caller: instanceAdmin(), identityId: identity.id, lastAdmin: true }),
      ).rejects.toMatchObject({ code: ErrorCodes.lastInstanceAdmin });
      await expect(createInstanceAdmin(sagaId, identity.orgId)).resolves.toMatchObject({ identity: { id: identity.id } });
    });
  });

  it('the migration records as finished every saga whose identity step ran before it existed', async () => {
    const db = await createTestDatabase('int_finished_backfill');
    try {
      const before = await openServiceDatabase(db.url, {
        ...identityDatabase,
        migrations: identityDatabase.migrations.filter((m) => m !== FinishedSagas1764400000000),
      });
      const sagaId = randomUUID();
      await before.getRepository(IdentityEntity).insert({ name: 'Instance Admin Identity', orgId: randomUUID(), isInstanceAdmin: true, sagaId });
      await before.getRepository(IdentityEntity).insert({ name: 'no saga', orgId: randomUUID(), isInstanceAdmin: false, sagaId: null });
      await before.destroy();
      const after = await openServiceDatabase(db.url, identityDatabase);
      await expect(db.query('SELECT saga_id FROM identity_service.finished_sagas')).resolves.toEqual([{ saga_id: sagaId }]);
      await after.destroy();
    } finally {
      await db.drop();
    }
  });
});
