import { Writable } from 'node:stream';
import { QueryFailedError } from 'typeorm';
import { createRootLogger } from './logger';
import { serializeError } from './error-serializer';

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo';
const SQL = 'INSERT INTO "user_service"."users"("email", "password_hash") VALUES ($1, $2)';

/** A QueryFailedError as TypeORM builds it from a pg error: the driver's fields copied onto it. */
function failedInsert(): QueryFailedError {
  const driverError = Object.assign(new Error('new row for relation "users" violates check constraint "users_check"'), {
    code: '23514',
    detail: `Failing row contains (admin@example.com, ${HASH}).`,
    table: 'users',
  });
  return new QueryFailedError(SQL, ['admin@example.com', HASH], driverError);
}

/** A root logger writing into memory. */
function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { root: createRootLogger('test', 'debug', sink), text: () => lines.join('') };
}

describe(serializeError.name, () => {
  it('keeps the type, message, code and stack frames of a failed query', () => {
    const serialized = serializeError(failedInsert()) as Record<string, unknown>;
    expect(serialized).toStrictEqual({
      type: 'QueryFailedError',
      message: 'new row for relation "users" violates check constraint "users_check"',
      code: '23514',
      stack: expect.stringMatching(/^QueryFailedError: new row[^\n]*\n\s+at /),
    });
  });

  it('drops the parameters, the query, the driver error and its detail', () => {
    const text = JSON.stringify(serializeError(failedInsert()));
    expect(text).not.toContain('argon2');
    expect(text).not.toContain('INSERT');
    expect(text).not.toContain('admin@example.com');
  });

  it('does the same for an error nested as cause, and in an AggregateError', () => {
    const wrapped = new Error('could not create the user', { cause: failedInsert() });
    const aggregate = new AggregateError([failedInsert(), 'plain'], 'several');
    const serialized = serializeError(new Error('outer', { cause: aggregate })) as any;
    expect(serializeError(wrapped)).toMatchObject({ cause: { type: 'QueryFailedError', code: '23514' } });
    expect(serialized.cause.errors).toEqual([expect.objectContaining({ type: 'QueryFailedError' }), 'plain']);
    expect(JSON.stringify([serializeError(wrapped), serialized])).not.toMatch(/argon2|INSERT|Failing row/);
  });

  it('keeps only the frames of a stack, not what a library appended to it', () => {
    const error = new Error('boom');
    error.stack = `Error: boom\n    at f (a.js:1:1)\nquery: ${SQL}\n    at g (b.js:2:2)`;
    expect((serializeError(error) as { stack: string }).stack).toBe('Error: boom\n    at f (a.js:1:1)\n    at g (b.js:2:2)');
  });

  it('stops at a circular chain of causes', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    a.cause = new Error('b', { cause: a });
    expect(() => JSON.stringify(serializeError(a))).not.toThrow();
  });

  it('leaves a value that is not an object as it is', () => {
    expect(serializeError('BadRequest')).toBe('BadRequest');
  });

  it('is what the root logger applies to `err` and `error`', () => {
    const { root, text } = capturedLogger();
    root.error({ err: failedInsert() }, 'Handler failed');
    root.warn({ error: new Error('x', { cause: failedInsert() }) }, 'wrapped');
    expect(text()).toContain('"code":"23514"');
    expect(text()).not.toMatch(/argon2|INSERT|Failing row|parameters|driverError/);
  });
});
