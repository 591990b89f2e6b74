import { z } from 'zod';
import { nameSchema } from '../shared';
import { ProjectViewSchema } from './views';

export const PROJECT_TYPES = ['secret-manager', 'cert-manager', 'kms', 'ssh', 'secret-scanning', 'pam'] as const;

/**
 * Infisical's v2 API spells types in kebab case and answers the seed's `SECRET_MANAGER` with a
 * 422; we accept it (beyond Infisical) by normalizing case and underscores.
 */
const ProjectTypeSchema = z
  .string({ error: 'type must be a string' })
  .transform((v) => v.trim().toLowerCase().replaceAll('_', '-'))
  .pipe(z.enum(PROJECT_TYPES, { error: `type must be one of ${PROJECT_TYPES.join(', ')}` }));

/** POST /api/v1/projects, /api/v2/projects and /api/v2/workspace (one handler). */
export const CreateProjectBodySchema = z.object({
  projectName: nameSchema('projectName'),
  projectDescription: z.string({ error: 'projectDescription must be a string' }).max(1024, { error: 'projectDescription must be at most 1024 characters' }).default(''),
  slug: z
    .string({ error: 'slug must be a string' })
    .regex(/^[a-z0-9-]{5,36}$/, { error: 'slug must be 5 to 36 lower-case letters, digits or hyphens' })
    .optional(),
  // Only the default template (Development, Staging, Production) exists on this server.
  template: z.literal('default', { error: "template must be 'default'" }).default('default'),
  type: ProjectTypeSchema.default('secret-manager'),
});
export type CreateProjectBody = z.infer<typeof CreateProjectBodySchema>;

export const ProjectResponseSchema = z.object({ project: ProjectViewSchema });
export const ListProjectsResponseSchema = z.object({ projects: z.array(ProjectViewSchema) });
