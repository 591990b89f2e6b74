import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { BusClient, BusRemoteError, BusUnavailableError } from '@app/common';
import { loadConfig } from '@app/config';
import { ErrorCodes, Subjects } from '@app/contracts';
import { useServiceDatabase } from '@app/testing';
import { InstanceService } from '../src/instance/instance.service';
import { TypeormSagaStore } from '../src/saga-engine/typeorm-saga.store';
import { orchestratorDatabase } from '../src/orchestrator.database';
import { SagaEntity } from '../src/saga-engine/saga.entity';
import { BootstrapData } from '../src/sagas/bootstrap/bootstrap.saga';
import { ReclaimService } from '../src/sagas/bootstrap/reclaim.service';

const SECRET = randomBytes(32).toString('base64url');
const KEY = randomBytes(16).toString('base64url');
const EMAIL = 'admin@example.com';
const PASSWORD = 'your-secure-password';
const WINDOW_MS = 15 * 60_000;

const database = useServiceDatabase('int_reclaim', orchestratorDatabase);

beforeEach(async () => {
  await database.db.query(`UPDATE saga_orchestrator.instance_state SET status = 'UNINITIALIZED', saga_id = NULL, initialized_at = NULL`);
  await database.db.query('DELETE FROM saga_orchestrator.sagas');
});

afterEach(() => {
  jest.restoreAllMocks();
});

/**
 * user-service and identity-service as scripted replies: the password is PASSWORD for the admin
 * user (and for no other id), the account may be locked out; every send is recorded.
 */
class ScriptedBus {
  readonly sent: Array<{ subject: string; payload: any }> = [];
  adminUserId = '';
  locked = false;
  userServiceDown = false;

  readonly client = {
    send: async (subject: string, payload: any) => {
      this.sent.push({ subject, payload });
      if (subject === Subjects.user.verifyPassword) {
        if (this.userServiceDown) throw new BusUnavailableError(subject);
        if (this.locked && payload.userId === this.adminUserId) {
          throw new BusRemoteError(subject, { code: ErrorCodes.loginLocked, message: 'Too many failed login attempts; try again in a few minutes' });
        }
        return { valid: payload.userId === this.adminUserId && payload.password === PASSWORD };
      }
      if (subject === Subjects.identity.reissueInstanceAdminToken) return { accessToken: { id: randomUUID(), token: 'fresh-root-token' } };
      throw new Error(`unexpected ${subject}`);
    },
  } as unknown as BusClient;

  subjects(): string[] {
    return this.sent.map((s) => s.subject);
  }
}

function reclaimService(bus: ScriptedBus, env: Record<string, string> = { BOOTSTRAP_RECLAIM_SECRET: SECRET }): ReclaimService {
  return new ReclaimService(loadConfig(env), database.dataSource, new InstanceService(database.dataSource, new TypeormSagaStore(database.dataSource)), bus.client);
}

/** A completed bootstrap, as the orchestrator leaves it, initialized `agoMs` ago with the key's digest (if any). */
async function bootstrapped(bus: ScriptedBus, digest: string | undefined, agoMs = 1_000): Promise<BootstrapData> {
  const sagaId = randomUUID();
  const userId = randomUUID();
  const data: BootstrapData = {
    email: EMAIL,
    organizationName: 'dog',
    userId,
    user: { id: userId, email: EMAIL, username: EMAIL, firstName: 'Admin', lastName: 'User', superAdmin: true },
    organization: { id: randomUUID(), name: 'dog', slug: 'dog-abcd' },
    identity: { id: randomUUID(), name: 'Instance Admin Identity' },
    accessTokenId: randomUUID(),
    ...(digest === undefined ? {} : { idempotencyKeyDigest: digest }),
  };
  await database.dataSource.getRepository(SagaEntity).insert({
    id: sagaId,
    type: 'bootstrap',
    state: 'COMPLETED',
    correlationId: `req-${sagaId}`,
    deadlineAt: new Date(),
    data,
  });
  await database.db.query(
    `UPDATE saga_orchestrator.instance_state SET status = 'INITIALIZED', saga_id = $1, initialized_at = now() - $2 * interval '1 millisecond'`,
    [sagaId, agoMs],
  );
  bus.adminUserId = data.user!.id;
  return data;
}

const request = (over: Partial<{ email: string; password: string; organization: string; idempotencyKey: string }> = {}) => ({
  email: EMAIL,
  password: PASSWORD,
  organization: 'dog',
  idempotencyKey: KEY,
  ...over,
});

describe(ReclaimService.name, () => {
  describe('digestOf: what a bootstrap keeps of its Idempotency-Key', () => {
    it('keeps HMAC-SHA256 of the key under BOOTSTRAP_RECLAIM_SECRET, not its bare sha256', () => {
      const digest = reclaimService(new ScriptedBus()).digestOf(KEY);
      expect(digest).toBe(createHmac('sha256', SECRET).update(KEY).digest('hex'));
      expect(digest).not.toBe(createHash('sha256').update(KEY).digest('hex'));
    });

    it('keeps nothing of a key too short to re-claim (under 22 base64url characters)', () => {
      expect(reclaimService(new ScriptedBus()).digestOf('ci-job-4711:bootstrap')).toBeUndefined();
      expect(reclaimService(new ScriptedBus()).digestOf(KEY.slice(0, 21))).toBeUndefined();
    });

    it('keeps nothing without BOOTSTRAP_RECLAIM_SECRET', () => {
      expect(reclaimService(new ScriptedBus(), {}).digestOf(KEY)).toBeUndefined();
    });
  });

  describe('tryReclaim', () => {
    it('answers the same user, organization and identity with a freshly reissued token', async () => {
      const bus = new ScriptedBus();
      const service = reclaimService(bus);
      const data = await bootstrapped(bus, service.digestOf(KEY));
      const reply = await service.tryReclaim(request(), 'req-2');
      expect(reply?.response).toStrictEqual({
        message: 'Successfully bootstrapped instance',
        user: data.user,
        organization: data.organization,
        identity: { id: data.identity!.id, name: data.identity!.name, credentials: { token: 'fresh-root-token' } },
      });
      expect(bus.sent).toEqual([
        { subject: Subjects.user.verifyPassword, payload: { userId: data.user!.id, password: PASSWORD } },
        { subject: Subjects.identity.reissueInstanceAdminToken, payload: { identityId: data.identity!.id } },
      ]);
    });

    it.each([
      ['another key', request({ idempotencyKey: randomBytes(16).toString('base64url') })],
      ['another email', request({ email: 'someone@example.com' })],
    ])(
      'with %s: null, after the same password check as a match, for a user id that is not the admin (counting against no one)',
      async (_case, command) => {
        const bus = new ScriptedBus();
        const service = reclaimService(bus);
        const data = await bootstrapped(bus, service.digestOf(KEY));
        await expect(service.tryReclaim(command, 'req-2')).resolves.toBeNull();
        expect(bus.subjects()).toEqual([Subjects.user.verifyPassword]);
        expect(bus.sent[0].payload).toEqual({ userId: expect.stringMatching(/^[0-9a-f-]{36}$/), password: command.password });
        expect(bus.sent[0].payload.userId).not.toBe(data.user!.id);
      },
    );

    it('with the right key and the right password for another email: still null, nothing reissued', async () => {
      const bus = new ScriptedBus();
      const service = reclaimService(bus);
      await bootstrapped(bus, service.digestOf(KEY));
      await expect(service.tryReclaim(request({ email: 'someone@example.com' }), 'req-2')).resolves.toBeNull();
      expect(bus.subjects()).not.toContain(Subjects.identity.reissueInstanceAdminToken);
    });

    it('with a wrong password: null, and nothing reissued', async () => {
      const bus = new ScriptedBus();
      const service = reclaimService(bus);
      await bootstrapped(bus, service.digestOf(KEY));
      await expect(service.tryReclaim(request({ password: 'not-the-password' }), 'req-2')).resolves.toBeNull();
      expect(bus.subjects()).toEqual([Subjects.user.verifyPassword]);
    });

    it("while the admin's account is locked out (LOGIN.LOCKED): null — the plain 400 — and nothing reissued", async () => {
      const bus = new ScriptedBus();
      const service = reclaimService(bus);
      await bootstrapped(bus, service.digestOf(KEY));
      bus.locked = true;
      await expect(service.tryReclaim(request(), 'req-2')).resolves.toBeNull();
      expect(bus.subjects()).toEqual([Subjects.user.verifyPassword]);
    });

    it('once the window has passed: null, after the same password check, for no real user', async () => {
      const bus = new ScriptedBus();
      const service = reclaimService(bus);
      const data = await bootstrapped(bus, service.digestOf(KEY), WINDOW_MS + 1_000);
      await expect(service.tryReclaim(request(), 'req-2')).resolves.toBeNull();
      expect(bus.subjects()).toEqual([Subjects.user.verifyPassword]);
      expect(bus.sent[0].payload.userId).not.toBe(data.user!.id);
    });

    it('for a bootstrap that kept no digest (no key, or a short one): null, after the same password check', async () => {
      const bus = new ScriptedBus();
      const service = reclaimService(bus);
      await bootstrapped(bus, undefined);
      await expect(service.tryReclaim(request(), 'req-2')).resolves.toBeNull();
      expect(bus.subjects()).toEqual([Subjects.user.verifyPassword]);
    });

    it('for a bootstrap that kept a bare sha256 of the key (before digests were HMACs): null', async () => {
      const bus = new ScriptedBus();
      const service = reclaimService(bus);
      await bootstrapped(bus, createHash('sha256').update(KEY).digest('hex'));
      await expect(service.tryReclaim(request(), 'req-2')).resolves.toBeNull();
      expect(bus.subjects()).not.toContain(Subjects.identity.reissueInstanceAdminToken);
    });

    it('with a key too short to re-claim: null at once, whatever was stored', async () => {
      const bus = new ScriptedBus();
      const service = reclaimService(bus);
      await bootstrapped(bus, createHmac('sha256', SECRET).update('short-key').digest('hex'));
      await expect(service.tryReclaim(request({ idempotencyKey: 'short-key' }), 'req-2')).resolves.toBeNull();
      expect(bus.sent).toEqual([]);
    });

    it('without BOOTSTRAP_RECLAIM_SECRET: null at once, and a warning once at start', async () => {
      const bus = new ScriptedBus();
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const service = reclaimService(bus, {});
      service.onModuleInit();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(JSON.stringify(warn.mock.calls[0][0])).toContain('BOOTSTRAP_RECLAIM_SECRET is not set');
      await bootstrapped(bus, createHmac('sha256', SECRET).update(KEY).digest('hex'));
      await expect(service.tryReclaim(request(), 'req-2')).resolves.toBeNull();
      expect(bus.sent).toEqual([]);
    });

    it('with a secret, warns nothing at start', () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      reclaimService(new ScriptedBus()).onModuleInit();
      expect(warn).not.toHaveBeenCalled();
    });

    it('answers SAGA.STEP_FAILED naming the verify step when user-service is down, match or not', async () => {
      const bus = new ScriptedBus();
      const service = reclaimService(bus);
      await bootstrapped(bus, service.digestOf(KEY));
      bus.userServiceDown = true;
      const failed = { code: ErrorCodes.sagaStepFailed, details: { step: 'verify' } };
      await expect(service.tryReclaim(request(), 'req-2')).rejects.toMatchObject(failed);
      await expect(service.tryReclaim(request({ idempotencyKey: randomBytes(16).toString('base64url') }), 'req-3')).rejects.toMatchObject(failed);
    });
  });
});
