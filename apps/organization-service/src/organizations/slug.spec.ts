import { organizationSlug, randomSuffix } from './slug';

describe(organizationSlug.name, () => {
  it('reproduces the documented example: dog + vE5l is dog-v-e5l', () => {
    expect(organizationSlug('dog', 'vE5l')).toBe('dog-v-e5l');
  });

  it('lower-cases, transliterates and splits camel case', () => {
    expect(organizationSlug('ÜberCorp Ltd', 'abcd')).toBe('ueber-corp-ltd-abcd');
  });

  it('drops characters that cannot appear in a slug', () => {
    expect(organizationSlug('  a/b?c  ', '0000')).toBe('a-b-c-0000');
  });

  it('still yields a slug when the name has nothing sluggable', () => {
    expect(organizationSlug('!!!', 'xyzw')).toBe('xyzw');
  });

  it('adds four random characters from [0-9A-Za-z]', () => {
    const suffixes = new Set(Array.from({ length: 50 }, () => randomSuffix()));
    for (const s of suffixes) expect(s).toMatch(/^[0-9A-Za-z]{4}$/);
    expect(suffixes.size).toBeGreaterThan(40);
  });
});
