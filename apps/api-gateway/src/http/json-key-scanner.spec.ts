import { findKeyProblem } from './json-key-scanner';

const duplicate = (path: string) => ({ kind: 'duplicate', path });
const forbidden = (path: string) => ({ kind: 'forbidden', path });

describe(findKeyProblem.name, () => {
  describe('accepts', () => {
    it.each([
      ['an empty object', '{}'],
      ['an empty array', '[]'],
      ['a scalar', '42'],
      ['a string', '"a"'],
      ['null', 'null'],
      ['distinct keys', '{"a":1,"b":2,"c":3}'],
      ['the same key in sibling objects', '{"x":{"a":1},"y":{"a":2}}'],
      ['the same key in objects of an array', '[{"a":1},{"a":2},{"a":3}]'],
      ['the same key at different depths', '{"a":{"a":{"a":1}}}'],
      ['a value equal to a key', '{"a":"a","b":"a"}'],
      ['keys differing only in case', '{"a":1,"A":2}'],
      ['keys that are prefixes of each other', '{"a":1,"ab":2,"abc":3}'],
      ['an escaped quote inside a key', '{"a\\"b":1,"a":2,"b":3}'],
      ['a string value holding braces, quotes and commas', '{"a":"{\\"a\\":1,\\"a\\":2}","b":"],[,{"}'],
      ['a backslash at the end of a value', '{"a":"x\\\\","b":1}'],
      ['whitespace everywhere', ' { "a" : 1 ,\n\t"b" : [ 1 , 2 ] } '],
      ['the same key after an object value closes', '{"a":{"b":1},"b":2}'],
      ['the same key after an array value closes', '{"a":[{"b":1}],"b":2}'],
      ['"constructor" alone', '{"constructor":{"name":"x"}}'],
      ['"prototype" alone', '{"prototype":{"x":1}}'],
      ['"prototype" inside an array under "constructor"', '{"constructor":[{"prototype":1}]}'],
      ['"__proto__" as a value', '{"a":"__proto__"}'],
      ['"proto" and "__proto" keys', '{"proto":1,"__proto":2,"_proto__":3}'],
    ])('%s', (_what, json) => {
      expect(findKeyProblem(json)).toBeUndefined();
    });
  });

  describe('finds a duplicate key', () => {
    it('at the top level', () => {
      expect(findKeyProblem('{"a":1,"a":2}')).toEqual(duplicate('a'));
    });

    it('with different values and types', () => {
      expect(findKeyProblem('{"email":"x@y.z","password":"p","email":["x"]}')).toEqual(duplicate('email'));
    });

    it('after unescaping a \\u escape', () => {
      expect(findKeyProblem('{"a":1,"\\u0061":2}')).toEqual(duplicate('a'));
    });

    it('after unescaping both spellings', () => {
      expect(findKeyProblem('{"\\u0070assword":1,"p\\u0061ssword":2}')).toEqual(duplicate('password'));
    });

    it('after unescaping a short escape', () => {
      expect(findKeyProblem('{"a/b":1,"a\\/b":2}')).toEqual(duplicate('["a/b"]'));
    });

    it('of the empty key', () => {
      expect(findKeyProblem('{"":1,"":2}')).toEqual(duplicate('[""]'));
    });

    it('in a nested object', () => {
      expect(findKeyProblem('{"user":{"name":1,"name":2}}')).toEqual(duplicate('user.name'));
    });

    it('in an object inside an array', () => {
      expect(findKeyProblem('{"items":[{"id":1},{"id":2,"id":3}]}')).toEqual(duplicate('items[1].id'));
    });

    it('in an object inside a top-level array', () => {
      expect(findKeyProblem('[1,[2,{"a":1,"a":2}]]')).toEqual(duplicate('[1][1].a'));
    });

    it('that comes after a nested object with the same key', () => {
      expect(findKeyProblem('{"a":{"a":1},"a":2}')).toEqual(duplicate('a'));
    });

    it('with a key that is not an identifier, quoted in the path', () => {
      expect(findKeyProblem('{"my key":{"x.y":1,"x.y":2}}')).toEqual(duplicate('["my key"]["x.y"]'));
    });

    it('whose key holds a control character, escaped in the path', () => {
      expect(findKeyProblem('{"a\\u0000":1,"a\\u0000":2}')).toEqual(duplicate('["a\\u0000"]'));
    });

    it('that is the first of several, in text order', () => {
      expect(findKeyProblem('{"b":{"x":1,"x":2},"a":1,"a":2}')).toEqual(duplicate('b.x'));
    });
  });

  describe('finds a forbidden key', () => {
    it('__proto__ at the top level', () => {
      expect(findKeyProblem('{"__proto__":{"isAdmin":true}}')).toEqual(forbidden('__proto__'));
    });

    it('__proto__ nested', () => {
      expect(findKeyProblem('{"a":[{"__proto__":null}]}')).toEqual(forbidden('a[0].__proto__'));
    });

    it('__proto__ spelled with escapes', () => {
      expect(findKeyProblem('{"\\u005f_proto__":{}}')).toEqual(forbidden('__proto__'));
    });

    it('constructor.prototype', () => {
      expect(findKeyProblem('{"constructor":{"prototype":{"isAdmin":true}}}')).toEqual(forbidden('constructor.prototype'));
    });

    it('constructor.prototype nested, after other keys', () => {
      expect(findKeyProblem('{"a":{"constructor":{"x":1,"prototype":1}}}')).toEqual(forbidden('a.constructor.prototype'));
    });

    it('constructor.prototype spelled with escapes', () => {
      expect(findKeyProblem('{"construct\\u006fr":{"pr\\u006ftotype":1}}')).toEqual(forbidden('constructor.prototype'));
    });
  });

  describe('deep nesting', () => {
    const depth = 30_000;

    it('scans 30 000 nested arrays without overflowing', () => {
      expect(findKeyProblem(`${'['.repeat(depth)}${']'.repeat(depth)}`)).toBeUndefined();
    });

    it('scans 30 000 nested objects without overflowing', () => {
      expect(findKeyProblem(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)).toBeUndefined();
    });

    it('finds a duplicate at the bottom of 30 000 levels, with a shortened path', () => {
      const problem = findKeyProblem(`${'{"a":'.repeat(depth)}{"b":1,"b":2}${'}'.repeat(depth + 1)}`);
      expect(problem).toEqual(duplicate(expect.stringMatching(/^…\.a(\.a)+\.b$/)));
      expect(problem?.path.length).toBeLessThanOrEqual(200);
    });

    it('finds a duplicate after leaving 30 000 levels', () => {
      expect(findKeyProblem(`{"x":${'['.repeat(depth)}${']'.repeat(depth)},"x":1}`)).toEqual(duplicate('x'));
    });
  });

  it('scans a body with 10 000 keys in one object', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`);
    expect(findKeyProblem(`{${keys.join(',')}}`)).toBeUndefined();
    expect(findKeyProblem(`{${keys.join(',')},"k9999":0}`)).toEqual(duplicate('k9999'));
  });

  describe('on text that is not JSON', () => {
    it.each([
      ['an unterminated key', '{"a'],
      ['an unterminated value', '{"a":"b'],
      ['a trailing backslash', '{"a\\'],
      ['a bad escape in a key', '{"\\x":1}'],
      ['unbalanced closers', ']}]}'],
      ['an empty string', ''],
    ])('stops without throwing on %s', (_what, text) => {
      expect(findKeyProblem(text)).toBeUndefined();
    });
  });
});
