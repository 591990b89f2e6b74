import { randomBytes } from 'node:crypto';

/** WIRE: `req-…`, Infisical's shape. Generated here; an incoming x-request-id is not trusted. */
export function newRequestId(): string {
  return `req-${randomBytes(12).toString('base64url')}`;
}
