import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { frameworkErrorHandler } from './framework-error-handler';

function answerTo(error: Partial<FastifyError>) {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as any };
  const reply = {
    status: (s: number) => ((sent.status = s), reply),
    header: (k: string, v: string) => ((sent.headers[k] = v), reply),
    send: (b: unknown) => ((sent.body = b), reply),
  };
  frameworkErrorHandler(
    Object.assign(new Error("'/api/status/%zz-hunter2' is not a valid url component"), error) as FastifyError,
    { id: 'req-test' } as FastifyRequest,
    reply as unknown as FastifyReply,
  );
  return sent;
}

describe(frameworkErrorHandler.name, () => {
  it('answers a URL the router cannot decode with 400 in the envelope', () => {
    const answer = answerTo({ code: 'FST_ERR_BAD_URL', statusCode: 400 });
    expect(answer.status).toBe(400);
    expect(answer.body).toStrictEqual({ reqId: 'req-test', statusCode: 400, message: 'Malformed request URL', error: 'BadRequest' });
  });

  it('sets x-request-id to the reqId', () => {
    expect(answerTo({ statusCode: 400 }).headers).toEqual({ 'x-request-id': 'req-test' });
  });

  it("keeps the framework's 4xx status", () => {
    expect(answerTo({ code: 'FST_ERR_MAX_PARAM_LENGTH', statusCode: 414 }).body).toMatchObject({ statusCode: 414, error: 'URITooLong' });
  });

  it('answers 400 when the framework gives no 4xx status', () => {
    expect(answerTo({ statusCode: 500 }).status).toBe(400);
  });

  it('never repeats the URL', () => {
    expect(JSON.stringify(answerTo({ statusCode: 400 }).body)).not.toContain('hunter2');
  });
});
