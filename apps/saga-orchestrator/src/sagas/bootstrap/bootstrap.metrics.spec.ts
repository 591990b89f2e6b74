import { ErrorCodes } from '@app/contracts';
import { DomainError, metrics } from '@app/common';
import { bootstrapFailureOutcome, measureBootstrap } from './bootstrap.metrics';

async function outcomes(): Promise<Record<string, number>> {
  return Object.fromEntries((await metrics.bootstraps.get()).values.map((v) => [String(v.labels.outcome), v.value]));
}

describe(measureBootstrap.name, () => {
  beforeEach(() => {
    metrics.bootstraps.reset();
    metrics.bootstrapDuration.reset();
  });

  it('counts a bootstrap that ran as completed and observes its duration', async () => {
    await measureBootstrap(async () => 'reply');
    expect(await outcomes()).toEqual({ completed: 1 });
    const counts = (await metrics.bootstrapDuration.get()).values.filter((v) => v.metricName === 'bootstrap_duration_seconds_count');
    expect(counts.map((v) => [v.labels.outcome, v.value])).toEqual([['completed', 1]]);
  });

  it('counts a re-claim as reclaimed', async () => {
    await measureBootstrap(async (mark) => {
      mark.reclaimed = true;
    });
    expect(await outcomes()).toEqual({ reclaimed: 1 });
  });

  it('counts a failure by its outcome and lets the error through', async () => {
    const error = new DomainError(ErrorCodes.instanceAlreadyInitialized, 'set up');
    await expect(measureBootstrap(() => Promise.reject(error))).rejects.toBe(error);
    expect(await outcomes()).toEqual({ already_initialized: 1 });
  });
});

describe(bootstrapFailureOutcome.name, () => {
  it.each([
    [new DomainError(ErrorCodes.instanceAlreadyInitialized, ''), 'already_initialized'],
    [new DomainError(ErrorCodes.bootstrapInProgress, ''), 'in_progress'],
    [new DomainError(ErrorCodes.sagaStepFailed, ''), 'failed'],
    [new DomainError(ErrorCodes.dependencyUnavailable, ''), 'failed'],
    [new DomainError(ErrorCodes.emailTaken, ''), 'refused'],
    [new Error('boom'), 'failed'],
  ])('classifies %p as %s', (error, outcome) => {
    expect(bootstrapFailureOutcome(error)).toBe(outcome);
  });
});
