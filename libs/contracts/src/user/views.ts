import { z } from 'zod';

/** WIRE: a user as Infisical's API shows one. */
export const UserViewSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  username: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  superAdmin: z.boolean(),
});
export type UserView = z.infer<typeof UserViewSchema>;
