import { BootstrapCommands, BootstrapCommandSchemas } from './bootstrap/commands';
import { IdentityCommands, IdentityCommandSchemas } from './identity/commands';
import { OrganizationCommands, OrganizationCommandSchemas } from './organization/commands';
import { UserCommands, UserCommandSchemas } from './user/commands';

/*
 * WIRE API: request payloads are validated on arrival (a handler never trusts its sender);
 * replies are typed per service, in its own folder. Every saga command carries the saga id,
 * and participants are idempotent on it.
 */

/** Ties each command subject to its payload and reply, for the typed bus client. */
export interface CommandMap extends BootstrapCommands, UserCommands, OrganizationCommands, IdentityCommands {}
export type CommandSubject = keyof CommandMap;
export type ReplyOf<S extends CommandSubject> = CommandMap[S]['reply'];

/** Every command's request schema, by subject (strict: see commandSchema). */
export const CommandSchemas = {
  ...BootstrapCommandSchemas,
  ...UserCommandSchemas,
  ...OrganizationCommandSchemas,
  ...IdentityCommandSchemas,
} as const;
