import { z } from 'zod';
import type { OrganizationView } from './views';
import { CompensatedReply, CompensateSchema, Empty, PingReply, SagaIdSchema } from '../shared';

/** WIRE API: organization-service's commands. A saga step's compensation is named after the step it undoes. */
export const OrganizationSubjects = {
  create: 'organization.cmd.create',
  undoCreate: 'organization.cmd.undo-create',
  addIdentityMembership: 'organization.cmd.add-identity-membership',
  undoAddIdentityMembership: 'organization.cmd.undo-add-identity-membership',
  ping: 'organization.cmd.ping',
} as const;

export const CreateOrganizationSchema = z.object({
  sagaId: SagaIdSchema,
  name: z.string().min(1).max(64),
  adminUserId: z.uuid(),
});
export const AddIdentityMembershipSchema = z.object({
  sagaId: SagaIdSchema,
  organizationId: z.uuid(),
  identityId: z.uuid(),
});

export interface OrganizationCommands {
  [OrganizationSubjects.create]: { request: z.input<typeof CreateOrganizationSchema>; reply: { organization: OrganizationView } };
  [OrganizationSubjects.undoCreate]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  [OrganizationSubjects.addIdentityMembership]: {
    request: z.input<typeof AddIdentityMembershipSchema>;
    reply: { membershipId: string };
  };
  [OrganizationSubjects.undoAddIdentityMembership]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  [OrganizationSubjects.ping]: { request: Empty; reply: PingReply };
}
