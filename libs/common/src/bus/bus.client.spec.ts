import { ErrorCodes, Subjects } from '@app/contracts';
import { ErrorCode as NatsErrorCode, JSONCodec, NatsConnection, NatsError } from 'nats';
import { metrics } from '../metrics/metrics';
import { BusClient } from './bus.client';
import { NatsLink } from './nats-link';

const codec = JSONCodec<unknown>();

/** A link whose connection answers every request with `answer` (no broker: this is about what BusClient records). */
function linkAnswering(answer: () => Promise<unknown>): NatsLink {
  const nc = { request: async () => ({ data: codec.encode(await answer()) }) } as unknown as NatsConnection;
  return { whenConnected: async () => nc } as unknown as NatsLink;
}

async function errorsByKind(): Promise<Record<string, number>> {
  return Object.fromEntries((await metrics.busRequestErrors.get()).values.map((v) => [`${v.labels.subject} ${v.labels.kind}`, v.value]));
}

describe(BusClient.name, () => {
  const subject = Subjects.user.ping;

  beforeEach(() => {
    metrics.busRequestErrors.reset();
    metrics.busRequestDuration.reset();
  });

  it('observes the latency of a request answered', async () => {
    await new BusClient(linkAnswering(async () => ({ response: { ok: true } }))).send(subject, {});
    const counts = (await metrics.busRequestDuration.get()).values.filter((v) => v.metricName === 'bus_request_duration_seconds_count');
    expect(counts.map((v) => ({ ...v.labels, value: v.value }))).toEqual([{ subject, outcome: 'ok', value: 1 }]);
    expect(await errorsByKind()).toEqual({});
  });

  it.each([
    ['timeout', () => Promise.reject(new NatsError('timeout', NatsErrorCode.Timeout))],
    ['unavailable', () => Promise.reject(new NatsError('503', NatsErrorCode.NoResponders))],
    [ErrorCodes.emailTaken, async () => ({ err: { code: ErrorCodes.emailTaken, message: 'taken' } })],
    ['unknown', async () => ({ err: { code: 'SOMETHING.INVENTED', message: 'x' } })],
  ])('counts a failed request by subject and kind %s', async (kind, answer) => {
    await expect(new BusClient(linkAnswering(answer)).send(subject, {}, { timeoutMs: 50 })).rejects.toThrow();
    expect(await errorsByKind()).toEqual({ [`${subject} ${kind}`]: 1 });
    const counts = (await metrics.busRequestDuration.get()).values.filter((v) => v.metricName === 'bus_request_duration_seconds_count');
    expect(counts.map((v) => v.labels.outcome)).toEqual(['error']);
  });

  it('counts a request that could not be sent, NATS being down, as unavailable', async () => {
    const down = { whenConnected: async () => undefined } as unknown as NatsLink;
    await expect(new BusClient(down).send(subject, {}, { timeoutMs: 50 })).rejects.toThrow();
    expect(await errorsByKind()).toEqual({ [`${subject} unavailable`]: 1 });
  });
});
