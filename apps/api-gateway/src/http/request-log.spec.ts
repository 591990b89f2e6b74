import Fastify from 'fastify';
import { Logger } from '@nestjs/common';
import { createRootLogger, metrics, PinoNestLogger } from '@app/common';
import { logRequests, UNMATCHED_ROUTE } from './request-log';

describe(logRequests.name, () => {
  let lines: Array<Record<string, unknown>>;

  beforeEach(() => {
    lines = [];
    Logger.overrideLogger(new PinoNestLogger(createRootLogger('api-gateway', 'info', { write: (line: string) => lines.push(JSON.parse(line)) })));
    metrics.httpRequests.reset();
    metrics.httpRequestDuration.reset();
  });

  afterEach(() => {
    Logger.overrideLogger(false);
  });

  async function app() {
    const fastify = Fastify({ genReqId: () => 'req-test' });
    logRequests(fastify);
    fastify.post('/api/v1/things/:thingId', async (_request, reply) => reply.code(201).send({ token: 'not-logged' }));
    await fastify.ready();
    return fastify;
  }

  it('writes one info line with the route pattern, status and duration, in the request id, and no header or body', async () => {
    const fastify = await app();
    await fastify.inject({ method: 'POST', url: '/api/v1/things/t-42?secret=s3', headers: { authorization: 'Bearer abc.def' }, payload: { password: 'hunter22' } });
    await fastify.close();
    const http = lines.filter((l) => l.msg === 'HTTP request');
    expect(http).toEqual([
      expect.objectContaining({ level: 30, correlationId: 'req-test', method: 'POST', route: '/api/v1/things/:thingId', statusCode: 201, durationMs: expect.any(Number) }),
    ]);
    for (const secret of ['t-42', 's3', 'abc.def', 'hunter22', 'not-logged']) expect(JSON.stringify(lines)).not.toContain(secret);
  });

  it('counts requests by route pattern and status, and every unmatched URL as one route', async () => {
    const fastify = await app();
    await fastify.inject({ method: 'POST', url: '/api/v1/things/a' });
    await fastify.inject({ method: 'POST', url: '/api/v1/things/b' });
    await fastify.inject({ method: 'GET', url: '/nope/1' });
    await fastify.inject({ method: 'GET', url: '/nope/2' });
    await fastify.close();
    const counted = (await metrics.httpRequests.get()).values.map((v) => ({ ...v.labels, value: v.value }));
    expect(counted).toEqual([
      { method: 'POST', route: '/api/v1/things/:thingId', status: '201', value: 2 },
      { method: 'GET', route: UNMATCHED_ROUTE, status: '404', value: 2 },
    ]);
    const durations = (await metrics.httpRequestDuration.get()).values.filter((v) => v.metricName === 'http_request_duration_seconds_count');
    expect(durations.map((v) => v.value)).toEqual([2, 2]);
  });
});
