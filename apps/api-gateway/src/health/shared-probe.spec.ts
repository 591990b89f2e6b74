import { SharedProbe } from './shared-probe';

/** A probe whose runs the test finishes by hand, on a clock the test moves. */
function scripted() {
  let clock = 0;
  const runs: Array<(value: number) => void> = [];
  const failures: Array<(error: Error) => void> = [];
  const probe = new SharedProbe<number>(
    () =>
      new Promise<number>((resolve, reject) => {
        runs.push(resolve);
        failures.push(reject);
      }),
    1_000,
    () => clock,
  );
  return { probe, runs, failures, advance: (ms: number) => (clock += ms) };
}

describe(SharedProbe.name, () => {
  it('runs one probe for every caller that arrives while it runs', async () => {
    const { probe, runs } = scripted();
    const answers = Promise.all(Array.from({ length: 50 }, () => probe.get()));
    expect(runs).toHaveLength(1);
    runs[0](7);
    expect(await answers).toEqual(Array(50).fill(7));
  });

  it('answers from the last result for about a second after it came in', async () => {
    const { probe, runs, advance } = scripted();
    const first = probe.get();
    runs[0](1);
    await first;
    advance(999);
    expect(await probe.get()).toBe(1);
    expect(runs).toHaveLength(1);
  });

  it('probes again once the result is a second old', async () => {
    const { probe, runs, advance } = scripted();
    const first = probe.get();
    runs[0](1);
    await first;
    advance(1_000);
    const second = probe.get();
    expect(runs).toHaveLength(2);
    runs[1](2);
    expect(await second).toBe(2);
  });

  it('keeps no failure: the next caller probes again', async () => {
    const { probe, runs, failures } = scripted();
    const first = probe.get();
    failures[0](new Error('down'));
    await expect(first).rejects.toThrow('down');
    void probe.get();
    expect(runs).toHaveLength(2);
  });

  it('keeps each result for as long as the result itself asks', async () => {
    let clock = 0;
    const runs: Array<(value: string) => void> = [];
    const probe = new SharedProbe<string>(
      () => new Promise<string>((resolve) => runs.push(resolve)),
      (value) => (value === 'down' ? 50 : 1_000),
      () => clock,
    );
    const first = probe.get();
    runs[0]('down');
    await first;
    clock += 49;
    expect(await probe.get()).toBe('down');
    clock += 1;
    const second = probe.get();
    expect(runs).toHaveLength(2);
    runs[1]('up');
    await second;
    clock += 999;
    expect(await probe.get()).toBe('up');
    expect(runs).toHaveLength(2);
  });
});
