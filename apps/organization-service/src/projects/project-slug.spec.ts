import slugify from '@sindresorhus/slugify';
import { projectSlug } from './project-slug';

describe(projectSlug.name, () => {
  it('is slugify(name-suffix) for an ordinary name', () => {
    expect(projectSlug('New Project', 'vE5l')).toBe(slugify('New Project-vE5l'));
    expect(projectSlug('New Project', 'vE5l')).toBe('new-project-v-e5l');
  });

  it('cuts a long name to 36 characters and keeps the random suffix', () => {
    const slug = projectSlug('a'.repeat(64), 'wxyz');
    expect(slug).toBe(`${'a'.repeat(31)}-wxyz`);
    expect(slug).toHaveLength(36);
  });

  it('leaves no hyphen at the cut', () => {
    // 30 letters, a space, then more: the cut lands right after the hyphen the space becomes.
    const slug = projectSlug(`${'b'.repeat(30)} ${'c'.repeat(20)}`, 'wxyz');
    expect(slug).toBe(`${'b'.repeat(30)}-wxyz`);
    expect(slug).not.toMatch(/--/);
  });

  it('is project-<suffix> when the name has nothing sluggable', () => {
    expect(projectSlug('🚀🔥', 'abcd')).toBe('project-abcd');
  });

  it('is project-<suffix> however slugify splits the suffix', () => {
    expect(projectSlug('!', 'aBcD')).toBe('project-a-bc-d');
  });

  it('always matches the slug rule', () => {
    for (const name of ['x', '🙂', 'Ü'.repeat(64), 'A b C d E f G h I j K l M n O p Q r S t U v W x Y z 1 2 3 4', '--__--']) {
      expect(projectSlug(name)).toMatch(/^[a-z0-9-]{5,36}$/);
      expect(projectSlug(name)).not.toMatch(/^-|-$/);
    }
  });
});
