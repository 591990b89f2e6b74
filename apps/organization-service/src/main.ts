import 'reflect-metadata';
import { ServiceNames } from '@app/contracts';
import { runMicroservice } from '@app/database';
import { OrganizationServiceModule } from './organization-service.module';

void runMicroservice({
  service: ServiceNames.organization,
  module: (config) => OrganizationServiceModule.forRoot(config),
});
