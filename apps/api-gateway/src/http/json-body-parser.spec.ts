import { HttpError } from './http-error';
import { jsonBodyParser, JsonBodyMessages, parseJsonBody } from './json-body-parser';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** The HttpError parseJsonBody throws for these bytes (fails the test if it throws none). */
function refusalOf(body: Buffer | string): HttpError {
  try {
    parseJsonBody(typeof body === 'string' ? utf8(body) : body);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error(`the parser accepted ${body.toString()}`);
}

const badRequest = (message: string) => ({ statusCode: 400, error: 'BadRequest', body: message });

describe(parseJsonBody.name, () => {
  describe('accepts', () => {
    it('an object', () => {
      expect(parseJsonBody(utf8('{"email":"admin@example.com","n":1}'))).toStrictEqual({ email: 'admin@example.com', n: 1 });
    });

    it.each([
      ['an array', '[1,2]', [1, 2]],
      ['a string', '"x"', 'x'],
      ['a number', '42', 42],
      ['null', 'null', null],
      ['false', 'false', false],
    ])('a JSON scalar or array (%s): the route decides what it wants', (_what, text, value) => {
      expect(parseJsonBody(utf8(text))).toStrictEqual(value);
    });

    it('surrounding whitespace', () => {
      expect(parseJsonBody(utf8(' \r\n\t{"a":1} \n'))).toStrictEqual({ a: 1 });
    });

    it('non-ASCII text encoded as UTF-8', () => {
      expect(parseJsonBody(utf8('{"organization":"Døg 🐕 株式会社"}'))).toStrictEqual({ organization: 'Døg 🐕 株式会社' });
    });

    it('a leading UTF-8 byte order mark, which RFC 8259 allows a parser to ignore', () => {
      expect(parseJsonBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('{"a":1}')]))).toStrictEqual({ a: 1 });
    });

    it('escaped control characters inside strings', () => {
      expect(parseJsonBody(utf8('{"a":"\\u0000\\u001b"}'))).toStrictEqual({ a: '\u0000\u001b' });
    });

    it('30 000 nested arrays', () => {
      const depth = 30_000;
      let value = parseJsonBody(utf8(`${'['.repeat(depth)}${']'.repeat(depth)}`));
      let levels = 0;
      while (Array.isArray(value) && value.length > 0) {
        value = value[0];
        levels += 1;
      }
      expect(levels).toBe(depth - 1);
    });

    it('30 000 nested objects', () => {
      const depth = 30_000;
      expect(parseJsonBody(utf8(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`))).toHaveProperty('a.a.a');
    });

    it('a "constructor" key without "prototype" under it', () => {
      expect(JSON.stringify(parseJsonBody(utf8('{"constructor":{"name":"x"}}')))).toBe('{"constructor":{"name":"x"}}');
    });
  });

  describe('refuses with 400', () => {
    it('an empty body', () => {
      expect(refusalOf(Buffer.alloc(0))).toMatchObject(badRequest(JsonBodyMessages.empty));
    });

    it.each([
      ['a lone continuation byte', [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d]],
      ['0xff', [0x22, 0xff, 0x22]],
      ['an overlong encoding of "/"', [0x22, 0xc0, 0xaf, 0x22]],
      ['a truncated sequence at the end', [0x22, 0x61, 0x22, 0xe2, 0x82]],
      ['an encoded UTF-16 surrogate', [0x22, 0xed, 0xa0, 0x80, 0x22]],
      ['a code point above U+10FFFF', [0x22, 0xf4, 0x90, 0x80, 0x80, 0x22]],
      ['Latin-1 text', [...Buffer.from('{"organization":"D', 'latin1'), 0xf8, ...Buffer.from('g"}', 'latin1')]],
    ])('invalid UTF-8: %s', (_what, bytes) => {
      expect(refusalOf(Buffer.from(bytes))).toMatchObject(badRequest(JsonBodyMessages.notUtf8));
    });

    it.each([
      ['only whitespace', '   '],
      ['a truncated object', '{"email":'],
      ['trailing garbage', '{"a":1}x'],
      ['two JSON values', '{"a":1}{"a":2}'],
      ['a trailing comma', '{"a":1,}'],
      ['single quotes', "{'a':1}"],
      ['an unquoted key', '{a:1}'],
      ['a comment', '{"a":1 /* x */}'],
      ['NaN', '{"a":NaN}'],
      ['a raw control character in a string', '{"a":"x\u0001y"}'],
      ['an invalid escape', '{"a":"\\x41"}'],
      ['a leading zero', '{"a":01}'],
      ['unbalanced brackets', '[[1]'],
      ['a NUL byte after the value', '{"a":1}\u0000'],
    ])('not JSON: %s', (_what, text) => {
      expect(refusalOf(text)).toMatchObject(badRequest(JsonBodyMessages.notJson));
    });

    it.each([
      ['__proto__', '{"__proto__":{"isAdmin":true}}'],
      ['an escaped __proto__', '{"\\u005f\\u005fproto__":{"isAdmin":true}}'],
      ['a nested __proto__', '{"a":{"b":[{"__proto__":1}]}}'],
      ['constructor.prototype', '{"constructor":{"prototype":{"isAdmin":true}}}'],
      ['a nested constructor.prototype', '{"a":{"constructor":{"prototype":1}}}'],
    ])('a forbidden key: %s', (_what, text) => {
      expect(refusalOf(text)).toMatchObject(badRequest(JsonBodyMessages.forbiddenKey));
    });

    it.each([
      ['at the top level', '{"email":"a@b.co","email":"c@d.co"}', 'email'],
      ['spelled with an escape', '{"a":1,"\\u0061":2}', 'a'],
      ['nested', '{"user":{"name":"x","name":"y"}}', 'user.name'],
      ['in an array', '{"list":[{},{"id":1,"id":1}]}', 'list[1].id'],
    ])('a duplicate key %s, naming its path', (_what, text, path) => {
      expect(refusalOf(text)).toMatchObject(badRequest(JsonBodyMessages.duplicateKey(path)));
    });

    it('a duplicate key at the bottom of 30 000 levels of arrays, naming the end of its path', () => {
      const error = refusalOf(`{"x":${'['.repeat(30_000)}{"k":1,"k":2}${']'.repeat(30_000)}}`);
      expect(error.body).toMatch(/^Request body has a duplicate key: …(\[0\])+\.k$/);
    });
  });

  describe('never quotes the body', () => {
    const secret = 'my-very-secret-password';

    it.each([
      ['invalid JSON', `{"password":"${secret}",`],
      ['invalid UTF-8', Buffer.concat([utf8(`{"password":"${secret}`), Buffer.from([0xff]), utf8('"}')])],
      ['a forbidden key', `{"password":"${secret}","__proto__":{}}`],
      ['a duplicate key', `{"password":"${secret}","password":"${secret}"}`],
    ])('in the message for %s', (_what, body) => {
      const error = refusalOf(body);
      expect(JSON.stringify({ message: error.message, body: error.body })).not.toContain(secret);
    });
  });
});

describe(jsonBodyParser.name, () => {
  const run = (body: Buffer) => {
    const done = jest.fn();
    jsonBodyParser({} as never, body, done);
    return done;
  };

  it('hands the parsed value to done', () => {
    expect(run(utf8('{"a":1}'))).toHaveBeenCalledWith(null, { a: 1 });
  });

  it('hands a refusal to done instead of throwing', () => {
    const done = run(utf8('{"a":'));
    expect(done).toHaveBeenCalledWith(expect.any(HttpError), undefined);
    expect(done.mock.calls[0][0]).toMatchObject(badRequest(JsonBodyMessages.notJson));
  });

  it('calls done exactly once', () => {
    expect(run(utf8('{"a":1,"a":2}'))).toHaveBeenCalledTimes(1);
  });
});
