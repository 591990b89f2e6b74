import type { CommandSubject } from './commands';
import { Subjects } from './subjects';

/*
 * WIRE SECURITY: who may send which command. The NATS permissions are generated from this map
 * (`npm run nats:config`; the shipped deploy/nats/permissions.conf must be regenerated when it
 * changes, a test says so): a service's user may publish exactly the commands listed here, and
 * subscribe only to the commands it answers (serviceOfSubject) in its own queue group. A test
 * walks apps/ so a send missing here, or a right listed here that no code uses, fails the build.
 */

/** The NATS users: one per app, by app name, and a read-only user for event subscribers. */
export const BusUsers = [
  'api-gateway',
  'saga-orchestrator',
  'user-service',
  'organization-service',
  'identity-service',
  'events-reader',
] as const;
export type BusUser = (typeof BusUsers)[number];

/** The commands each user sends. Only real subjects type-check. */
export const BusSenders: Readonly<Record<BusUser, readonly CommandSubject[]>> = {
  'api-gateway': [
    Subjects.bootstrap.start,
    Subjects.bootstrap.getState,
    Subjects.bootstrap.ping,
    Subjects.bootstrap.createIdentity,
    Subjects.bootstrap.deleteIdentity,
    Subjects.bootstrap.deleteUser,
    Subjects.bootstrap.revokeIdentityAdmin,
    Subjects.user.login,
    Subjects.user.selectOrganization,
    Subjects.user.authenticate,
    Subjects.user.list,
    Subjects.user.ping,
    Subjects.organization.createProject,
    Subjects.organization.listProjects,
    Subjects.organization.ping,
    Subjects.identity.authenticate,
    Subjects.identity.get,
    Subjects.identity.update,
    Subjects.identity.attachTokenAuth,
    Subjects.identity.createToken,
    Subjects.identity.listTokens,
    Subjects.identity.revokeToken,
    Subjects.identity.revokePresentedToken,
    Subjects.identity.list,
    Subjects.identity.listAdminIds,
    Subjects.identity.ping,
  ],
  'saga-orchestrator': [
    Subjects.user.createAdmin,
    Subjects.user.undoCreateAdmin,
    Subjects.user.finishSaga,
    Subjects.user.verifyPassword,
    Subjects.user.listAdminIds,
    Subjects.user.delete,
    Subjects.organization.create,
    Subjects.organization.undoCreate,
    Subjects.organization.finishSaga,
    Subjects.organization.addIdentityMembership,
    Subjects.organization.undoAddIdentityMembership,
    Subjects.organization.removeMember,
    Subjects.identity.createInstanceAdmin,
    Subjects.identity.undoCreateInstanceAdmin,
    Subjects.identity.finishSaga,
    Subjects.identity.reissueInstanceAdminToken,
    Subjects.identity.create,
    Subjects.identity.undoCreate,
    Subjects.identity.delete,
    Subjects.identity.revokeInstanceAdmin,
    Subjects.identity.listAdminIds,
  ],
  // Both authorize their own data by the caller's organization role (OrganizationDirectory).
  'user-service': [Subjects.organization.getMemberRole],
  'organization-service': [],
  'identity-service': [Subjects.organization.getMemberRole, Subjects.organization.setIdentityRole],
  'events-reader': [],
};

/** The reply inbox prefix a user's permissions give it: its replies cannot be read by another user. */
export function inboxPrefixOf(user: BusUser): string {
  return `_INBOX_${user}`;
}
