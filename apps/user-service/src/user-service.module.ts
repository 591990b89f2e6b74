import { DynamicModule, Module } from '@nestjs/common';
import { ServiceNames, Subjects } from '@app/contracts';
import { BusModule, organizationDirectoryProvider } from '@app/common';
import { principalSignerProvider, tokenServiceProvider } from '@app/tokens';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule, finishSagaController, pingController } from '@app/database';
import { hashGateProvider } from './login/hash-gate';
import { LoginLockout } from './login/login-lockout';
import { LoginMessageController } from './login/login.message.controller';
import { LoginService } from './login/login.service';
import { VerifyPasswordService } from './login/verify-password.service';
import { SelectOrganizationService } from './sessions/select-organization.service';
import { SessionsMessageController } from './sessions/sessions.message.controller';
import { SessionsService } from './sessions/sessions.service';
import { userDatabase } from './user.database';
import { UserManagementMessageController } from './user-management/user-management.message.controller';
import { UserManagementService } from './user-management/user-management.service';
import { UsersMessageController } from './users/users.message.controller';
import { UsersService } from './users/users.service';

@Module({})
export class UserServiceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: UserServiceModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forService(userDatabase), BusModule.forRoot('user-service-client')],
      controllers: [
        UsersMessageController,
        LoginMessageController,
        SessionsMessageController,
        UserManagementMessageController,
        pingController(Subjects.user.ping, ServiceNames.user),
        finishSagaController(Subjects.user.finishSaga),
      ],
      providers: [
        UsersService,
        LoginService,
        LoginLockout,
        hashGateProvider,
        VerifyPasswordService,
        SessionsService,
        SelectOrganizationService,
        UserManagementService,
        organizationDirectoryProvider,
        tokenServiceProvider,
        principalSignerProvider,
      ],
    };
  }
}
