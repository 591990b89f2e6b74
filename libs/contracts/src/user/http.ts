import { z } from 'zod';
import { EmailSchema, PaginationSchema } from '../shared';
import { UserViewSchema } from './views';

/** POST /api/v3/auth/login. The password is bounded (hash cost), not judged: a wrong one is just wrong. */
export const LoginBodySchema = z.object({
  email: EmailSchema,
  password: z.string({ error: 'Password is required and must be a string' }).pipe(
    z.string().min(1, { error: 'Password must not be empty' }).max(1024, { error: 'Password must be at most 1024 characters' }),
  ),
});
export const LoginResponseSchema = z.object({ accessToken: z.string() });

/** POST /api/v3/auth/select-organization */
export const SelectOrganizationBodySchema = z.object({ organizationId: z.uuid({ error: 'organizationId must be a UUID' }) });
export const SelectOrganizationResponseSchema = z.object({ token: z.string() });

const booleanFlag = z.enum(['true', 'false'], { error: "adminsOnly must be 'true' or 'false'" }).transform((v) => v === 'true');

/** GET /api/v1/admin/user-management/users */
export const ListUsersQuerySchema = PaginationSchema.extend({
  searchTerm: z.string().max(254, { error: 'searchTerm must be at most 254 characters' }).default(''),
  adminsOnly: z.union([z.boolean(), booleanFlag]).default(false),
});
export const ListUsersResponseSchema = z.object({ users: z.array(UserViewSchema), total: z.number().int() });

/** WIRE: DELETE /api/v1/admin/user-management/users/:userId answers under `users` (Infisical's key). */
export const DeleteUserResponseSchema = z.object({ users: UserViewSchema });
