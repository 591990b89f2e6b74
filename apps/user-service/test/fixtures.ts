import { randomUUID } from 'node:crypto';
import { Principal } from '@app/contracts';
import { DataSource } from 'typeorm';
import { UserEntity } from '../src/users/user.entity';
import { hashPassword } from '../src/users/password-hasher';

export const PASSWORD = 'correct horse battery staple';

/** Unique per call, so tests sharing a database never see each other's users. */
export const uniqueEmail = (local: string) => `${local}-${randomUUID().slice(0, 8)}@example.com`;

/** A user as an admin route would find one; the password is PASSWORD unless given. */
export async function insertUser(
  dataSource: DataSource,
  fields: { email?: string; username?: string; superAdmin?: boolean; password?: string } = {},
): Promise<UserEntity> {
  const email = fields.email ?? uniqueEmail('user');
  const repository = dataSource.getRepository(UserEntity);
  const { identifiers } = await repository.insert({
    email,
    username: fields.username ?? email,
    firstName: 'Test',
    lastName: 'User',
    superAdmin: fields.superAdmin ?? false,
    passwordHash: await hashPassword(fields.password ?? PASSWORD),
  });
  return repository.findOneByOrFail({ id: identifiers[0].id as string });
}

export function principal(overrides: Partial<Principal> = {}): Principal {
  return { type: 'user', id: randomUUID(), orgId: null, isInstanceAdmin: false, tokenId: randomUUID(), ...overrides };
}
