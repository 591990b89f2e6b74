import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { BusModule } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { AdminConfigController } from './admin/admin-config.controller';
import { BootstrapController } from './admin/bootstrap.controller';
import { ServerAdminController } from './admin/server-admin.controller';
import { AuthGuard } from './auth/auth.guard';
import { Authenticator } from './auth/authenticator';
import { HealthController } from './health/health.controller';
import { IdentitiesController } from './identities/identities.controller';
import { LoginController } from './login/login.controller';
import { ProjectsController } from './projects/projects.controller';
import { TokenAuthController } from './token-auth/token-auth.controller';

/** Every HTTP route; the OpenAPI document is built from these. */
export const CONTROLLERS: Array<Type<unknown>> = [
  BootstrapController,
  AdminConfigController,
  ServerAdminController,
  HealthController,
  ProjectsController,
  IdentitiesController,
  TokenAuthController,
  LoginController,
];

@Module({})
export class ApiGatewayModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiGatewayModule,
      imports: [ConfigModule.forRoot(config), BusModule.forRoot('api-gateway')],
      controllers: CONTROLLERS,
      providers: [Authenticator, { provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}
