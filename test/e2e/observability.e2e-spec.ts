import { randomUUID } from 'node:crypto';
import { AppName, bootstrap, findSecrets, HttpResult, SEED_REQUEST, TestStack, waitFor } from '@app/testing';

jest.setTimeout(90_000);

const BUS_SERVICES = [
  ['saga-orchestrator', /^bootstrap\.cmd\.start$/],
  ['user-service', /^user\.cmd\./],
  ['organization-service', /^organization\.cmd\./],
  ['identity-service', /^identity\.cmd\./],
] as const;
const ALL_APPS: AppName[] = ['api-gateway', ...BUS_SERVICES.map(([app]) => app)];

type Line = Record<string, unknown>;

function jsonLines(text: string): Line[] {
  return text.split('\n').flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === 'object' && parsed !== null ? [parsed as Line] : [];
    } catch {
      return [];
    }
  });
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (label values here never hold quotes or commas). */
function samples(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) return [];
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    return [{ name: m[1], labels, value: Number(m[3]) }];
  });
}

/** The sum of the samples of `name` whose labels include `labels` (a RegExp matches a label value). */
function total(all: Sample[], name: string, labels: Record<string, string | RegExp> = {}): number {
  return all
    .filter((s) => s.name === name)
    .filter((s) => Object.entries(labels).every(([k, v]) => (typeof v === 'string' ? s.labels[k] === v : v.test(s.labels[k] ?? ''))))
    .reduce((sum, s) => sum + s.value, 0);
}

describe('Observability: request logs and Prometheus metrics (end to end)', () => {
  let stack: TestStack;
  let first: HttpResult;
  let reqId: string;
  const scraped = new Map<AppName, { status: number; contentType: string | null; samples: Sample[] }>();

  async function scrape(app: AppName) {
    const response = await fetch(`http://127.0.0.1:${stack.app(app)[0].healthPort}/metrics`);
    return { status: response.status, contentType: response.headers.get('content-type'), samples: samples(await response.text()) };
  }

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_observability', healthPorts: true });
    first = await bootstrap(stack.gatewayUrl);
    expect(first.status).toBe(200);
    reqId = first.headers.get('x-request-id') ?? '';
    // The gateway writes its line once the response has been sent; wait until it has.
    await stack.app('api-gateway')[0].waitForLog(new RegExp(`"correlationId":"${reqId}".*"msg":"HTTP request"`), 5_000).catch(() => undefined);
    for (const app of ALL_APPS) scraped.set(app, await scrape(app));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('logs', () => {
    const linesOf = (app: AppName) => jsonLines(stack.app(app)[0].logs).filter((l) => l.correlationId === reqId);

    it('writes one HTTP line for the bootstrap on the gateway: route pattern, status, duration, in the request id', async () => {
      const lines = await waitFor('the HTTP line', async () => {
        const found = linesOf('api-gateway').filter((l) => l.msg === 'HTTP request');
        return found.length > 0 ? found : undefined;
      });
      expect(lines).toEqual([
        expect.objectContaining({ level: 30, service: 'api-gateway', method: 'POST', route: '/api/v1/admin/bootstrap', statusCode: 200, durationMs: expect.any(Number) }),
      ]);
      expect(lines[0].durationMs).toBeGreaterThan(0);
    });

    it.each(BUS_SERVICES)('writes a bus line in %s for each message of the bootstrap: subject, duration, outcome', (app, subject) => {
      const lines = linesOf(app).filter((l) => l.msg === 'Bus message handled');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line).toEqual(expect.objectContaining({ level: 30, service: app, subject: expect.stringMatching(subject), durationMs: expect.any(Number), outcome: 'ok' }));
        expect(line.durationMs).toBeGreaterThanOrEqual(0);
      }
    });

    it('never logs the password, the token, the password hash or a header', async () => {
      const [{ password_hash: hash }] = await stack.db.query<{ password_hash: string }>('SELECT password_hash FROM user_service.users');
      const sightings = await findSecrets(stack, { password: SEED_REQUEST.password, token: first.body.identity.credentials.token, hash });
      expect(Object.entries(sightings).filter(([, places]) => places.includes('logs'))).toEqual([]);
      const requestLines = ALL_APPS.flatMap((app) => jsonLines(stack.app(app)[0].logs)).filter((l) => l.msg === 'HTTP request' || l.msg === 'Bus message handled');
      expect(new Set(requestLines.map((l) => l.service))).toEqual(new Set(ALL_APPS));
      expect(requestLines.filter((l) => 'headers' in l || 'body' in l || 'data' in l || 'url' in l)).toEqual([]);
    });
  });

  describe('metrics', () => {
    it('serves the registry of every service on its HEALTH_PORT, each series naming the service, with process metrics', () => {
      for (const app of ALL_APPS) {
        const { status, contentType, samples: all } = scraped.get(app)!;
        expect({ app, status, contentType }).toEqual({ app, status: 200, contentType: expect.stringMatching(/^text\/plain; version=0\.0\.4/) });
        expect({ app, services: [...new Set(all.map((s) => s.labels.service))] }).toEqual({ app, services: [app] });
        expect(total(all, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
        expect(total(all, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
        expect(total(all, 'process_uptime_seconds')).toBeGreaterThan(0);
      }
    });

    it('counts the bootstrap on the gateway by route pattern and status, with its duration and the command it sent', () => {
      const all = scraped.get('api-gateway')!.samples;
      const labels = { method: 'POST', route: '/api/v1/admin/bootstrap', status: '200' };
      expect(total(all, 'http_requests_total', labels)).toBe(1);
      expect(total(all, 'http_request_duration_seconds_count', labels)).toBe(1);
      expect(total(all, 'http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
      expect(total(all, 'bus_request_duration_seconds_count', { subject: 'bootstrap.cmd.start', outcome: 'ok' })).toBe(1);
    });

    it('counts one completed bootstrap in the orchestrator, with its duration and one observation per saga step', () => {
      const all = scraped.get('saga-orchestrator')!.samples;
      expect(total(all, 'bootstrap_outcomes_total', { outcome: 'completed' })).toBe(1);
      expect(total(all, 'bootstrap_outcomes_total')).toBe(1);
      expect(total(all, 'bootstrap_duration_seconds_count', { outcome: 'completed' })).toBe(1);
      expect(total(all, 'bootstrap_duration_seconds_sum', { outcome: 'completed' })).toBeGreaterThan(0);
      for (const step of ['user', 'organization', 'identity', 'membership', 'initialize']) {
        expect({ step, count: total(all, 'saga_step_duration_seconds_count', { saga: 'bootstrap', step, outcome: 'ok' }) }).toEqual({ step, count: 1 });
      }
      expect(total(all, 'bus_messages_handled_total', { subject: 'bootstrap.cmd.start', outcome: 'ok' })).toBe(1);
      expect(total(all, 'bus_request_duration_seconds_count', { subject: /^user\.cmd\./, outcome: 'ok' })).toBeGreaterThan(0);
      expect(total(all, 'bus_request_errors_total')).toBe(0);
    });

    it.each(BUS_SERVICES.slice(1))('counts the commands %s handled, by subject and outcome, with their durations', (app, subject) => {
      const all = scraped.get(app)!.samples;
      expect(total(all, 'bus_messages_handled_total', { subject, outcome: 'ok' })).toBeGreaterThan(0);
      expect(total(all, 'bus_message_duration_seconds_count', { subject, outcome: 'ok' })).toBe(total(all, 'bus_messages_handled_total', { subject, outcome: 'ok' }));
      expect(total(all, 'bus_messages_handled_total', { outcome: 'error' })).toBe(0);
    });

    it('labels a request no route matched as one series, not by its URL', async () => {
      const response = await fetch(`${stack.gatewayUrl}/api/v1/no-such-route/some-id-123`);
      expect(response.status).toBe(404);
      const all = (await scrape('api-gateway')).samples;
      expect(total(all, 'http_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThan(0);
      expect(all.filter((s) => Object.values(s.labels).some((v) => v.includes('some-id-123')))).toEqual([]);
    });

    it('counts a refused bootstrap by its outcome, and the refusal on the bus', async () => {
      // With an Idempotency-Key, so the gateway asks the orchestrator rather than answer from what it remembers.
      expect((await bootstrap(stack.gatewayUrl, SEED_REQUEST, { 'Idempotency-Key': randomUUID() })).status).toBe(400);
      const orchestrator = (await scrape('saga-orchestrator')).samples;
      expect(total(orchestrator, 'bootstrap_outcomes_total', { outcome: 'already_initialized' })).toBe(1);
      expect(total(orchestrator, 'bus_messages_handled_total', { subject: 'bootstrap.cmd.start', outcome: 'error', code: 'INSTANCE.ALREADY_INITIALIZED' })).toBe(1);
      const gateway = (await scrape('api-gateway')).samples;
      expect(total(gateway, 'bus_request_errors_total', { subject: 'bootstrap.cmd.start', kind: 'INSTANCE.ALREADY_INITIALIZED' })).toBe(1);
      expect(total(gateway, 'http_requests_total', { route: '/api/v1/admin/bootstrap', status: '400' })).toBe(1);
    });

    it.each(['saga-orchestrator', 'user-service', 'organization-service', 'identity-service'] as const)(
      'serves /health on the HEALTH_PORT of %s, with NATS and its database up',
      async (app) => {
        const health = await fetch(`http://127.0.0.1:${stack.app(app)[0].healthPort}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toStrictEqual({ service: app, status: 'ok', dependencies: { nats: 'up', database: 'up' } });
      },
    );

    it('serves /health on the gateway\'s HEALTH_PORT, and neither /metrics nor /health on its public port', async () => {
      const health = await fetch(`http://127.0.0.1:${stack.app('api-gateway')[0].healthPort}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toStrictEqual({ service: 'api-gateway', status: 'ok', dependencies: { nats: 'up' } });
      expect((await fetch(`${stack.gatewayUrl}/metrics`)).status).toBe(404);
      expect((await fetch(`${stack.gatewayUrl}/health`)).status).toBe(404);
    });
  });
});
