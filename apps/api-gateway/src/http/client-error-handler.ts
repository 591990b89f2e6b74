import { STATUS_CODES, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type { ConnectionError } from 'fastify';
import { envelope } from './http-error';
import { newRequestId } from './request-id';

/** WIRE: what Node's HTTP parser refused, by its error code; any other code is a malformed request. */
const REFUSALS: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: 'Request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'Request was not received in time' },
};
const MALFORMED = { status: 400, message: 'Malformed HTTP request' };

/** The peer is gone: there is nobody to answer. */
const QUIET_CODES = new Set(['ECONNRESET', 'EPIPE']);

const logger = new Logger('ClientError');

/**
 * Fastify's `clientErrorHandler`. Node refuses some requests before Fastify routes them (headers
 * over its limit, a malformed request line) and by default answers a bare status with no body.
 * We answer in the error envelope like everywhere else, then close the connection: the parser
 * can no longer tell where a next request would start.
 */
export function clientErrorHandler(error: ConnectionError, socket: Socket): void {
  if (QUIET_CODES.has(error.code) || socket.destroyed) {
    socket.destroy();
    return;
  }
  const reqId = newRequestId();
  const { status, message } = REFUSALS[error.code] ?? MALFORMED;
  // Never log error.rawPacket: it holds the request bytes, which may carry a password.
  logger.debug({ msg: 'Request refused by the HTTP parser', code: error.code, status, reqId });
  if (socket.writable && !responseStarted(socket)) socket.write(rawResponse(reqId, status, message));
  socket.destroy();
}

/** A response already under way on this connection must not be corrupted by a second one (as Node itself checks). */
function responseStarted(socket: Socket): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return inFlight?.headersSent === true;
}

function rawResponse(reqId: string, status: number, message: string): string {
  const body = JSON.stringify(envelope(reqId, status, message));
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${reqId}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}
