import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ErrorCodes, PrincipalSchema } from '@app/contracts';
import { DomainError, PayloadPipe } from '@app/common';
import { NatsContext } from '@nestjs/microservices';
import { z } from 'zod';
import { READ_ONLY_SUBJECTS, SAGA_STEP_SUBJECTS } from './caller-commands';
import { IdentityAccess } from './identity-access';
import { IdentityTarget, IdentityTargets } from './identity-targets';

const TargetedCommandSchema = z.object({
  caller: PrincipalSchema,
  identityId: z.uuid().optional(),
  tokenId: z.uuid().optional(),
});

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * THE PRIVILEGE-ESCALATION GUARD. Registered once for the whole service (APP_GUARD), so every
 * bus command that carries a `caller` and a target identity (`identityId`, or `tokenId` → the
 * identity owning that token) passes here before its handler, and a new command cannot forget
 * it: unknown target → IDENTITY.NOT_FOUND / TOKEN.NOT_FOUND; an instance-admin target and a
 * caller that is not one → IDENTITY.INSTANCE_ADMIN_PROTECTED; otherwise the caller must be an
 * instance admin or an admin of the target's organization → else PERMISSION.DENIED.
 *
 * It lives here, in the service that owns identities, not in the gateway: this service is the
 * one that knows which identity is an instance admin and which identity a token belongs to, on
 * this very request, and every path to the data (HTTP, the orchestrator, a future sender) goes
 * through it.
 *
 * Between this check and the handler nothing can make the target more privileged: an identity
 * is an instance admin only from its creation, and a token never changes owner.
 */
@Injectable()
export class PrivilegeEscalationGuard implements CanActivate {
  private readonly logger = new Logger(PrivilegeEscalationGuard.name);

  constructor(
    private readonly targets: IdentityTargets,
    private readonly access: IdentityAccess,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'rpc') return true;
    const rpc = context.switchToRpc();
    const subject = rpc.getContext<NatsContext>().getSubject();
    if (SAGA_STEP_SUBJECTS.has(subject) || READ_ONLY_SUBJECTS.has(subject)) return true;

    const data: unknown = rpc.getData();
    // Not made for a caller (authenticate, system commands), or made for one but aimed at no
    // identity (the server-admin list): their handlers' services authorize them.
    if (!isRecord(data) || !('caller' in data)) return true;
    if (!('identityId' in data) && !('tokenId' in data)) return true;

    // Guards run before pipes: validate what we rely on here, and refuse what does not parse
    // (fail closed) with the same error the handler's pipe would give.
    const cmd = new PayloadPipe(TargetedCommandSchema).transform(data);
    await this.authorize(subject, cmd);
    return true;
  }

  private async authorize(subject: string, cmd: z.infer<typeof TargetedCommandSchema>): Promise<void> {
    for (const target of await this.targetsOf(cmd)) {
      try {
        await this.access.requireManager(cmd.caller, target);
      } catch (error) {
        // An attempt on an instance admin by a weaker account is worth an operator's attention.
        if (error instanceof DomainError && error.code === ErrorCodes.instanceAdminProtected) {
          const caller = { type: cmd.caller.type, id: cmd.caller.id };
          this.logger.warn({ msg: 'Refused a command on an instance-admin identity', subject, caller, targetId: target.id });
        }
        throw error;
      }
    }
  }

  /** Both, when a command names both: each must be manageable by the caller. */
  private async targetsOf(cmd: z.infer<typeof TargetedCommandSchema>): Promise<IdentityTarget[]> {
    const found: IdentityTarget[] = [];
    if (cmd.identityId !== undefined) found.push(await this.targets.byIdentityId(cmd.identityId));
    if (cmd.tokenId !== undefined) found.push(await this.targets.byTokenId(cmd.tokenId));
    return found;
  }
}
