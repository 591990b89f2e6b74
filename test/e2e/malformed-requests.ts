import { fetchExchange, HttpExchange, rawExchange } from './http-exchange';

/**
 * Malformed requests across the public routes, each with what the gateway must answer.
 * Every password sent starts with PASSWORD_MARK, so an echo of any of them can be searched for.
 */
export const PASSWORD_MARK = 'Never-E';
const SECRET = `${PASSWORD_MARK}cho-This-Pa55word`;
const VALID = { email: 'admin@example.com', password: SECRET, organization: 'dog' };
type Field = keyof typeof VALID;
const FIELDS: Field[] = ['email', 'password', 'organization'];

export interface Target {
  baseUrl: string;
  port: number;
}

export interface MalformedCase {
  name: string;
  send: (target: Target) => Promise<HttpExchange>;
  status: number;
  error: string;
  /** The exact message, for the string messages we choose. */
  message?: string;
  /** For 422: the distinct paths (joined with '.') of the issues, in order; '' is the body itself. */
  issues?: string[];
}

const BOOTSTRAP = '/api/v1/admin/bootstrap';
const PARSER = {
  empty: 'Request body is empty',
  notUtf8: 'Request body is not valid UTF-8',
  notJson: 'Request body is not valid JSON',
  forbidden: 'Request body has a forbidden key (__proto__ or constructor.prototype)',
  duplicate: (path: string) => `Request body has a duplicate key: ${path}`,
};
const TOO_LARGE = 'Request body is larger than 64 KiB';
const UNSUPPORTED = 'Unsupported content type: send application/json';
const HEADERS_TOO_LARGE = 'Request headers are too large';
const MALFORMED_HTTP = 'Malformed HTTP request';

/** A password of exactly n characters, starting with the mark. */
const password = (n: number) => (SECRET + 'x'.repeat(Math.max(0, n - SECRET.length))).slice(0, n);
const emailOfLength = (n: number) => `${'a'.repeat(n - '@example.com'.length)}@example.com`;

const post = (body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }) => (t: Target) =>
  fetchExchange(`${t.baseUrl}${BOOTSTRAP}`, { method: 'POST', headers, body });
const postJson = (value: unknown, headers: Record<string, string> = {}) =>
  post(JSON.stringify(value), { 'content-type': 'application/json', ...headers });
const request = (method: string, path: string) => (t: Target) => fetchExchange(`${t.baseUrl}${path}`, { method });
const raw = (text: string) => (t: Target) => rawExchange(t.port, text);

const invalid = (name: string, body: unknown, issues: string[]): MalformedCase => ({
  name,
  send: postJson(body),
  status: 422,
  error: 'ValidationFailure',
  issues,
});
const badRequest = (name: string, send: MalformedCase['send'], message: string): MalformedCase => ({
  name,
  send,
  status: 400,
  error: 'BadRequest',
  message,
});
const notFound = (method: string, path: string): MalformedCase => ({
  name: `${method} ${path} (no such route)`,
  send: request(method, path),
  status: 404,
  error: 'NotFound',
  message: `Route ${method}:${path} not found`,
});
const unsupported = (name: string, send: MalformedCase['send']): MalformedCase => ({
  name,
  send,
  status: 415,
  error: 'UnsupportedMediaType',
  message: UNSUPPORTED,
});

const wrongTypes = FIELDS.flatMap((field) =>
  (
    [
      ['a number', 42],
      ['a boolean', true],
      ['null', null],
      ['an array', [VALID[field]]],
      ['an object', { value: VALID[field] }],
    ] as const
  ).map(([what, value]) => invalid(`${field} as ${what}`, { ...VALID, [field]: value }, [field])),
);

const missing = FIELDS.map((field) => {
  const { [field]: _gone, ...rest } = VALID;
  return invalid(`${field} missing`, rest, [field]);
});

/** A value at its bound is fine: sent beside an invalid field, only that field has an issue. */
const sizes: MalformedCase[] = [
  invalid('email of 254 characters (at the bound) beside a short password', { ...VALID, email: emailOfLength(254), password: password(7) }, ['password']),
  invalid('email of 255 characters', { ...VALID, email: emailOfLength(255) }, ['email']),
  invalid('password of 8 characters (at the bound) beside an empty organization', { ...VALID, password: password(8), organization: '' }, ['organization']),
  invalid('password of 7 characters', { ...VALID, password: password(7) }, ['password']),
  invalid('password of 7 characters once trimmed', { ...VALID, password: `  ${password(7)} \t` }, ['password']),
  invalid('password of 1024 characters once trimmed (at the bound) beside an empty organization', { ...VALID, password: ` ${password(1024)} `, organization: '' }, ['organization']),
  invalid('password of 1025 characters', { ...VALID, password: password(1025) }, ['password']),
  invalid('password of 1025 characters once trimmed', { ...VALID, password: `  ${password(1025)}  ` }, ['password']),
  invalid('organization of 64 characters (at the bound) beside a short password', { ...VALID, organization: 'o'.repeat(64), password: password(7) }, ['password']),
  invalid('organization of 65 characters', { ...VALID, organization: 'o'.repeat(65) }, ['organization']),
  invalid('organization empty', { ...VALID, organization: '' }, ['organization']),
  invalid('email of whitespace only', { ...VALID, email: '   ' }, ['email']),
  invalid('password of whitespace only', { ...VALID, password: ' \t'.repeat(8) }, ['password']),
  invalid('organization of whitespace only', { ...VALID, organization: ' \t\n ' }, ['organization']),
];

const controlCharacters = ['\u0000', '\u001b', '\u007f', '\u0085'].map((c) =>
  invalid(`organization with U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`, { ...VALID, organization: `do${c}g` }, ['organization']),
);

const validText = JSON.stringify(VALID);
const withBytes = (bytes: number[]) => Buffer.concat([Buffer.from(validText.slice(0, -2)), Buffer.from(bytes), Buffer.from('"}')]);
const depth = 30_000;
const bodyOfSize = (bytes: number) => {
  const base = JSON.stringify({ ...VALID, pad: '' });
  return base.replace('"pad":""', `"pad":"${'x'.repeat(bytes - base.length)}"`);
};

const jsonLevel: MalformedCase[] = [
  badRequest('invalid UTF-8: a 0xFF byte', post(withBytes([0xff])), PARSER.notUtf8),
  badRequest('invalid UTF-8: an overlong "/"', post(withBytes([0xc0, 0xaf])), PARSER.notUtf8),
  badRequest('invalid UTF-8: a truncated sequence', post(Buffer.concat([Buffer.from(validText), Buffer.from([0xe2, 0x82])])), PARSER.notUtf8),
  badRequest('a duplicate key at the top level', post(`${validText.slice(0, -1)},"email":"other@example.com"}`), PARSER.duplicate('email')),
  badRequest('a duplicate key spelled with an escape', post(`${validText.slice(0, -1)},"\\u006frganization":"cat"}`), PARSER.duplicate('organization')),
  badRequest('a duplicate key in a nested object', post(`${validText.slice(0, -1)},"domain":{"a":1,"a":2}}`), PARSER.duplicate('domain.a')),
  badRequest('a __proto__ key', post('{"__proto__":{"x":1}}'), PARSER.forbidden),
  badRequest('a nested constructor.prototype key', post(`${validText.slice(0, -1)},"domain":{"constructor":{"prototype":{}}}}`), PARSER.forbidden),
  {
    name: 'email as 30 000 nested arrays',
    send: post(`{"email":${'['.repeat(depth)}${']'.repeat(depth)},"password":"${SECRET}","organization":"dog"}`),
    status: 422,
    error: 'ValidationFailure',
    issues: ['email'],
  },
  {
    name: 'organization as 10 000 nested objects',
    send: post(`{"email":"admin@example.com","password":"${SECRET}","organization":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`),
    status: 422,
    error: 'ValidationFailure',
    issues: ['organization'],
  },
  badRequest('trailing garbage after the JSON', post(`${validText}garbage`), PARSER.notJson),
  badRequest('two JSON objects', post(`${validText}${validText}`), PARSER.notJson),
  badRequest('truncated JSON', post(`{"password":"${SECRET}",`), PARSER.notJson),
  badRequest('an empty body with a JSON content type', post(''), PARSER.empty),
  badRequest('a body of whitespace only', post(' \n '), PARSER.notJson),
  invalid('a JSON string as the body', 'admin@example.com', ['']),
  invalid('a JSON number as the body', 42, ['']),
  invalid('JSON null as the body', null, ['']),
  invalid('JSON true as the body', true, ['']),
  invalid('a JSON array as the body', [VALID], ['']),
];

const transport: MalformedCase[] = [
  unsupported('text/plain', post(validText, { 'content-type': 'text/plain' })),
  unsupported('a form', post(`email=a&password=${SECRET}`, { 'content-type': 'application/x-www-form-urlencoded' })),
  unsupported('multipart', post(`--b\r\nContent-Disposition: form-data; name="password"\r\n\r\n${SECRET}\r\n--b--\r\n`, { 'content-type': 'multipart/form-data; boundary=b' })),
  unsupported('application/xml', post(`<bootstrap><password>${SECRET}</password></bootstrap>`, { 'content-type': 'application/xml' })),
  unsupported('a body with no content type', post(new TextEncoder().encode(validText), {})),
  unsupported('a JSON-like content type that is not JSON', post(validText, { 'content-type': 'application/json-patch+json' })),
  { name: 'a body over 64 KiB', send: post(bodyOfSize(64 * 1024 + 1)), status: 413, error: 'PayloadTooLarge', message: TOO_LARGE },
  {
    name: 'a chunked body over 64 KiB (no Content-Length)',
    send: (t) => {
      const bytes = new TextEncoder().encode(bodyOfSize(70_000));
      const body = new ReadableStream({ start: (c) => (c.enqueue(bytes), c.close()) });
      return fetchExchange(`${t.baseUrl}${BOOTSTRAP}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    },
    status: 413,
    error: 'PayloadTooLarge',
    message: TOO_LARGE,
  },
];

const idempotencyKeys: MalformedCase[] = [
  ['an Idempotency-Key of 129 characters', 'k'.repeat(129)],
  ['an empty Idempotency-Key', ''],
  ['an Idempotency-Key with a tab', 'ci\trun'],
  ['an Idempotency-Key with a Latin-1 letter', 'clé'],
].map(([name, key]) => ({ name, send: postJson(VALID, { 'idempotency-key': key }), status: 422, error: 'ValidationFailure', issues: ['Idempotency-Key'] }));

const routes: MalformedCase[] = [
  notFound('GET', BOOTSTRAP),
  notFound('PUT', BOOTSTRAP),
  notFound('DELETE', BOOTSTRAP),
  notFound('POST', '/api/v1/admin/config'),
  notFound('PATCH', '/api/v1/admin/config'),
  notFound('POST', '/api/status'),
  notFound('DELETE', '/api/health'),
  notFound('GET', '/api/status/'),
  notFound('GET', '/api/v1/nothing-here'),
  notFound('PROPFIND', '/api/status'),
  badRequest('a URL that cannot be decoded', request('GET', '/api/status/%zz'), 'Malformed request URL'),
];

const rawPost = (headers: string, body: string) =>
  `POST ${BOOTSTRAP} HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`;

const beforeRouting: MalformedCase[] = [
  { name: 'a 20 KiB header on GET /api/status', send: raw(`GET /api/status HTTP/1.1\r\nHost: gateway\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\n\r\n`), status: 431, error: 'RequestHeaderFieldsTooLarge', message: HEADERS_TOO_LARGE },
  { name: 'a 20 KiB header on GET /api/health', send: raw(`GET /api/health HTTP/1.1\r\nHost: gateway\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\n\r\n`), status: 431, error: 'RequestHeaderFieldsTooLarge', message: HEADERS_TOO_LARGE },
  { name: 'a 20 KiB header on bootstrap, with a password in the body', send: raw(rawPost(`X-Padding: ${'a'.repeat(20 * 1024)}\r\n`, validText)), status: 431, error: 'RequestHeaderFieldsTooLarge', message: HEADERS_TOO_LARGE },
  { name: 'a 20 KiB URL', send: raw(`GET /api/v1/admin/config?${'q'.repeat(20 * 1024)} HTTP/1.1\r\nHost: gateway\r\n\r\n`), status: 431, error: 'RequestHeaderFieldsTooLarge', message: HEADERS_TOO_LARGE },
  badRequest('a request line of garbage', raw('\u0001\u0002 garbage\r\n\r\n'), MALFORMED_HTTP),
  badRequest('an unknown method token', raw('BREW /api/status HTTP/1.1\r\nHost: gateway\r\n\r\n'), MALFORMED_HTTP),
  badRequest('an unknown HTTP version', raw('GET /api/status HTTP/9.9\r\nHost: gateway\r\n\r\n'), MALFORMED_HTTP),
  badRequest('a header name with a space', raw('GET /api/v1/admin/config HTTP/1.1\r\nHost: gateway\r\nBad Header: x\r\n\r\n'), MALFORMED_HTTP),
  badRequest('both Content-Length and Transfer-Encoding, with a password', raw(rawPost('Transfer-Encoding: chunked\r\n', validText)), MALFORMED_HTTP),
];

export const MALFORMED_REQUESTS: MalformedCase[] = [
  ...wrongTypes,
  ...missing,
  ...sizes,
  ...controlCharacters,
  ...jsonLevel,
  ...transport,
  ...idempotencyKeys,
  ...routes,
  ...beforeRouting,
];
