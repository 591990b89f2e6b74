import { ServiceDatabaseSpec } from '@app/database';
import { CreateUsers1764190000000 } from './migrations/1764190000000-create-users';
import { Login1764300000000 } from './migrations/1764300000000-login';
import { FinishedSagas1764400000000 } from './migrations/1764400000000-finished-sagas';
import { LoginAttemptsByAddress1764500000000 } from './migrations/1764500000000-login-attempts-by-address';
import { UserSessionEntity } from './sessions/user-session.entity';
import { UserEntity } from './users/user.entity';

export const userDatabase: ServiceDatabaseSpec = {
  schema: 'user_service',
  entities: [UserEntity, UserSessionEntity],
  migrations: [CreateUsers1764190000000, Login1764300000000, FinishedSagas1764400000000, LoginAttemptsByAddress1764500000000],
};
