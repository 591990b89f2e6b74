import { Subjects } from '@app/contracts';

/*
 * Which identity commands the privilege-escalation guard leaves alone. Everything else that
 * carries a `caller` and a target (`identityId`, `tokenId`) is checked, so a new command is
 * guarded unless it is added here — which is a security decision, to be reviewed as one.
 */

/**
 * Saga steps: the step before them (organization-service adding the membership) already
 * authorized the caller, and their target does not exist yet. Listed by subject rather than
 * recognized by a `sagaId` in the payload, so a stray `sagaId` cannot switch the guard off.
 * finish-saga is the orchestrator's too: it carries no caller and no target, and only takes
 * powers away (the saga's steps are refused from then on).
 */
export const SAGA_STEP_SUBJECTS: ReadonlySet<string> = new Set([
  Subjects.identity.createInstanceAdmin,
  Subjects.identity.undoCreateInstanceAdmin,
  Subjects.identity.finishSaga,
  Subjects.identity.create,
  Subjects.identity.undoCreate,
]);

/**
 * Read-only commands. Reading an instance-admin identity escalates nothing, and more callers
 * may read than may manage (any member of the identity's organization with access): the
 * handler's service checks that itself (IdentityAccess.requireReader).
 */
export const READ_ONLY_SUBJECTS: ReadonlySet<string> = new Set([Subjects.identity.get]);
