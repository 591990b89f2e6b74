import { HttpError } from '../http/http-error';
import { idempotencyKeyOf } from './idempotency-key';

/** The HttpError for this header value (fails the test if it is accepted). */
function refusalOf(value: string): HttpError {
  try {
    idempotencyKeyOf({ 'idempotency-key': value });
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

describe(idempotencyKeyOf.name, () => {
  it('is undefined without the header', () => {
    expect(idempotencyKeyOf({})).toBeUndefined();
  });

  it.each([
    ['a UUID', '5f0c7c9e-8a8f-4b8e-9a43-0f6f8d3a2b1c'],
    ['one character', 'x'],
    ['128 characters', 'k'.repeat(128)],
    ['every printable ASCII character', Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('')],
  ])('returns %s as it is', (_what, value) => {
    expect(idempotencyKeyOf({ 'idempotency-key': value })).toBe(value);
  });

  it.each([
    ['empty', ''],
    ['129 characters', 'k'.repeat(129)],
    ['a tab', 'a\tb'],
    ['DEL', 'a\u007fb'],
    ['a Latin-1 letter', 'clé'],
    ['a NUL', 'a\u0000b'],
  ])('refuses %s with 422 ValidationFailure naming the header', (_what, value) => {
    expect(refusalOf(value)).toMatchObject({
      statusCode: 422,
      error: 'ValidationFailure',
      body: [{ message: 'Idempotency-Key must be 1 to 128 printable ASCII characters', path: ['Idempotency-Key'] }],
    });
  });
});
