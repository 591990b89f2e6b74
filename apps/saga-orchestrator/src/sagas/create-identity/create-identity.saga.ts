import { IdentityView, OrgRole, Principal, Subjects } from '@app/contracts';
import { command, SagaContext, SagaDefinition } from '../../saga-engine/saga.types';

/** Persisted with the saga: ids, names and the caller (who it was done for), no secrets. */
export interface CreateIdentityData {
  caller: Principal;
  /** Chosen here, so the membership (which authorizes the caller) can come before the identity. */
  identityId: string;
  name: string;
  organizationId: string;
  role: OrgRole;
  identity?: IdentityView;
}

type Ctx = SagaContext<CreateIdentityData, Record<string, never>>;

/**
 * A machine identity in an organization: organization-service adds its membership with the
 * role, which is where the caller is authorized as an admin of that organization (a refusal
 * there reaches the caller as 403/404 and nothing was created) → identity-service creates the
 * identity. A new identity is never an instance admin.
 */
export const createIdentitySaga: SagaDefinition<CreateIdentityData, Record<string, never>> = {
  type: 'create-identity',
  label: 'Creating the identity',
  steps: [
    command({
      name: 'membership',
      command: Subjects.organization.addIdentityMembership,
      payload: (ctx: Ctx) => ({
        sagaId: ctx.sagaId,
        caller: ctx.data.caller,
        organizationId: ctx.data.organizationId,
        identityId: ctx.data.identityId,
        role: ctx.data.role,
      }),
      undo: Subjects.organization.undoAddIdentityMembership,
    }),
    command({
      name: 'identity',
      command: Subjects.identity.create,
      payload: (ctx: Ctx) => ({
        sagaId: ctx.sagaId,
        caller: ctx.data.caller,
        identityId: ctx.data.identityId,
        name: ctx.data.name,
        organizationId: ctx.data.organizationId,
      }),
      onReply: (ctx, reply) => {
        ctx.data.identity = reply.identity;
      },
      undo: Subjects.identity.undoCreate,
    }),
  ],
};
