import { ServiceDatabaseSpec } from '@app/database';
import { IdentityEntity } from './identities/identity.entity';
import { CreateIdentities1764190000000 } from './migrations/1764190000000-create-identities';
import { IdentityManagement1764300000000 } from './migrations/1764300000000-identity-management';
import { FinishedSagas1764400000000 } from './migrations/1764400000000-finished-sagas';
import { AccessTokenEntity } from './token-auth/access-token.entity';
import { TokenAuthEntity } from './token-auth/token-auth.entity';

export const identityDatabase: ServiceDatabaseSpec = {
  schema: 'identity_service',
  entities: [IdentityEntity, TokenAuthEntity, AccessTokenEntity],
  migrations: [CreateIdentities1764190000000, IdentityManagement1764300000000, FinishedSagas1764400000000],
};
