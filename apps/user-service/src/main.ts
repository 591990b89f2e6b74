import 'reflect-metadata';
import { ServiceNames } from '@app/contracts';
import { runMicroservice } from '@app/common';
import { UserServiceModule } from './user-service.module';

void runMicroservice({ service: ServiceNames.user, module: (config) => UserServiceModule.forRoot(config) });
