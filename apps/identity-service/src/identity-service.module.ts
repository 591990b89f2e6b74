import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ServiceNames, Subjects } from '@app/contracts';
import { BusModule, organizationDirectoryProvider } from '@app/common';
import { principalSignerProvider, tokenServiceProvider } from '@app/tokens';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule, finishSagaController, pingController } from '@app/database';
import { AdminIdentitiesMessageController } from './admin/admin-identities.message.controller';
import { AdminIdentitiesService } from './admin/admin-identities.service';
import { IdentityAccess } from './authorization/identity-access';
import { IdentityTargets } from './authorization/identity-targets';
import { PrivilegeEscalationGuard } from './authorization/privilege-escalation.guard';
import { IdentitiesMessageController } from './identities/identities.message.controller';
import { IdentitiesService } from './identities/identities.service';
import { IdentityManagementMessageController } from './identities/identity-management.message.controller';
import { IdentityManagementService } from './identities/identity-management.service';
import { identityDatabase } from './identity.database';
import { AccessTokensMessageController } from './token-auth/access-tokens.message.controller';
import { AccessTokensService } from './token-auth/access-tokens.service';
import { TokenAuthMessageController } from './token-auth/token-auth.message.controller';
import { TokenAuthService } from './token-auth/token-auth.service';
import { TokenLifetime } from './token-auth/token-lifetime';
import { TokenRecordsService } from './token-auth/token-records.service';

@Module({})
export class IdentityServiceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: IdentityServiceModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forService(identityDatabase),
        // Outgoing: questions to organization-service about organization roles.
        BusModule.forRoot('identity-service-client'),
      ],
      controllers: [
        IdentitiesMessageController,
        IdentityManagementMessageController,
        AccessTokensMessageController,
        TokenAuthMessageController,
        AdminIdentitiesMessageController,
        pingController(Subjects.identity.ping, ServiceNames.identity),
        finishSagaController(Subjects.identity.finishSaga),
      ],
      providers: [
        IdentitiesService,
        IdentityManagementService,
        AccessTokensService,
        TokenAuthService,
        TokenRecordsService,
        AdminIdentitiesService,
        TokenLifetime,
        tokenServiceProvider,
        principalSignerProvider,
        IdentityTargets,
        IdentityAccess,
        organizationDirectoryProvider,
        // For every handler of this service: see authorization/privilege-escalation.guard.ts.
        { provide: APP_GUARD, useClass: PrivilegeEscalationGuard },
      ],
    };
  }
}
