import { ErrorCodes } from '@app/contracts';
import { AppConfig } from '@app/config';
import { BootstrapEventsPublisher } from '../../events/bootstrap-events.publisher';
import { ClaimResult, InstanceService } from '../../instance/instance.service';
import { SagaRegistry } from '../../saga-engine/saga-handler';
import { SagaRunner } from '../../saga-engine/saga-runner';
import { BootstrapSagaHandler } from './bootstrap.handler';
import { BootstrapService } from './bootstrap.service';
import { ReclaimService } from './reclaim.service';

/** A promise settled from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const command = { email: 'admin@example.com', password: 'p', organization: 'Acme' };
const keyed = { ...command, idempotencyKey: 'key' };
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** The service with a claim and a saga run the test settles itself. */
function setUp() {
  const claims: Array<ReturnType<typeof deferred<ClaimResult>>> = [];
  const runs: Array<ReturnType<typeof deferred<unknown>>> = [];
  const instance = {
    claim: jest.fn(() => {
      claims.push(deferred<ClaimResult>());
      return claims[claims.length - 1].promise;
    }),
  };
  const runner = {
    run: jest.fn(() => {
      runs.push(deferred());
      return runs[runs.length - 1].promise;
    }),
  };
  const reclaim = { digestOf: () => undefined, tryReclaim: jest.fn(async () => null) };
  const service = new BootstrapService(
    { bootstrapTimeoutMs: 10_000 } as AppConfig,
    instance as unknown as InstanceService,
    runner as unknown as SagaRunner,
    { definition: { type: 'bootstrap' } } as unknown as BootstrapSagaHandler,
    {} as SagaRegistry,
    { started: async () => undefined } as unknown as BootstrapEventsPublisher,
    reclaim as unknown as ReclaimService,
  );
  const done = {
    data: { user: { id: 'u' }, organization: { id: 'o' }, identity: { id: 'i', name: 'admin' } },
    transient: { token: 't' },
    timings: [],
  };
  return { service, instance, runner, claims, runs, done, reclaim };
}

const refusedWith = (code: string) => expect.objectContaining({ code });

describe('BootstrapService under concurrent bootstraps', () => {
  it('lets unkeyed attempts share a claim in flight: one transaction, the others are in progress once it is won', async () => {
    const { service, instance, claims, runs, done } = setUp();
    const winner = service.start(command, 'c0');
    const others = Array.from({ length: 5 }, (_, i) => service.start(command, `c${i + 1}`));
    await flush();
    expect(instance.claim).toHaveBeenCalledTimes(1);
    claims[0].resolve('claimed');
    for (const other of others) await expect(other).rejects.toEqual(refusedWith(ErrorCodes.bootstrapInProgress));
    runs[0].resolve(done);
    await expect(winner).resolves.toEqual(expect.objectContaining({ response: expect.objectContaining({ user: { id: 'u' } }) }));
    expect(instance.claim).toHaveBeenCalledTimes(1);
  });

  it('answers in progress from memory while its own saga holds the claim, but still claims for a keyed request', async () => {
    const { service, instance, claims, runs, done } = setUp();
    const winner = service.start(command, 'c0');
    await flush();
    claims[0].resolve('claimed');
    await flush();
    await expect(service.start(command, 'c1')).rejects.toEqual(refusedWith(ErrorCodes.bootstrapInProgress));
    expect(instance.claim).toHaveBeenCalledTimes(1);
    const withKey = service.start(keyed, 'c2');
    await flush();
    expect(instance.claim).toHaveBeenCalledTimes(2);
    claims[1].resolve('in-progress');
    await expect(withKey).rejects.toEqual(refusedWith(ErrorCodes.bootstrapInProgress));
    runs[0].resolve(done);
    await winner;
  });

  it('shares an initialized outcome as already set up, and claims again once its saga has ended', async () => {
    const { service, instance, claims, runs } = setUp();
    const first = service.start(command, 'c0');
    const second = service.start(command, 'c1');
    await flush();
    claims[0].resolve('initialized');
    await expect(first).rejects.toEqual(refusedWith(ErrorCodes.instanceAlreadyInitialized));
    await expect(second).rejects.toEqual(refusedWith(ErrorCodes.instanceAlreadyInitialized));
    expect(instance.claim).toHaveBeenCalledTimes(1);

    // A saga that failed gives the claim back: the next attempt asks the database again.
    const third = service.start(command, 'c2');
    await flush();
    claims[1].resolve('claimed');
    await flush();
    runs[0].reject(new Error('step failed'));
    await expect(third).rejects.toThrow('step failed');
    const fourth = service.start(command, 'c3');
    await flush();
    expect(instance.claim).toHaveBeenCalledTimes(3);
    claims[2].resolve('initialized');
    await expect(fourth).rejects.toEqual(refusedWith(ErrorCodes.instanceAlreadyInitialized));
  });

  it('lets the attempts that waited on a claim that failed claim for themselves', async () => {
    const { service, instance, claims } = setUp();
    const first = service.start(command, 'c0');
    const second = service.start(command, 'c1');
    await flush();
    claims[0].reject(new Error('database down'));
    await expect(first).rejects.toBeDefined();
    await flush();
    expect(instance.claim).toHaveBeenCalledTimes(2);
    claims[1].resolve('in-progress');
    await expect(second).rejects.toEqual(refusedWith(ErrorCodes.bootstrapInProgress));
  });
});
