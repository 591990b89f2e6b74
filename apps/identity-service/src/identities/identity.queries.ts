import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/common';
import { EntityManager } from 'typeorm';
import { TokenAuthEntity } from '../token-auth/token-auth.entity';
import { IdentityEntity } from './identity.entity';

/** The identity, locked for the transaction when `lock`; IDENTITY.NOT_FOUND when it is gone. */
export async function findIdentity(m: EntityManager, identityId: string, lock = false): Promise<IdentityEntity> {
  const identity = await m.findOne(IdentityEntity, {
    where: { id: identityId },
    ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
  if (identity === null) throw new DomainError(ErrorCodes.identityNotFound, 'Identity not found');
  return identity;
}

export function hasTokenAuth(m: EntityManager, identityId: string): Promise<boolean> {
  return m.existsBy(TokenAuthEntity, { identityId });
}
