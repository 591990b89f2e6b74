import { ArgumentsHost, BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { ErrorEnvelopeFilter } from './error-envelope.filter';
import { HttpError } from './http-error';
import { JsonBodyMessages } from './json-body-parser';

/** What the filter sends for this exception: status, headers and body. */
function answerTo(exception: unknown) {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as any };
  const reply = {
    status: (s: number) => ((sent.status = s), reply),
    header: (k: string, v: string) => ((sent.headers[k] = v), reply),
    send: (b: unknown) => ((sent.body = b), reply),
  };
  const request = { id: 'req-test', method: 'POST', url: '/api/v1/admin/bootstrap?x=1' };
  const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }) } as unknown as ArgumentsHost;
  new ErrorEnvelopeFilter().catch(exception, host);
  return sent;
}

describe(ErrorEnvelopeFilter.name, () => {
  it('answers an HttpError in the envelope, as it is', () => {
    expect(answerTo(new HttpError(401, 'UnauthorizedError', 'X-Bootstrap-Key is not valid')).body).toStrictEqual({
      reqId: 'req-test',
      statusCode: 401,
      message: 'X-Bootstrap-Key is not valid',
      error: 'UnauthorizedError',
    });
  });

  it('sends the headers that go with an error (Retry-After on a 429)', () => {
    const sent = answerTo(new HttpError(429, 'RateLimitExceeded', 'Too many', {}, { 'retry-after': '1' }));
    expect(sent).toMatchObject({ status: 429, headers: { 'retry-after': '1', 'x-request-id': 'req-test' } });
  });

  it("passes the JSON body parser's messages through", () => {
    const answer = answerTo(new HttpError(400, 'BadRequest', JsonBodyMessages.duplicateKey('user.name')));
    expect(answer.body).toMatchObject({ statusCode: 400, error: 'BadRequest', message: 'Request body has a duplicate key: user.name' });
  });

  it('sets x-request-id to the reqId', () => {
    expect(answerTo(new HttpError(400, 'BadRequest', 'x')).headers).toEqual({ 'x-request-id': 'req-test' });
  });

  it("replaces a framework 400's own message, which may quote the request", () => {
    const answer = answerTo(new BadRequestException('Unexpected token in {"password":"hunter2-secret"'));
    expect(answer.status).toBe(400);
    expect(answer.body).toStrictEqual({ reqId: 'req-test', statusCode: 400, message: 'Malformed request', error: 'BadRequest' });
  });

  it.each([
    [413, 'PayloadTooLarge', 'Request body is larger than 64 KiB'],
    [415, 'UnsupportedMediaType', 'Unsupported content type: send application/json'],
  ])('answers a framework %i with a fixed message', (status, error, message) => {
    expect(answerTo(new HttpException('hunter2-secret', status)).body).toMatchObject({ statusCode: status, error, message });
  });

  it('names the route of a 404 without its query string', () => {
    expect(answerTo(new NotFoundException()).body).toMatchObject({ statusCode: 404, error: 'NotFound', message: 'Route POST:/api/v1/admin/bootstrap not found' });
  });

  it('answers anything else with a 500 that says nothing about it', () => {
    const answer = answerTo(new Error('connect ECONNREFUSED db.internal:5432 SELECT password_hash'));
    expect(answer.body).toStrictEqual({ reqId: 'req-test', statusCode: 500, message: 'Something went wrong', error: 'InternalServerError' });
  });
});
