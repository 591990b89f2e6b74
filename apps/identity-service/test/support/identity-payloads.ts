import {
  AttachTokenAuthSchema,
  AuthenticateSchema,
  CompensateSchema,
  CreateIdentitySchema,
  CreateInstanceAdminIdentitySchema,
  CreateTokenSchema,
  DeleteIdentitySchema,
  EmptySchema,
  FinishSagaSchema,
  GetIdentitySchema,
  IdentitySubjects,
  ListIdentitiesSchema,
  ListTokensSchema,
  ReissueInstanceAdminTokenSchema,
  RevokeInstanceAdminSchema,
  RevokePresentedTokenSchema,
  RevokeTokenSchema,
  Subjects,
  UpdateIdentitySchema,
} from '@app/contracts';
import { z } from 'zod';

export type IdentitySubject = (typeof IdentitySubjects)[keyof typeof IdentitySubjects];

/**
 * Every identity subject with its payload schema. A Record over all subjects: a new subject does
 * not compile (and fails privilege-escalation.int-spec.ts) until it is listed here — and then, if
 * its payload carries a caller and a target, that spec's walks cover it without anyone writing a
 * test for it.
 */
export const PAYLOAD_SCHEMAS: Record<IdentitySubject, z.ZodType> = {
  [Subjects.identity.createInstanceAdmin]: CreateInstanceAdminIdentitySchema,
  [Subjects.identity.undoCreateInstanceAdmin]: CompensateSchema,
  [Subjects.identity.finishSaga]: FinishSagaSchema,
  [Subjects.identity.reissueInstanceAdminToken]: ReissueInstanceAdminTokenSchema,
  [Subjects.identity.authenticate]: AuthenticateSchema,
  [Subjects.identity.create]: CreateIdentitySchema,
  [Subjects.identity.undoCreate]: CompensateSchema,
  [Subjects.identity.get]: GetIdentitySchema,
  [Subjects.identity.update]: UpdateIdentitySchema,
  [Subjects.identity.delete]: DeleteIdentitySchema,
  [Subjects.identity.attachTokenAuth]: AttachTokenAuthSchema,
  [Subjects.identity.createToken]: CreateTokenSchema,
  [Subjects.identity.listTokens]: ListTokensSchema,
  [Subjects.identity.revokeToken]: RevokeTokenSchema,
  [Subjects.identity.revokePresentedToken]: RevokePresentedTokenSchema,
  [Subjects.identity.list]: ListIdentitiesSchema,
  [Subjects.identity.listAdminIds]: EmptySchema,
  [Subjects.identity.revokeInstanceAdmin]: RevokeInstanceAdminSchema,
  [Subjects.identity.ping]: EmptySchema,
};

/** The top-level keys a payload schema declares (objects, their intersections and pipes). */
export function keysOf(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodIntersection) return [...keysOf(schema.def.left as z.ZodType), ...keysOf(schema.def.right as z.ZodType)];
  if (schema instanceof z.ZodPipe) return keysOf(schema.def.in as z.ZodType);
  return [];
}
