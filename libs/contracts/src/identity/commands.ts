import { z } from 'zod';
import { CompensatedReply, CompensateSchema, Empty, PingReply, SagaIdSchema } from '../shared';

/** WIRE API: identity-service's commands. A saga step's compensation is named after the step it undoes. */
export const IdentitySubjects = {
  createInstanceAdmin: 'identity.cmd.create-instance-admin',
  undoCreateInstanceAdmin: 'identity.cmd.undo-create-instance-admin',
  reissueInstanceAdminToken: 'identity.cmd.reissue-instance-admin-token',
  authenticate: 'identity.cmd.authenticate',
  ping: 'identity.cmd.ping',
} as const;

export const CreateInstanceAdminIdentitySchema = z.object({
  sagaId: SagaIdSchema,
  organizationId: z.uuid(),
});
export const ReissueInstanceAdminTokenSchema = z.object({ identityId: z.uuid() });
export const AuthenticateSchema = z.object({ token: z.string().min(1).max(8192) });

export interface CreateInstanceAdminIdentityReply {
  identity: { id: string; name: string; orgId: string; isInstanceAdmin: boolean };
  /** The signed root credential. Travels only in this reply; never logged or persisted. */
  accessToken: { id: string; token: string };
}

/** Who a valid access token belongs to. */
export interface AuthenticatedIdentity {
  identityId: string;
  tokenId: string;
  orgId: string;
  isInstanceAdmin: boolean;
}

export interface IdentityCommands {
  [IdentitySubjects.createInstanceAdmin]: {
    request: z.input<typeof CreateInstanceAdminIdentitySchema>;
    reply: CreateInstanceAdminIdentityReply;
  };
  [IdentitySubjects.undoCreateInstanceAdmin]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  [IdentitySubjects.reissueInstanceAdminToken]: {
    request: z.input<typeof ReissueInstanceAdminTokenSchema>;
    reply: Pick<CreateInstanceAdminIdentityReply, 'accessToken'>;
  };
  [IdentitySubjects.authenticate]: { request: z.input<typeof AuthenticateSchema>; reply: AuthenticatedIdentity };
  [IdentitySubjects.ping]: { request: Empty; reply: PingReply };
}
