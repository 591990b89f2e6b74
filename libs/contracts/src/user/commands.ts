import { z } from 'zod';
import type { UserView } from './views';
import { CompensatedReply, CompensateSchema, Empty, PingReply, SagaIdSchema } from '../shared';

/** WIRE API: user-service's commands. A saga step's compensation is named after the step it undoes. */
export const UserSubjects = {
  createAdmin: 'user.cmd.create-admin',
  undoCreateAdmin: 'user.cmd.undo-create-admin',
  verifyPassword: 'user.cmd.verify-password',
  ping: 'user.cmd.ping',
} as const;

export const CreateAdminUserSchema = z.object({
  sagaId: SagaIdSchema,
  email: z.email(),
  password: z.string().min(1).max(1024),
});
export const VerifyPasswordSchema = z.object({ userId: z.uuid(), password: z.string().min(1).max(1024) });

export interface UserCommands {
  [UserSubjects.createAdmin]: { request: z.input<typeof CreateAdminUserSchema>; reply: { user: UserView } };
  [UserSubjects.undoCreateAdmin]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  [UserSubjects.verifyPassword]: { request: z.input<typeof VerifyPasswordSchema>; reply: { valid: boolean } };
  [UserSubjects.ping]: { request: Empty; reply: PingReply };
}
