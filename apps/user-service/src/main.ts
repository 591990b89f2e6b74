import 'reflect-metadata';
import { ServiceNames } from '@app/contracts';
import { runMicroservice } from '@app/database';
import { UserServiceModule } from './user-service.module';

// authenticatesTokens: user-service signs and verifies user tokens (login, select-organization, authenticate), and signs the principals behind them.
void runMicroservice({ service: ServiceNames.user, module: (config) => UserServiceModule.forRoot(config), authenticatesTokens: true });
