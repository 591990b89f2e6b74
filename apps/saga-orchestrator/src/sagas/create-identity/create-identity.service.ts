import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { IdentityView, SignedPrincipal, StartCreateIdentitySchema } from '@app/contracts';
import { AppConfig, APP_CONFIG } from '@app/config';
import { z } from 'zod';
import { SagaRegistry } from '../../saga-engine/saga-handler';
import { SagaRunner } from '../../saga-engine/saga-runner';
import { CreateIdentitySagaHandler } from './create-identity.handler';

@Injectable()
export class CreateIdentityService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runner: SagaRunner,
    private readonly handler: CreateIdentitySagaHandler,
    private readonly registry: SagaRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.handler);
  }

  async create(command: z.infer<typeof StartCreateIdentitySchema>, correlationId: string): Promise<{ identity: IdentityView }> {
    const { caller, name, organizationId, role } = command;
    // The transport checked the caller's proof; the saga row keeps who it was, the steps carry the proof.
    const { type, id, orgId, isInstanceAdmin, tokenId } = caller;
    const done = await this.runner.start(this.handler, {
      sagaId: randomUUID(),
      correlationId,
      deadlineAt: new Date(Date.now() + this.config.bootstrapTimeoutMs),
      data: { caller: { type, id, orgId, isInstanceAdmin, tokenId }, identityId: randomUUID(), name, organizationId, role },
      transient: { caller: caller as SignedPrincipal },
    });
    return { identity: done.data.identity! };
  }
}
