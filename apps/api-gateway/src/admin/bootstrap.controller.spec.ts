import { BootstrapStartReply, ErrorCodes, Subjects } from '@app/contracts';
import { BusClient, BusRemoteError, BusUnavailableError, INITIALIZED_MEMORY_MS } from '@app/common';
import { loadConfig } from '@app/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http/http-error';
import { BootstrapController } from './bootstrap.controller';

const BODY = { email: 'admin@example.com', password: 'your-secure-password', organization: 'dog' };
const REPLY: BootstrapStartReply = { response: {} as BootstrapStartReply['response'], timings: [] };

function controllerWithBus() {
  const send = jest.fn().mockResolvedValue(REPLY);
  const controller = new BootstrapController({ send } as unknown as BusClient, loadConfig({}));
  const call = (headers: Record<string, string>) =>
    controller.bootstrap(BODY, { id: 'req-test', headers } as unknown as FastifyRequest, { header: jest.fn() } as unknown as FastifyReply);
  return { send, call };
}

describe(BootstrapController.name, () => {
  it('passes the Idempotency-Key to the orchestrator as idempotencyKey', async () => {
    const { send, call } = controllerWithBus();
    await call({ 'idempotency-key': 'ci-run-4711' });
    expect(send).toHaveBeenCalledWith(Subjects.bootstrap.start, { ...BODY, idempotencyKey: 'ci-run-4711' }, expect.anything());
  });

  it('sends no idempotencyKey without the header', async () => {
    const { send, call } = controllerWithBus();
    await call({});
    expect(JSON.parse(JSON.stringify(send.mock.calls[0][1]))).toStrictEqual(BODY);
  });

  it('sends nothing on the bus for an invalid Idempotency-Key', async () => {
    const { send, call } = controllerWithBus();
    await expect(call({ 'idempotency-key': 'k'.repeat(129) })).rejects.toBeInstanceOf(HttpError);
    expect(send).not.toHaveBeenCalled();
  });

  describe('once the instance is known to be initialized', () => {
    const refusal = new BusRemoteError(Subjects.bootstrap.start, { code: ErrorCodes.instanceAlreadyInitialized, message: 'Instance has already been set up' });

    it('refuses a bootstrap without Idempotency-Key itself, with the orchestrator\'s error, after the orchestrator said so once', async () => {
      const { send, call } = controllerWithBus();
      send.mockRejectedValueOnce(refusal);
      await expect(call({})).rejects.toBe(refusal);
      await expect(call({})).rejects.toMatchObject({ code: ErrorCodes.instanceAlreadyInitialized, message: 'Instance has already been set up' });
      expect(send).toHaveBeenCalledTimes(1);
    });

    it('after its own successful bootstrap', async () => {
      const { send, call } = controllerWithBus();
      await call({});
      await expect(call({})).rejects.toBeInstanceOf(BusRemoteError);
      expect(send).toHaveBeenCalledTimes(1);
    });

    it('still sends a bootstrap with an Idempotency-Key to the orchestrator, which may re-claim', async () => {
      const { send, call } = controllerWithBus();
      await call({});
      await call({ 'idempotency-key': 'ci-run-4711' });
      expect(send).toHaveBeenCalledTimes(2);
    });

    it('asks the orchestrator again once its memory is older than INITIALIZED_MEMORY_MS', async () => {
      const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
      try {
        const { send, call } = controllerWithBus();
        await call({});
        now.mockReturnValue(1_000_000 + INITIALIZED_MEMORY_MS - 1);
        await expect(call({})).rejects.toBeInstanceOf(BusRemoteError);
        expect(send).toHaveBeenCalledTimes(1);
        now.mockReturnValue(1_000_000 + INITIALIZED_MEMORY_MS);
        await call({});
        expect(send).toHaveBeenCalledTimes(2);
      } finally {
        now.mockRestore();
      }
    });

    it('learns nothing from other failures', async () => {
      const { send, call } = controllerWithBus();
      send.mockRejectedValueOnce(new BusUnavailableError(Subjects.bootstrap.start));
      await expect(call({})).rejects.toBeInstanceOf(BusUnavailableError);
      await call({});
      expect(send).toHaveBeenCalledTimes(2);
    });
  });
});
