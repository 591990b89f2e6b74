import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-error';
import { findKeyProblem } from './json-key-scanner';

/**
 * WIRE: the 400 messages of a refused JSON body. They are fixed (a key path at most) and never
 * quote the body, which may hold a password; the error envelope passes them through as they are.
 */
export const JsonBodyMessages = {
  empty: 'Request body is empty',
  notUtf8: 'Request body is not valid UTF-8',
  notJson: 'Request body is not valid JSON',
  forbiddenKey: 'Request body has a forbidden key (__proto__ or constructor.prototype)',
  duplicateKey: (path: string) => `Request body has a duplicate key: ${path}`,
} as const;

// fatal: a malformed byte is an error, not silently replaced with U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

const refused = (message: string) => new HttpError(400, 'BadRequest', message);

/** Strict JSON: UTF-8 only, one value, no duplicate keys, no prototype-poisoning keys. Throws a 400 HttpError. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw refused(JsonBodyMessages.empty);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw refused(JsonBodyMessages.notUtf8);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw refused(JsonBodyMessages.notJson);
  }
  const problem = findKeyProblem(text);
  if (problem?.kind === 'forbidden') throw refused(JsonBodyMessages.forbiddenKey);
  if (problem?.kind === 'duplicate') throw refused(JsonBodyMessages.duplicateKey(problem.path));
  return value;
}

/** Fastify's content-type parser signature; registered with `parseAs: 'buffer'`. */
export function jsonBodyParser(_request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: unknown) => void): void {
  let value: unknown;
  try {
    value = parseJsonBody(body);
  } catch (error) {
    done(error as Error, undefined);
    return;
  }
  done(null, value);
}
