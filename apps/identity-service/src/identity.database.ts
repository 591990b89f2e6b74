import { ServiceDatabaseSpec } from '@app/database';
import { AccessTokenEntity } from './identities/access-token.entity';
import { IdentityEntity } from './identities/identity.entity';
import { TokenAuthEntity } from './identities/token-auth.entity';
import { CreateIdentities1764190000000 } from './migrations/1764190000000-create-identities';

export const identityDatabase: ServiceDatabaseSpec = {
  schema: 'identity_service',
  entities: [IdentityEntity, TokenAuthEntity, AccessTokenEntity],
  migrations: [CreateIdentities1764190000000],
};
