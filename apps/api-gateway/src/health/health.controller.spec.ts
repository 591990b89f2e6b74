import { BusClient, NatsLink } from '@app/common';
import { PingReply, Subjects } from '@app/contracts';
import { HEALTH_DOWN_CACHE_MS, HealthController } from './health.controller';

/** A bus whose pings answer after a tick, counting what is sent; a NATS connection counting flushes. */
function controllerWithCounters(reply: PingReply = { ok: true } as PingReply) {
  const sent: string[] = [];
  const bus = {
    send: async (subject: string) => {
      sent.push(subject);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return reply;
    },
  } as unknown as BusClient;
  const flushes = { count: 0 };
  const connection = {
    isClosed: () => false,
    flush: async () => {
      flushes.count += 1;
    },
  };
  const nats = { connection } as unknown as NatsLink;
  return { controller: new HealthController(bus, nats), sent, flushes };
}

describe(HealthController.name, () => {
  it('answers 100 concurrent /api/health calls with one round of pings', async () => {
    const { controller, sent, flushes } = controllerWithCounters();
    const answers = await Promise.all(Array.from({ length: 100 }, () => controller.health()));

    expect(answers.every((a) => a.message === 'Ok')).toBe(true);
    expect(flushes.count).toBe(1);
    expect(sent.sort()).toEqual([Subjects.bootstrap.ping, Subjects.user.ping, Subjects.organization.ping, Subjects.identity.ping].sort());
  });

  it('answers calls right after a round from its result, without pinging again', async () => {
    const { controller, sent } = controllerWithCounters();
    await controller.health();
    await controller.health();
    await controller.health();
    expect(sent).toHaveLength(4);
  });

  it('answers each call in the 503 envelope of its own when something is down', async () => {
    const { controller, sent } = controllerWithCounters({ ok: false } as PingReply);
    const results = await Promise.allSettled([controller.health(), controller.health()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const [a, b] = results.map((r) => (r as PromiseRejectedResult).reason);
    expect(a).not.toBe(b);
    expect(a).toMatchObject({ statusCode: 503 });
    expect(sent).toHaveLength(4);
  });

  it('keeps a round that found something down only briefly, so a service that just came up is seen at once', async () => {
    const { controller, sent } = controllerWithCounters({ ok: false } as PingReply);
    await controller.health().catch(() => undefined);
    await controller.health().catch(() => undefined);
    expect(sent).toHaveLength(4);
    await new Promise((resolve) => setTimeout(resolve, HEALTH_DOWN_CACHE_MS + 5));
    await controller.health().catch(() => undefined);
    expect(sent).toHaveLength(8);
  });
});
