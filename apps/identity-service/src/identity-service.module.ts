import { DynamicModule, Module } from '@nestjs/common';
import { ServiceNames, Subjects } from '@app/contracts';
import { pingController, tokenServiceProvider } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { AccessTokensMessageController } from './identities/access-tokens.message.controller';
import { AccessTokensService } from './identities/access-tokens.service';
import { IdentitiesMessageController } from './identities/identities.message.controller';
import { IdentitiesService } from './identities/identities.service';
import { TokenLifetime } from './identities/token-lifetime';
import { identityDatabase } from './identity.database';

@Module({})
export class IdentityServiceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: IdentityServiceModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forService(identityDatabase)],
      controllers: [IdentitiesMessageController, AccessTokensMessageController, pingController(Subjects.identity.ping, ServiceNames.identity)],
      providers: [IdentitiesService, AccessTokensService, TokenLifetime, tokenServiceProvider],
    };
  }
}
