import {
  AppName,
  AppProcess,
  bootstrap,
  HttpResult,
  ProcessExit,
  TestStack,
  waitFor,
} from '@app/testing';

jest.setTimeout(120_000);

/** A graceful exit must come within this; the harness SIGKILLs after it (and the test sees SIGKILL). */
const EXIT_BOUND_MS = 20_000;

/** The exit of a graceful shutdown: Nest re-raises the signal once everything is closed. */
const CLEAN_EXIT: ProcessExit = { code: null, signal: 'SIGTERM' };

/**
 * The app to stop, and the log line (of which app) that shows a bootstrap is in its hands at that
 * moment. The participants log each command as it arrives, just before they handle it (the
 * user-service then hashes the password for about 16 ms). The organization-service is the hard
 * case: the same saga needs it again after the command in flight (the membership step, and the
 * organization's compensation), and with one replica nobody answers those while it restarts.
 */
const CASES: Array<[AppName, AppName, string]> = [
  ['api-gateway', 'saga-orchestrator', '"subject":"bootstrap.cmd.start"'],
  ['saga-orchestrator', 'saga-orchestrator', 'Bootstrap claimed the instance'],
  ['user-service', 'user-service', '"subject":"user.cmd.create-admin"'],
  ['organization-service', 'organization-service', '"subject":"organization.cmd.create"'],
  ['identity-service', 'identity-service', '"subject":"identity.cmd.create-instance-admin"'],
];

interface Outcome {
  status: number | string;
  users: number;
  organizations: number;
  identities: number;
  instance: string;
  tokenIdentityStored: boolean;
}

const COMPLETED: Outcome = { status: 200, users: 1, organizations: 1, identities: 1, instance: 'INITIALIZED', tokenIdentityStored: true };
const ROLLED_BACK: Outcome = { status: 503, users: 0, organizations: 0, identities: 0, instance: 'UNINITIALIZED', tokenIdentityStored: false };

/** What the caller got and what the database holds, side by side. */
async function outcomeOf(stack: TestStack, result: HttpResult | Error): Promise<Outcome> {
  const count = async (table: string) => (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  const [{ status: instance }] = await stack.db.query<{ status: string }>('SELECT status FROM saga_orchestrator.instance_state');
  let tokenIdentityStored = false;
  if (!(result instanceof Error) && result.status === 200) {
    const claims = JSON.parse(Buffer.from(result.body.identity.credentials.token.split('.')[1], 'base64url').toString());
    tokenIdentityStored = (await stack.db.query('SELECT 1 FROM identity_service.identities WHERE id = $1', [claims.identityId])).length === 1;
  }
  return {
    status: result instanceof Error ? `no response: ${result.message}` : result.status,
    users: await count('user_service.users'),
    organizations: await count('organization_service.organizations'),
    identities: await count('identity_service.identities'),
    instance,
    tokenIdentityStored,
  };
}

describe('SIGTERM to a service during a bootstrap (end to end)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_shutdown', env: { BOOTSTRAP_TIMEOUT_MS: '3000' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe.each(CASES)('%s', (app, watched, inFlightLine) => {
    let target: AppProcess;
    let shutdownLogs: string;
    let result: HttpResult | Error;
    let exit: ProcessExit | undefined;

    beforeAll(async () => {
      [target] = stack.app(app);
      const logMark = target.logs.length;
      const inFlight = stack.app(watched)[0].waitForLog(inFlightLine);
      const response = bootstrap(stack.gatewayUrl).catch((error: Error) => error);
      await inFlight;
      [exit, result] = await Promise.all([target.stop('SIGTERM', EXIT_BOUND_MS), response]);
      shutdownLogs = target.logs.slice(logMark);
      // Back, as an orchestrator would restart it: a rollback that needs it can then finish.
      await target.start();
    });

    afterAll(async () => {
      await stack.resetInstance();
    });

    it('ends the bootstrap whole (200, its identity stored) or rolled back (503, nothing left)', async () => {
      const settled = await waitFor(
        'the bootstrap to end whole or rolled back',
        async () => {
          const outcome = await outcomeOf(stack, result);
          return [COMPLETED, ROLLED_BACK].some((end) => JSON.stringify(end) === JSON.stringify(outcome)) ? outcome : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      ).catch(async () => outcomeOf(stack, result));
      expect([COMPLETED, ROLLED_BACK]).toContainEqual(settled);
    });

    it(`exits on its own within ${EXIT_BOUND_MS / 1000} s, by the signal Nest re-raises after closing`, () => {
      expect(exit).toEqual(CLEAN_EXIT);
    });

    it('logs "shutting down", then "stopped" last', () => {
      const lines = shutdownLogs.trim().split('\n');
      expect(lines.some((line) => line.includes('"msg":"shutting down"'))).toBe(true);
      expect(lines[lines.length - 1]).toContain('"msg":"stopped"');
    });
  });
});

describe('SIGTERM to one of two user-service replicas while bootstraps flow (end to end)', () => {
  const BOOTSTRAPS = 10;
  let stack: TestStack;
  let statuses: number[];
  let exit: ProcessExit | undefined;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_shutdown_replicas', replicas: 2, env: { BOOTSTRAP_TIMEOUT_MS: '3000' } });
    const [leaving] = stack.app('user-service');
    let stopping: Promise<ProcessExit | undefined> | undefined;
    statuses = [];
    for (let i = 0; i < BOOTSTRAPS; i += 1) {
      await stack.resetInstance();
      const response = bootstrap(stack.gatewayUrls[i % 2]);
      if (i === 3) stopping = leaving.stop('SIGTERM', EXIT_BOUND_MS);
      statuses.push((await response).status);
    }
    exit = await stopping;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers every bootstrap with 200 or 503, never another status', () => {
    expect(statuses).toHaveLength(BOOTSTRAPS);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
  });

  it('lets the replica exit on its own', () => {
    expect(exit).toEqual(CLEAN_EXIT);
  });

  it('bootstraps with the remaining replica', async () => {
    await stack.resetInstance();
    const result = await bootstrap(stack.gatewayUrl);
    expect(result.status).toBe(200);
    expect(stack.app('user-service')[1].logs).toContain(`"correlationId":"${result.headers.get('x-request-id')}"`);
  });
});
