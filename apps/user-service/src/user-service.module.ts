import { DynamicModule, Module } from '@nestjs/common';
import { ServiceNames, Subjects } from '@app/contracts';
import { pingController } from '@app/common';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { userDatabase } from './user.database';
import { UsersMessageController } from './users/users.message.controller';
import { UsersService } from './users/users.service';

@Module({})
export class UserServiceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: UserServiceModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forService(userDatabase)],
      controllers: [UsersMessageController, pingController(Subjects.user.ping, ServiceNames.user)],
      providers: [UsersService],
    };
  }
}
