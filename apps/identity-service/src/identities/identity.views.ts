import { IdentityDetail, IdentityRef, IdentityView } from '@app/contracts';
import { IdentityEntity } from './identity.entity';

/** WIRE: Infisical lists an identity's auth methods; Token Auth is the only one here. */
export function identityView(identity: IdentityEntity, tokenAuthAttached: boolean): IdentityView {
  return { id: identity.id, name: identity.name, orgId: identity.orgId, authMethods: tokenAuthAttached ? ['token-auth'] : [] };
}

export function identityDetail(identity: IdentityEntity, tokenAuthAttached: boolean): IdentityDetail {
  return { ...identityView(identity, tokenAuthAttached), isInstanceAdmin: identity.isInstanceAdmin };
}

export function identityRef(identity: Pick<IdentityEntity, 'id' | 'name'>): IdentityRef {
  return { id: identity.id, name: identity.name };
}
