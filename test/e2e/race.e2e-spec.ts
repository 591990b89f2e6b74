import { bootstrap, SEED_REQUEST, TestStack } from '@app/testing';

jest.setTimeout(90_000);

const CONCURRENT = 100;

describe('Concurrent bootstraps across replicas (end to end)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // Two processes of every app: two gateways, two orchestrators racing for the claim…
    stack = await TestStack.start({ name: 'e2e_race', replicas: 2 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it(`gives exactly one 200 among ${CONCURRENT} concurrent calls spread over both gateways, and one of each record`, async () => {
    const results = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        bootstrap(stack.gatewayUrls[i % 2], { ...SEED_REQUEST, email: `admin${i}@example.com`, organization: `org ${i}` }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 400 || s === 409)).toBe(true);
    // Both orchestrators took part: the queue group spread the commands.
    for (const orchestrator of stack.app('saga-orchestrator')) expect(orchestrator.logs).toContain('"subject":"bootstrap.cmd.start"');
    for (const loser of results.filter((r) => r.status !== 200)) {
      expect(loser.body.message).toMatch(/^(Instance has already been set up|Instance bootstrap is already in progress)$/);
    }

    const winner = results.find((r) => r.status === 200)!.body;
    const count = async (table: string) => (await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
    expect(await count('user_service.users')).toBe(1);
    expect(await count('organization_service.organizations')).toBe(1);
    expect(await count('identity_service.identities')).toBe(1);
    expect(await stack.db.query('SELECT id FROM user_service.users')).toEqual([{ id: winner.user.id }]);
    expect(await stack.db.query(`SELECT state FROM saga_orchestrator.sagas`)).toEqual([{ state: 'COMPLETED' }]);
  });
});
