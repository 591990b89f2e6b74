import { IdentityView, OrgRole, Principal, SignedPrincipal, Subjects } from '@app/contracts';
import { command, SagaContext, SagaDefinition } from '../../saga-engine/saga.types';

/** Persisted with the saga: ids, names and the caller (who it was done for, without its proof), no secrets. */
export interface CreateIdentityData {
  caller: Pick<Principal, 'type' | 'id' | 'orgId' | 'isInstanceAdmin' | 'tokenId'>;
  /** Chosen here, so the membership (which authorizes the caller) can come before the identity. */
  identityId: string;
  name: string;
  organizationId: string;
  role: OrgRole;
  identity?: IdentityView;
}

/** Never persisted: the caller as it was signed for this request, which the steps carry on. */
export interface CreateIdentityTransient {
  caller: SignedPrincipal;
}

type Ctx = SagaContext<CreateIdentityData, CreateIdentityTransient>;

/**
 * A machine identity in an organization: organization-service adds its membership with the
 * role, which is where the caller is authorized as an admin of that organization (a refusal
 * there reaches the caller as 403/404 and nothing was created) → identity-service creates the
 * identity. A new identity is never an instance admin.
 */
export const createIdentitySaga: SagaDefinition<CreateIdentityData, CreateIdentityTransient> = {
  type: 'create-identity',
  label: 'Creating the identity',
  steps: [
    command({
      name: 'membership',
      command: Subjects.organization.addIdentityMembership,
      payload: (ctx: Ctx) => ({
        sagaId: ctx.sagaId,
        caller: ctx.transient.caller,
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
        caller: ctx.transient.caller,
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
