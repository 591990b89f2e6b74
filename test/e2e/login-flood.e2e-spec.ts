import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { bootstrap, postJson, SEED_REQUEST, TestStack } from '@app/testing';

jest.setTimeout(180_000);

const LIMIT = 20;

/**
 * Unauthenticated work is bounded (issue: 600 logins with random e-mails saturated both cores for
 * 11 s, each left a row for ever, and five wrong guesses from anywhere locked the admin out).
 * The gateway trusts X-Forwarded-For from 127.0.0.1 here (TRUST_PROXY), so one test process
 * plays many clients.
 */
describe('Login and bootstrap under a flood (end to end)', () => {
  let stack: TestStack;
  const login = (from: string, email: string, password: string) =>
    postJson(`${stack.gatewayUrl}/api/v3/auth/login`, { email, password }, { 'x-forwarded-for': from });
  const rows = async () => (await stack.db.query<{ n: number }>('SELECT count(*)::int AS n FROM user_service.login_attempts'))[0].n;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_login_flood', env: { UNAUTHENTICATED_RATE_LIMIT: String(LIMIT), TRUST_PROXY: '127.0.0.1' } });
    expect((await bootstrap(stack.gatewayUrl)).status).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  describe('the per-address limit of the gateway', () => {
    it(`answers the requests past ${LIMIT} a minute from one address 429 in the envelope with Retry-After, before any work`, async () => {
      const statuses: number[] = [];
      let refused: Awaited<ReturnType<typeof login>> | undefined;
      for (let i = 0; i < LIMIT + 3; i += 1) {
        const result = await login('203.0.113.9', `nobody-${i}@example.com`, 'wrong-password');
        statuses.push(result.status);
        if (result.status === 429) refused ??= result;
      }
      expect(statuses.slice(0, LIMIT).every((s) => s === 400)).toBe(true);
      expect(statuses.slice(LIMIT)).toEqual([429, 429, 429]);
      expect(refused!.body).toMatchObject({ statusCode: 429, error: 'RateLimitExceeded', reqId: refused!.headers.get('x-request-id') });
      expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused!.headers.get('x-ratelimit-remaining')).toBeNull();
    });

    it('counts each address on its own', async () => {
      expect((await login('203.0.113.10', 'nobody@example.com', 'wrong-password')).status).toBe(400);
    });

    it('limits bootstrap the same way', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT + 1; i += 1) {
        statuses.push((await postJson(`${stack.gatewayUrl}/api/v1/admin/bootstrap`, SEED_REQUEST, { 'x-forwarded-for': '203.0.113.11' })).status);
      }
      expect(statuses.slice(0, LIMIT).every((s) => s === 400)).toBe(true);
      expect(statuses[LIMIT]).toBe(429);
    });
  });

  it("a stranger's five wrong guesses lock the stranger's address out of the admin account, not the admin", async () => {
    for (let i = 0; i < 5; i += 1) expect((await login('198.51.100.66', SEED_REQUEST.email, 'not-the-password')).status).toBe(400);
    const locked = await login('198.51.100.66', SEED_REQUEST.email, SEED_REQUEST.password);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('300');
    expect((await login('192.0.2.1', SEED_REQUEST.email, SEED_REQUEST.password)).status).toBe(200);
  });

  describe('600 logins with random e-mails, 40 at once, from 600 addresses', () => {
    const statuses: number[] = [];
    const healthMs: number[] = [];
    const healthStatuses: number[] = [];
    let adminTries = 0;
    let adminStatus = 0;
    let rowsBefore = 0;

    beforeAll(async () => {
      rowsBefore = await rows();
      let next = 0;
      let flooding = true;
      const worker = async () => {
        while (next < 600) {
          const i = next++;
          const result = await login(`10.1.${Math.floor(i / 250)}.${i % 250}`, `flood-${i}-${Math.random()}@example.com`, 'a-wrong-password');
          statuses.push(result.status);
        }
      };
      const health = async () => {
        while (flooding) {
          const started = performance.now();
          healthStatuses.push((await fetch(`${stack.gatewayUrl}/api/health`)).status);
          healthMs.push(performance.now() - started);
          await sleep(250);
        }
      };
      // The admin signs in meanwhile, from an address of its own, honouring Retry-After.
      const admin = async () => {
        await sleep(500);
        for (adminTries = 1; adminTries <= 20; adminTries += 1) {
          const result = await login('192.0.2.2', SEED_REQUEST.email, SEED_REQUEST.password);
          adminStatus = result.status;
          if (result.status !== 429) return;
          await sleep(Number(result.headers.get('retry-after') ?? 1) * 1000);
        }
      };
      const watching = health();
      await Promise.all([...Array.from({ length: 40 }, worker), admin()]);
      flooding = false;
      await watching;
    });

    it('answers each one 400 (checked) or 429 (too many at once, told to retry): no 5xx, no backlog', () => {
      expect(statuses).toHaveLength(600);
      expect(statuses.filter((s) => s !== 400 && s !== 429)).toEqual([]);
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    });

    it('lets the admin in', () => {
      expect(adminStatus).toBe(200);
    });

    it('keeps /api/health answering 200, each within two seconds', () => {
      expect(healthStatuses.length).toBeGreaterThan(0);
      expect(healthStatuses.filter((s) => s !== 200)).toEqual([]);
      expect(Math.max(...healthMs)).toBeLessThan(2_000);
    });

    it('leaves a login_attempts row only for the attempts that were checked, none for those refused', async () => {
      expect((await rows()) - rowsBefore).toBe(statuses.filter((s) => s === 400).length);
    });
  });
});
