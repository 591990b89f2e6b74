import { ServiceDatabaseSpec } from '@app/database';
import { CreateUsers1764190000000 } from './migrations/1764190000000-create-users';
import { UserEntity } from './users/user.entity';

export const userDatabase: ServiceDatabaseSpec = {
  schema: 'user_service',
  entities: [UserEntity],
  migrations: [CreateUsers1764190000000],
};
