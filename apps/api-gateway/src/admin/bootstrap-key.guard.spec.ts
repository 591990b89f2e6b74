import { ExecutionContext } from '@nestjs/common';
import { AppConfig, loadConfig } from '@app/config';
import { HttpError } from '../http/http-error';
import { BootstrapKeyGuard } from './bootstrap-key.guard';

const KEY = 'k3y-0f-exactly-thirty-two-chars!';

const guardWith = (bootstrapKey?: string) => new BootstrapKeyGuard({ ...loadConfig({}), bootstrapKey } satisfies AppConfig);

const contextWith = (headers: Record<string, string | undefined>) =>
  ({ switchToHttp: () => ({ getRequest: () => ({ id: 'req-test', headers }) }) }) as unknown as ExecutionContext;

/** The HttpError the guard throws for these headers (fails the test if it lets them through). */
function refusalOf(guard: BootstrapKeyGuard, headers: Record<string, string | undefined>): HttpError {
  try {
    guard.canActivate(contextWith(headers));
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error(`the guard let ${JSON.stringify(headers)} through`);
}

describe(BootstrapKeyGuard.name, () => {
  describe('without BOOTSTRAP_KEY', () => {
    it('lets a request without the header through', () => {
      expect(guardWith(undefined).canActivate(contextWith({}))).toBe(true);
    });

    it('ignores any header sent', () => {
      expect(guardWith(undefined).canActivate(contextWith({ 'x-bootstrap-key': 'anything' }))).toBe(true);
    });
  });

  describe('with BOOTSTRAP_KEY', () => {
    const guard = guardWith(KEY);

    it('lets the right key through', () => {
      expect(guard.canActivate(contextWith({ 'x-bootstrap-key': KEY }))).toBe(true);
    });

    it('refuses a missing header with 401 UnauthorizedError', () => {
      expect(refusalOf(guard, {})).toMatchObject({ statusCode: 401, error: 'UnauthorizedError', body: 'X-Bootstrap-Key header is required' });
    });

    it('refuses an empty header as missing', () => {
      expect(refusalOf(guard, { 'x-bootstrap-key': '' })).toMatchObject({ statusCode: 401, body: 'X-Bootstrap-Key header is required' });
    });

    it.each([
      ['one character off', `${KEY.slice(0, -1)}?`],
      ['a prefix of the key', KEY.slice(0, 16)],
      ['the key with more after it', `${KEY}x`],
      ['the key in other case', KEY.toUpperCase()],
      ['the key with surrounding spaces', ` ${KEY} `],
      ['the key twice, as Node joins a repeated header', `${KEY}, ${KEY}`],
      ['a much longer value', 'x'.repeat(8192)],
    ])('refuses %s with 401 UnauthorizedError', (_what, presented) => {
      expect(refusalOf(guard, { 'x-bootstrap-key': presented })).toMatchObject({
        statusCode: 401,
        error: 'UnauthorizedError',
        body: 'X-Bootstrap-Key is not valid',
      });
    });

    it('never repeats the key or the value presented', () => {
      const error = refusalOf(guard, { 'x-bootstrap-key': 'a-wrong-guess-of-the-key' });
      expect(JSON.stringify({ message: error.message, body: error.body, extra: error.extra })).not.toMatch(/a-wrong-guess|k3y-0f/);
    });

    it('compares the bytes sent with the UTF-8 bytes of a non-ASCII key', () => {
      const key = 'clé-secrète-😀-of-enough-length';
      const sentAsNodeDecodesIt = Buffer.from(key, 'utf8').toString('latin1');
      expect(guardWith(key).canActivate(contextWith({ 'x-bootstrap-key': sentAsNodeDecodesIt }))).toBe(true);
    });
  });
});
