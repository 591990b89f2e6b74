import { BootstrapRequestSchema } from '@app/contracts';
import { HttpError } from './http-error';
import { ZodBodyPipe } from './zod-body.pipe';

const pipe = new ZodBodyPipe(BootstrapRequestSchema);

/** The HttpError the pipe throws for this body (fails the test if it throws none). */
function rejectionOf(body: unknown): HttpError {
  try {
    pipe.transform(body);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error(`the pipe accepted ${JSON.stringify(body)}`);
}

const issueList = expect.arrayContaining([{ message: expect.any(String), path: expect.any(Array) }]);

describe(ZodBodyPipe.name, () => {
  it("returns the schema's parsed value: normalized, unknown keys dropped", () => {
    const body = { email: ' Admin@Example.COM ', password: 'your-secure-password', organization: ' dog ', domain: 'x' };
    expect(pipe.transform(body)).toStrictEqual({
      email: 'admin@example.com',
      password: 'your-secure-password',
      organization: 'dog',
    });
  });

  it('refuses an invalid body with 422 ValidationFailure', () => {
    const error = rejectionOf({ email: 'nope', password: 'your-secure-password', organization: 'dog' });
    expect(error).toMatchObject({ statusCode: 422, error: 'ValidationFailure' });
  });

  it('lists each issue as { message, path }', () => {
    const error = rejectionOf({ email: 'nope', password: 'short', organization: 'dog' });
    expect(error.body).toEqual([
      { message: expect.any(String), path: ['email'] },
      { message: expect.any(String), path: ['password'] },
    ]);
  });

  it.each([
    ['an array', [{ email: 'admin@example.com' }]],
    ['null', null],
    ['a string', 'admin@example.com'],
    ['a number', 42],
    ['undefined', undefined],
  ])('refuses %s as the body with 422 ValidationFailure and an issue list', (_what, body) => {
    const error = rejectionOf(body);
    expect(error).toMatchObject({ statusCode: 422, error: 'ValidationFailure', body: issueList });
  });

  it.each([
    ['too short', 'hunter2'],
    ['too long', `secret-${'x'.repeat(1030)}`],
    ['of the wrong type', ['hunter2-in-an-array']],
  ])('never repeats a password that is %s in the error', (_why, password) => {
    const error = rejectionOf({ email: 'admin@example.com', password, organization: 'dog' });
    const secret = Array.isArray(password) ? password[0] : password;
    expect(JSON.stringify({ message: error.message, body: error.body, extra: error.extra })).not.toContain(secret);
  });

  it('never repeats the password when another field is invalid', () => {
    const error = rejectionOf({ email: 'not-an-email', password: 'my-very-secret-password', organization: '' });
    expect(JSON.stringify({ message: error.message, body: error.body })).not.toContain('my-very-secret-password');
  });
});
