import { BootstrapRequestSchema } from './bootstrap.http';

const VALID = { email: 'admin@example.com', password: 'your-secure-password', organization: 'dog' };

const parse = (overrides: Record<string, unknown>) => BootstrapRequestSchema.safeParse({ ...VALID, ...overrides });

/** The paths of the issues a body raises (empty when it is valid). */
const issuePaths = (overrides: Record<string, unknown>) => parse(overrides).error?.issues.map((i) => i.path) ?? [];

describe('BootstrapRequestSchema', () => {
  describe('email', () => {
    it('is trimmed and lower-cased', () => {
      expect(parse({ email: '  Admin@Example.COM ' }).data?.email).toBe('admin@example.com');
    });

    it('must be an email address', () => {
      expect(issuePaths({ email: 'not-an-email' })).toEqual([['email']]);
    });
  });

  describe('unknown keys', () => {
    it('are stripped, such as the CLI’s domain', () => {
      expect(parse({ domain: 'https://app.example.com' }).data).toStrictEqual(VALID);
    });
  });

  describe('password', () => {
    it('refuses 7 characters', () => {
      expect(issuePaths({ password: 'a'.repeat(7) })).toEqual([['password']]);
    });

    it('accepts 8 characters', () => {
      expect(parse({ password: 'a'.repeat(8) }).success).toBe(true);
    });

    it('accepts 1024 characters', () => {
      expect(parse({ password: 'a'.repeat(1024) }).success).toBe(true);
    });

    it('refuses 1025 characters', () => {
      expect(issuePaths({ password: 'a'.repeat(1025) })).toEqual([['password']]);
    });

    it('does not count surrounding spaces towards the minimum', () => {
      expect(issuePaths({ password: `    ${'a'.repeat(7)}    ` })).toEqual([['password']]);
    });

    it('is trimmed', () => {
      expect(parse({ password: '  a-long-password  ' }).data?.password).toBe('a-long-password');
    });
  });

  describe('organization', () => {
    it('is trimmed', () => {
      expect(parse({ organization: '  dog  ' }).data?.organization).toBe('dog');
    });

    it('refuses an empty name', () => {
      expect(issuePaths({ organization: '' })).toEqual([['organization']]);
    });

    it('refuses a name of spaces only', () => {
      expect(issuePaths({ organization: '   ' })).toEqual([['organization']]);
    });

    it('accepts 64 characters', () => {
      expect(parse({ organization: 'o'.repeat(64) }).success).toBe(true);
    });

    it('refuses 65 characters', () => {
      expect(issuePaths({ organization: 'o'.repeat(65) })).toEqual([['organization']]);
    });

    it.each([
      ['NUL', '\u0000'],
      ['BEL', '\u0007'],
      ['TAB', '\t'],
      ['DEL', '\u007f'],
      ['CSI (C1)', '\u009b'],
    ])('refuses the control character %s', (_name, char) => {
      expect(issuePaths({ organization: `do${char}g` })).toEqual([['organization']]);
    });

    it.each([['Überörganisation'], ['Организация'], ['组织'], ['Dog 🐶 Corp']])('accepts unicode letters and emoji: %s', (name) => {
      expect(parse({ organization: name }).data?.organization).toBe(name);
    });
  });

  describe('wrong types', () => {
    it.each([
      ['email', { email: 42 }],
      ['password', { password: ['a-long-password'] }],
      ['organization', { organization: { name: 'dog' } }],
      ['email', { email: undefined }],
      ['organization', { organization: null }],
    ])('give a type issue at %s, and issues nowhere else', (field, overrides) => {
      const issues = parse(overrides).error?.issues ?? [];
      expect(issues[0]).toMatchObject({ code: 'invalid_type', path: [field], message: expect.stringMatching(/must be a string/) });
      // zod 4 may add a length issue for an array input, but always at the same path.
      expect(issues.map((i) => i.path)).toEqual(issues.map(() => [field]));
    });
  });
});
