import { z } from 'zod';

/** WIRE: an organization as Infisical's API shows one. */
export const OrganizationViewSchema = z.object({ id: z.uuid(), name: z.string(), slug: z.string() });
export type OrganizationView = z.infer<typeof OrganizationViewSchema>;

export const ProjectEnvironmentSchema = z.object({ id: z.uuid(), name: z.string(), slug: z.string() });

/** WIRE: a project as Infisical's v2 API shows one. */
export const ProjectViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string(),
  slug: z.string(),
  type: z.string(),
  orgId: z.uuid(),
  createdAt: z.string(),
  updatedAt: z.string(),
  environments: z.array(ProjectEnvironmentSchema),
});
export type ProjectView = z.infer<typeof ProjectViewSchema>;
