import { CanActivate, Controller, INestMicroservice, Injectable, Module, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern } from '@nestjs/microservices';
import { connect, ErrorCode, headers, JSONCodec, NatsConnection, NatsError } from 'nats';
import { TestNatsServer, waitFor } from '@app/testing';
import { BusHeaders } from '@app/contracts';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { currentCorrelationId, InFlight, InFlightInterceptor, metrics, PrincipalSigner, PrincipalVerifier } from '@app/common';
import { GracefulServerNats } from '@app/database';

jest.setTimeout(30_000);

const codec = JSONCodec<any>();

/** A handler the test holds open: it runs until `release()`. */
class Gate {
  entered!: Promise<void>;
  release!: () => void;
  private enter!: () => void;
  private released!: Promise<void>;

  constructor() {
    this.entered = new Promise((resolve) => (this.enter = resolve));
    this.released = new Promise((resolve) => (this.release = resolve));
  }

  async pass(): Promise<void> {
    this.enter();
    await this.released;
  }
}

let gate: Gate;
/** How many times the `test.cmd.count` handler ran. */
let counted = 0;
/** The correlation id a guard and the handler saw, for the last `test.cmd.who` command. */
const seen: { guard?: string; handler?: string } = {};

@Injectable()
class RecordingGuard implements CanActivate {
  canActivate(): boolean {
    seen.guard = currentCorrelationId();
    return true;
  }
}

@Controller()
class SlowController {
  @MessagePattern('test.cmd.slow')
  async slow(): Promise<string> {
    await gate.pass();
    return 'done';
  }

  @MessagePattern('test.cmd.count')
  count(): number {
    counted += 1;
    return counted;
  }

  @MessagePattern('test.cmd.who')
  @UseGuards(RecordingGuard)
  async who(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    seen.handler = currentCorrelationId();
    return 'ok';
  }
}

@Module({ controllers: [SlowController], providers: [RecordingGuard] })
class SlowModule {}

const keys = generateKeyPairSync('ed25519');
const signer = new PrincipalSigner(keys.privateKey);

async function startService(nats: TestNatsServer, drainTimeoutMs: number): Promise<INestMicroservice> {
  const inFlight = new InFlight();
  const principals = new PrincipalVerifier(keys.publicKey);
  const strategy = new GracefulServerNats({ servers: [nats.url], queue: 'test-service' }, { inFlight, drainTimeoutMs, principals });
  const app = await NestFactory.createMicroservice(SlowModule, { strategy, logger: false });
  app.useGlobalInterceptors(new InFlightInterceptor(inFlight));
  await app.listen();
  return app;
}

/** Sends a command in Nest's packet format; resolves to the reply's response or the NATS error code. */
async function send(nc: NatsConnection, timeoutMs = 5_000): Promise<string> {
  try {
    const reply = await nc.request('test.cmd.slow', codec.encode({ pattern: 'test.cmd.slow', data: {}, id: 'x' }), { timeout: timeoutMs });
    return codec.decode(reply.data).response;
  } catch (error) {
    if (error instanceof NatsError) return error.code;
    throw error;
  }
}

describe(GracefulServerNats.name, () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    // Subjects of its own (test.cmd.*): a server without users or permissions.
    nats = await TestNatsServer.start({ permissions: false });
    nc = await connect({ servers: nats.url });
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.destroy();
  });

  describe('close() while a handler runs', () => {
    let app: INestMicroservice;
    let running: Promise<string>;
    let closed: boolean;
    let closing: Promise<void>;

    beforeAll(async () => {
      gate = new Gate();
      app = await startService(nats, 10_000);
      // Long enough to outlive the tests below, which hold the handler until the last one.
      running = send(nc, 20_000);
      await gate.entered;
      closed = false;
      closing = app.close().then(() => {
        closed = true;
      });
    });

    afterAll(async () => {
      gate.release();
      await closing;
    });

    it('answers "no responders" to a new command once closing has begun', async () => {
      // close() unsubscribes over the service's own connection: a command sent on ours in the
      // same instant may still reach the handler (and wait on the gate like the first). Each try
      // is short; "no responders" must come within a moment, not at the end of a timeout.
      const answer = await waitFor('no responders', async () => {
        const code = await send(nc, 250);
        return code === ErrorCode.NoResponders ? code : undefined;
      }, { timeoutMs: 3_000, intervalMs: 10 });
      expect(answer).toBe(ErrorCode.NoResponders);
    });

    it('keeps the connection open while the handler runs', async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(closed).toBe(false);
    });

    it('delivers the running handler’s reply, then closes', async () => {
      gate.release();
      await expect(running).resolves.toBe('done');
      await closing;
      expect(closed).toBe(true);
    });
  });

  it("runs guards and the handler in the sender's correlation id", async () => {
    const app = await startService(nats, 1_000);
    const h = headers();
    h.set(BusHeaders.correlationId, 'req-correlated');
    await nc.request('test.cmd.who', codec.encode({ pattern: 'test.cmd.who', data: {}, id: 'w' }), { timeout: 5_000, headers: h });
    await app.close();
    expect(seen).toEqual({ guard: 'req-correlated', handler: 'req-correlated' });
  });

  describe('messages that are not commands', () => {
    let app: INestMicroservice;
    const encoder = new TextEncoder();
    const packet = (extra: object) => encoder.encode(JSON.stringify({ pattern: 'test.cmd.count', data: {}, ...extra }));
    /** Sends raw bytes as a request (a reply subject), or published (none); never waits long for an answer that should not come. */
    const raw = async (data: Uint8Array, options: { request?: boolean; headers?: ReturnType<typeof headers> } = {}) => {
      if (options.request === false) {
        nc.publish('test.cmd.count', data, { headers: options.headers });
        await nc.flush();
        return 'published';
      }
      return nc.request('test.cmd.count', data, { timeout: 300, headers: options.headers }).then(
        (m) => codec.decode(m.data),
        (error: NatsError) => error.code,
      );
    };
    const dropped = async (reason: string) =>
      (await metrics.busMessagesDropped.get()).values.find((v) => v.labels.subject === 'test.cmd.count' && v.labels.reason === reason)?.value ?? 0;

    beforeAll(async () => {
      app = await startService(nats, 1_000);
      counted = 0;
    });

    afterAll(async () => {
      await app.close();
    });

    it.each([
      ['empty', new Uint8Array(0), 'not-json'],
      ['not JSON', encoder.encode('{"pattern":'), 'not-json'],
      ['not UTF-8', Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]), 'not-json'],
      ['nested deep, within the size', encoder.encode('['.repeat(60_000) + ']'.repeat(60_000)), 'not-a-request'],
      ['a JSON array', encoder.encode('[1,2]'), 'not-a-request'],
      ['a JSON string', encoder.encode('"test.cmd.count"'), 'not-a-request'],
      ['without Nest\'s id (an event, a JetStream delivery)', packet({}), 'not-a-request'],
      ['with an id that is not a string', packet({ id: 7 }), 'not-a-request'],
      ['for another subject', encoder.encode(JSON.stringify({ pattern: 'test.cmd.who', data: {}, id: 'x' })), 'wrong-subject'],
      ['of megabytes', encoder.encode(JSON.stringify({ pattern: 'test.cmd.count', data: { pad: 'x'.repeat(900_000) }, id: 'x' })), 'too-large'],
    ])('drops a request %s: no answer, the handler never runs, counted', async (_what, data, reason) => {
      const before = await dropped(reason);
      expect(await raw(data)).toBe(ErrorCode.Timeout);
      expect(counted).toBe(0);
      expect(await dropped(reason)).toBe(before + 1);
    });

    it('drops a well-formed command that nobody waits on (no reply subject): the handler never runs', async () => {
      const before = await dropped('no-reply');
      await raw(packet({ id: 'fire-and-forget' }), { request: false });
      await waitFor('counted', async () => ((await dropped('no-reply')) === before + 1 ? true : undefined));
      expect(counted).toBe(0);
    });

    it('drops a NATS status message (503, no body)', async () => {
      const before = await dropped('no-reply');
      await raw(new Uint8Array(0), { request: false, headers: headers(503, 'No Responders') });
      await waitFor('counted', async () => ((await dropped('no-reply')) === before + 1 ? true : undefined));
      expect(await raw(new Uint8Array(0), { headers: headers(404, 'No Messages') })).toBe(ErrorCode.Timeout);
    });

    it('is still up and answers a real command after all of them, once', async () => {
      expect(await raw(packet({ id: 'real' }))).toMatchObject({ id: 'real', response: 1 });
      expect(counted).toBe(1);
    });
  });

  describe('commands made for a caller', () => {
    let app: INestMicroservice;
    const who = { type: 'identity' as const, id: randomUUID(), orgId: randomUUID(), isInstanceAdmin: false, tokenId: randomUUID() };
    const send = async (caller: unknown, correlationId = 'req-1') => {
      const h = headers();
      h.set(BusHeaders.correlationId, correlationId);
      const reply = await nc.request('test.cmd.count', codec.encode({ pattern: 'test.cmd.count', id: 'c', data: { caller } }), { timeout: 2_000, headers: h });
      return codec.decode(reply.data);
    };
    const REFUSED = { err: { code: 'BUS.CALLER_UNVERIFIED', message: expect.any(String) } };

    beforeAll(async () => {
      app = await startService(nats, 1_000);
    });

    afterAll(async () => {
      await app.close();
    });

    beforeEach(() => {
      counted = 0;
    });

    it('runs the handler for a caller signed for this request', async () => {
      expect(await send(signer.sign(who, 'req-1'))).toMatchObject({ response: 1 });
    });

    it.each([
      ['unsigned (the principal as the gateway used to send it)', () => who],
      ['made an instance admin after signing', () => ({ ...signer.sign(who, 'req-1'), isInstanceAdmin: true })],
      ['signed for another request', () => signer.sign(who, 'req-other')],
      ['expired', () => signer.sign(who, 'req-1', Date.now() - 61_000)],
      ['signed with another key', () => new PrincipalSigner(generateKeyPairSync('ed25519').privateKey).sign(who, 'req-1')],
      ['with a signature of the wrong size', () => ({ ...signer.sign(who, 'req-1'), signature: 'AAAA' })],
      ['a string', () => 'caller'],
    ])('refuses a caller %s: BUS.CALLER_UNVERIFIED, and the handler never runs', async (_what, caller) => {
      expect(await send(caller())).toMatchObject(REFUSED);
      expect(counted).toBe(0);
    });
  });

  it('closes at the drain timeout when a handler never finishes', async () => {
    gate = new Gate();
    const app = await startService(nats, 200);
    const running = send(nc, 3_000);
    await gate.entered;
    await app.close();
    await expect(running).resolves.toBe(ErrorCode.Timeout);
    gate.release();
  });
});
