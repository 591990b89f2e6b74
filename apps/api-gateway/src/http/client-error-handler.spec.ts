import type { Socket } from 'node:net';
import type { ConnectionError } from 'fastify';
import { clientErrorHandler } from './client-error-handler';

const SECRET = 'hunter2-in-the-raw-packet';

function connectionError(code: string): ConnectionError {
  return Object.assign(new Error(`Parse Error: ${code}`), {
    code,
    bytesParsed: 10,
    rawPacket: { type: 'Buffer', data: [...Buffer.from(`POST / HTTP/1.1\r\nx-password: ${SECRET}\r\n`)] },
  });
}

function fakeSocket(state: Partial<{ writable: boolean; destroyed: boolean; headersSent: boolean }> = {}) {
  return {
    writable: state.writable ?? true,
    destroyed: state.destroyed ?? false,
    _httpMessage: state.headersSent === undefined ? null : { headersSent: state.headersSent },
    write: jest.fn(),
    destroy: jest.fn(),
  };
}

/** Runs the handler; returns the socket and what was written to it, if anything. */
function handle(code: string, socket = fakeSocket()) {
  clientErrorHandler(connectionError(code), socket as unknown as Socket);
  const written: string | undefined = socket.write.mock.calls[0]?.[0];
  return { socket, written };
}

/** Runs the handler and parses the response it wrote (fails the test if it wrote none). */
function answerTo(code: string) {
  const { socket, written } = handle(code);
  if (written === undefined) throw new Error(`nothing written for ${code}`);
  const [head, body] = written.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { socket, written, statusLine, headers, body, envelope: JSON.parse(body) };
}

describe(clientErrorHandler.name, () => {
  it('answers headers over the limit with 431 in the envelope', () => {
    const { statusLine, envelope } = answerTo('HPE_HEADER_OVERFLOW');
    expect(statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(envelope).toStrictEqual({
      reqId: expect.stringMatching(/^req-[\w-]{16}$/),
      statusCode: 431,
      message: 'Request headers are too large',
      error: 'RequestHeaderFieldsTooLarge',
    });
  });

  it.each(['HPE_INVALID_METHOD', 'HPE_INVALID_VERSION', 'HPE_INVALID_HEADER_TOKEN', 'HPE_SOMETHING_NEW'])(
    'answers %s with 400 Malformed HTTP request',
    (code) => {
      const { statusLine, envelope } = answerTo(code);
      expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
      expect(envelope).toMatchObject({ statusCode: 400, error: 'BadRequest', message: 'Malformed HTTP request' });
    },
  );

  it('answers a request that was too slow to arrive with 408', () => {
    expect(answerTo('ERR_HTTP_REQUEST_TIMEOUT').envelope).toMatchObject({ statusCode: 408, error: 'RequestTimeout' });
  });

  it('sends x-request-id equal to the reqId', () => {
    const { headers, envelope } = answerTo('HPE_HEADER_OVERFLOW');
    expect(headers['x-request-id']).toBe(envelope.reqId);
  });

  it('closes the connection', () => {
    const { headers, socket } = answerTo('HPE_HEADER_OVERFLOW');
    expect(headers.connection).toBe('close');
    expect(socket.destroy).toHaveBeenCalled();
  });

  it('gives the exact byte length of the body', () => {
    const { headers, body } = answerTo('HPE_INVALID_METHOD');
    expect(Number(headers['content-length'])).toBe(Buffer.byteLength(body));
  });

  it('sends JSON', () => {
    expect(answerTo('HPE_INVALID_METHOD').headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('generates a new reqId each time', () => {
    expect(answerTo('HPE_INVALID_METHOD').envelope.reqId).not.toBe(answerTo('HPE_INVALID_METHOD').envelope.reqId);
  });

  it('never repeats the request bytes', () => {
    expect(answerTo('HPE_HEADER_OVERFLOW').written).not.toContain(SECRET);
  });

  it.each(['ECONNRESET', 'EPIPE'])('only destroys the socket on %s', (code) => {
    const { socket, written } = handle(code);
    expect(written).toBeUndefined();
    expect(socket.destroy).toHaveBeenCalled();
  });

  it('writes nothing to a socket that is no longer writable', () => {
    const { socket, written } = handle('HPE_HEADER_OVERFLOW', fakeSocket({ writable: false }));
    expect(written).toBeUndefined();
    expect(socket.destroy).toHaveBeenCalled();
  });

  it('writes nothing to a socket already destroyed', () => {
    expect(handle('HPE_HEADER_OVERFLOW', fakeSocket({ destroyed: true })).written).toBeUndefined();
  });

  it('writes nothing into a response already under way on the connection', () => {
    const { socket, written } = handle('HPE_INVALID_METHOD', fakeSocket({ headersSent: true }));
    expect(written).toBeUndefined();
    expect(socket.destroy).toHaveBeenCalled();
  });

  it('answers when the previous response on the connection is not started', () => {
    expect(handle('HPE_INVALID_METHOD', fakeSocket({ headersSent: false })).written).toBeDefined();
  });
});
