import 'reflect-metadata';
import { ServiceNames } from '@app/contracts';
import { runMicroservice } from '@app/database';
import { IdentityServiceModule } from './identity-service.module';

void runMicroservice({
  service: ServiceNames.identity,
  module: (config) => IdentityServiceModule.forRoot(config),
  authenticatesTokens: true,
});
