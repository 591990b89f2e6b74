import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ConsumerMessages, JSONCodec, JsMsg, NatsConnection } from 'nats';
import { bootstrap, REPO_ROOT, TestStack } from '@app/testing';

jest.setTimeout(120_000);

const STREAM = 'BOOTSTRAP_EVENTS';
const SCHEMA_DIR = join(__dirname, '..', '..', 'libs', 'contracts', 'schemas');
const codec = JSONCodec<any>();

interface Event {
  seq: number;
  subject: string;
  data: any;
}

/** A subscriber as a user would write one: an ordered consumer, from the start of the stream, as events-reader. */
async function subscribe(nc: NatsConnection, filter?: string): Promise<{ events: Event[]; messages: ConsumerMessages; done: Promise<void> }> {
  // An ordered consumer starts at the stream's first message (sequence 1): everything, like
  // "deliver all". Setting deliver_policy: All here makes nats.js 2.29 also send opt_start_seq, which
  // the server refuses, and the client retries forever. A string filter: nats-server 2.9 hangs on an array.
  const consumer = await nc.jetstream({ checkAPI: false }).consumers.get(STREAM, filter === undefined ? {} : { filterSubjects: filter });
  const messages = await consumer.consume();
  const events: Event[] = [];
  const done = (async () => {
    for await (const m of messages as AsyncIterable<JsMsg>) events.push({ seq: m.seq, subject: m.subject, data: codec.decode(m.data) });
  })();
  return { events, messages, done };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The public events as a subscriber sees them: read as the read-only events-reader user from
 * real bootstraps (one rolled back, one completed), each validated against its committed JSON
 * Schema file, and exactly one bootstrap.evt.completed for a subscriber started before or after.
 */
describe('Public bootstrap events, as a subscriber sees them (end to end)', () => {
  let stack: TestStack;
  let reader: NatsConnection;
  let before: Awaited<ReturnType<typeof subscribe>>;
  let failed: Awaited<ReturnType<typeof bootstrap>>;
  let completed: Awaited<ReturnType<typeof bootstrap>>;

  beforeAll(async () => {
    stack = await TestStack.start({ name: 'e2e_events' });
    reader = await stack.natsAs('events-reader');
    // Subscribed and waiting before anything happened.
    before = await subscribe(reader, 'bootstrap.evt.completed');

    // A bootstrap that fails (user-service down) and is rolled back: bootstrap.evt.failed…
    const [users] = stack.app('user-service');
    await users.stop('SIGTERM');
    failed = await bootstrap(stack.gatewayUrl);
    await users.start();
    await stack.waitHealthy();
    // …then one that completes.
    completed = await bootstrap(stack.gatewayUrl);
  });

  afterAll(async () => {
    await before?.messages.close().catch(() => undefined);
    await reader?.close();
    await stack?.stop();
  });

  it('ran a failed bootstrap, then a completed one', () => {
    expect(failed.status).toBe(503);
    expect(completed.status).toBe(200);
  });

  it('every message of BOOTSTRAP_EVENTS is valid against its committed JSON Schema file', async () => {
    const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
    const validate = (subject: string) => {
      const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, `${subject}.v1.json`), 'utf8'));
      return ajv.getSchema(schema.$id) ?? ajv.compile(schema);
    };
    const jsm = await reader.jetstreamManager({ checkAPI: false });
    const lastSeq = (await jsm.streams.info(STREAM)).state.last_seq;
    const all = await subscribe(reader);
    await until('the whole stream', () => (all.events.at(-1)?.seq === lastSeq ? true : undefined));
    await all.messages.close();

    expect(all.events.map((e) => e.subject)).toEqual([
      'bootstrap.evt.started',
      'bootstrap.evt.failed',
      'bootstrap.evt.started',
      'bootstrap.evt.completed',
    ]);
    for (const event of all.events) {
      const check = validate(event.subject);
      const valid = check(event.data);
      expect({ subject: event.subject, errors: valid ? null : check.errors }).toEqual({ subject: event.subject, errors: null });
    }
    const [, failedEvent, , completedEvent] = all.events.map((e) => e.data);
    expect(failedEvent).toMatchObject({ failedStep: 'user', compensated: true });
    expect(completedEvent).toMatchObject({ user: { id: completed.body.user.id }, organization: { id: completed.body.organization.id } });
  });

  it('a subscriber started before the bootstrap sees exactly one bootstrap.evt.completed', async () => {
    const [event] = await until('the completed event', () => (before.events.length > 0 ? before.events : undefined));
    await sleep(1_000);
    expect(before.events).toHaveLength(1);
    expect(event.subject).toBe('bootstrap.evt.completed');
    expect(event.data.identity.id).toBe(completed.body.identity.id);
  });

  it('a subscriber started after the bootstrap sees exactly one bootstrap.evt.completed', async () => {
    const after = await subscribe(reader, 'bootstrap.evt.completed');
    try {
      await until('the completed event', () => (after.events.length > 0 ? true : undefined));
      await sleep(1_000);
      expect(after.events.map((e) => e.subject)).toEqual(['bootstrap.evt.completed']);
      expect(after.events[0].data).toEqual(before.events[0].data);
    } finally {
      await after.messages.close();
    }
  });

  it("the README's example subscriber, run as written with events-reader's credentials, prints the completed event", async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Events'), readme.indexOf('\n## CLI'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    expect(code).toContain("require('nats')");
    const env = { PATH: process.env.PATH ?? '', NATS_URL: stack.nats.url, ...stack.nats.credentials('events-reader') };
    expect(env).toMatchObject({ NATS_USER: 'events-reader', NATS_INBOX_PREFIX: '_INBOX_events-reader' });
    const child = spawn(process.execPath, ['-e', code!], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await until(`the example's output (stderr: ${err})`, () => (out.includes('\n') ? true : undefined));
      await sleep(500);
    } finally {
      child.kill('SIGTERM');
    }
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const [subject, json] = [lines[0].slice(0, lines[0].indexOf(' ')), lines[0].slice(lines[0].indexOf(' ') + 1)];
    expect(subject).toBe('bootstrap.evt.completed');
    expect(JSON.parse(json)).toEqual(before.events[0].data);
  });
});
