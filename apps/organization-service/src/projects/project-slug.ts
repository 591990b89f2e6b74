import slugify from '@sindresorhus/slugify';
import { randomSuffix } from '../organizations/slug';

/** WIRE: the contract's slug rule is 5 to 36 lower-case letters, digits or hyphens. */
const MAX = 36;

/**
 * Infisical's default: slugify(`<name>-<4 random chars>`), cut to 36 characters. The name is
 * what gets cut: the random tail is what tells two projects of one long name apart, so it must
 * survive for a retry on collision to help. A name with nothing sluggable (emoji only) would
 * leave the bare suffix, under 5 characters: `project` stands in for the name.
 */
export function projectSlug(name: string, suffix: string = randomSuffix()): string {
  const tail = slugify(suffix);
  const head = slugify(name).slice(0, MAX - tail.length - 1).replace(/-+$/, '');
  return `${head || 'project'}-${tail}`;
}
