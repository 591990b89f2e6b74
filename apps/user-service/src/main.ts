import 'reflect-metadata';
import { ServiceNames } from '@app/contracts';
import { runMicroservice } from '@app/database';
import { UserServiceModule } from './user-service.module';

// needsAuthSecret: user-service signs and verifies user tokens (login, select-organization, authenticate).
void runMicroservice({ service: ServiceNames.user, module: (config) => UserServiceModule.forRoot(config), needsAuthSecret: true });
