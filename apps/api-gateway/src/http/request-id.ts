import { randomFillSync } from 'node:crypto';

const ID_BYTES = 12;
/** Random bytes for 256 ids at a time: one call into OpenSSL per 256 requests, not one each. */
const pool = Buffer.alloc(ID_BYTES * 256);
let offset = pool.length;

/** WIRE: `req-…`, Infisical's shape. Generated here; an incoming x-request-id is not trusted. */
export function newRequestId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += ID_BYTES;
  return `req-${pool.toString('base64url', offset - ID_BYTES, offset)}`;
}
