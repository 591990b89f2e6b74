import { z, ZodType } from 'zod';
import {
  commandSchema,
  CompensatedReply,
  CompensateSchema,
  Empty,
  EmptySchema,
  FinishSagaSchema,
  MemberSchema,
  OrgRole,
  OrgRoleSchema,
  PaginationSchema,
  PingReply,
  PrincipalSchema,
  SagaIdSchema,
} from '../shared';
import { CreateProjectBodySchema } from './http';
import type { OrganizationView, ProjectView } from './views';

/** WIRE API: organization-service's commands. A saga step's compensation is named after the step it undoes. */
export const OrganizationSubjects = {
  create: 'organization.cmd.create',
  undoCreate: 'organization.cmd.undo-create',
  finishSaga: 'organization.cmd.finish-saga',
  addIdentityMembership: 'organization.cmd.add-identity-membership',
  undoAddIdentityMembership: 'organization.cmd.undo-add-identity-membership',
  getMemberRole: 'organization.cmd.get-member-role',
  setIdentityRole: 'organization.cmd.set-identity-role',
  removeMember: 'organization.cmd.remove-member',
  createProject: 'organization.cmd.create-project',
  listProjects: 'organization.cmd.list-projects',
  ping: 'organization.cmd.ping',
} as const;

export const CreateOrganizationSchema = commandSchema({
  sagaId: SagaIdSchema,
  name: z.string().min(1).max(64),
  adminUserId: z.uuid(),
});
/**
 * A saga step. Without `caller` it is the bootstrap's (the system's own, an admin membership);
 * with one, the caller must be an admin of the organization (or an instance admin).
 */
export const AddIdentityMembershipSchema = commandSchema({
  sagaId: SagaIdSchema,
  organizationId: z.uuid(),
  identityId: z.uuid(),
  caller: PrincipalSchema.optional(),
  role: OrgRoleSchema.default('admin'),
});
/** A question from the service that authorizes (identity-service, user-service): what is this member's role there? */
export const GetMemberRoleSchema = commandSchema({ organizationId: z.uuid(), member: MemberSchema });
export const SetIdentityRoleSchema = commandSchema({ caller: PrincipalSchema, organizationId: z.uuid(), identityId: z.uuid(), role: OrgRoleSchema });
/** After its owner deleted a user or an identity: its memberships go too. */
export const RemoveMemberSchema = commandSchema({ member: MemberSchema });
export const CreateProjectSchema = commandSchema({ ...CreateProjectBodySchema.shape, caller: PrincipalSchema });
export const ListProjectsSchema = commandSchema({ ...PaginationSchema.shape, caller: PrincipalSchema });

/** The request schema of each command: what its handler validates a payload with (strict). */
export const OrganizationCommandSchemas = {
  [OrganizationSubjects.create]: CreateOrganizationSchema,
  [OrganizationSubjects.undoCreate]: CompensateSchema,
  [OrganizationSubjects.finishSaga]: FinishSagaSchema,
  [OrganizationSubjects.addIdentityMembership]: AddIdentityMembershipSchema,
  [OrganizationSubjects.undoAddIdentityMembership]: CompensateSchema,
  [OrganizationSubjects.getMemberRole]: GetMemberRoleSchema,
  [OrganizationSubjects.setIdentityRole]: SetIdentityRoleSchema,
  [OrganizationSubjects.removeMember]: RemoveMemberSchema,
  [OrganizationSubjects.createProject]: CreateProjectSchema,
  [OrganizationSubjects.listProjects]: ListProjectsSchema,
  [OrganizationSubjects.ping]: EmptySchema,
} as const satisfies Record<(typeof OrganizationSubjects)[keyof typeof OrganizationSubjects], ZodType>;

export interface OrganizationCommands {
  [OrganizationSubjects.create]: { request: z.input<typeof CreateOrganizationSchema>; reply: { organization: OrganizationView } };
  [OrganizationSubjects.undoCreate]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  [OrganizationSubjects.finishSaga]: { request: z.input<typeof FinishSagaSchema>; reply: Empty };
  [OrganizationSubjects.addIdentityMembership]: {
    request: z.input<typeof AddIdentityMembershipSchema>;
    reply: { membershipId: string };
  };
  [OrganizationSubjects.undoAddIdentityMembership]: { request: z.input<typeof CompensateSchema>; reply: CompensatedReply };
  /** `role` null: not a member; ORGANIZATION.NOT_FOUND when the organization does not exist. */
  [OrganizationSubjects.getMemberRole]: { request: z.input<typeof GetMemberRoleSchema>; reply: { role: OrgRole | null } };
  [OrganizationSubjects.setIdentityRole]: { request: z.input<typeof SetIdentityRoleSchema>; reply: { role: OrgRole } };
  [OrganizationSubjects.removeMember]: { request: z.input<typeof RemoveMemberSchema>; reply: CompensatedReply };
  [OrganizationSubjects.createProject]: { request: z.input<typeof CreateProjectSchema>; reply: { project: ProjectView } };
  [OrganizationSubjects.listProjects]: { request: z.input<typeof ListProjectsSchema>; reply: { projects: ProjectView[] } };
  [OrganizationSubjects.ping]: { request: Empty; reply: PingReply };
}
