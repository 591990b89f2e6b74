import { IdentityCommandSchemas, IdentitySubjects } from '@app/contracts';
import { z } from 'zod';

export type IdentitySubject = (typeof IdentitySubjects)[keyof typeof IdentitySubjects];

/**
 * Every identity subject with its payload schema (the contract's map, a Record over all
 * subjects): a new subject does not compile until it is listed there — and then, if its payload
 * carries a caller and a target, privilege-escalation.int-spec.ts's walks cover it without anyone
 * writing a test for it.
 */
export const PAYLOAD_SCHEMAS: Record<IdentitySubject, z.ZodType> = IdentityCommandSchemas;

/** The top-level keys a payload schema declares (objects, their intersections and pipes). */
export function keysOf(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodIntersection) return [...keysOf(schema.def.left as z.ZodType), ...keysOf(schema.def.right as z.ZodType)];
  if (schema instanceof z.ZodPipe) return keysOf(schema.def.in as z.ZodType);
  return [];
}
