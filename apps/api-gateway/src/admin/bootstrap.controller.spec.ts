import { BootstrapStartReply, Subjects } from '@app/contracts';
import { BusClient } from '@app/common';
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
});
