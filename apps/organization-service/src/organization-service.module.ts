import { DynamicModule, Module } from '@nestjs/common';
import { ServiceNames, Subjects } from '@app/contracts';
import { AppConfig, ConfigModule } from '@app/config';
import { DatabaseModule, finishSagaController, pingController } from '@app/database';
import { MembershipsMessageController } from './memberships/memberships.message.controller';
import { MembershipsService } from './memberships/memberships.service';
import { organizationDatabase } from './organization.database';
import { OrganizationsMessageController } from './organizations/organizations.message.controller';
import { OrganizationsService } from './organizations/organizations.service';
import { ProjectsMessageController } from './projects/projects.message.controller';
import { ProjectsService } from './projects/projects.service';

@Module({})
export class OrganizationServiceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: OrganizationServiceModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forService(organizationDatabase)],
      controllers: [
        OrganizationsMessageController,
        MembershipsMessageController,
        ProjectsMessageController,
        pingController(Subjects.organization.ping, ServiceNames.organization),
        finishSagaController(Subjects.organization.finishSaga),
      ],
      providers: [OrganizationsService, MembershipsService, ProjectsService],
    };
  }
}
