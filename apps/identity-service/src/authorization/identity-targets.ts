import { Injectable } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/common';
import { execute } from '@app/database';
import { DataSource } from 'typeorm';

/** What authorization needs to know about the identity a command acts on. */
export interface IdentityTarget {
  id: string;
  orgId: string;
  isInstanceAdmin: boolean;
}

/** Finds the identity a command targets, by its id or by one of its token records. */
@Injectable()
export class IdentityTargets {
  constructor(private readonly dataSource: DataSource) {}

  async byIdentityId(identityId: string): Promise<IdentityTarget> {
    const { rows } = await execute<IdentityTarget>(
      this.dataSource.manager,
      'SELECT id, org_id AS "orgId", is_instance_admin AS "isInstanceAdmin" FROM identities WHERE id = $1',
      [identityId],
    );
    if (rows[0] === undefined) throw new DomainError(ErrorCodes.identityNotFound, 'Identity not found');
    return rows[0];
  }

  /** The identity owning the token record (records go with their identity, so one always exists). */
  async byTokenId(tokenId: string): Promise<IdentityTarget> {
    const { rows } = await execute<IdentityTarget>(
      this.dataSource.manager,
      `SELECT i.id, i.org_id AS "orgId", i.is_instance_admin AS "isInstanceAdmin"
         FROM identity_access_tokens t JOIN identities i ON i.id = t.identity_id
        WHERE t.id = $1`,
      [tokenId],
    );
    if (rows[0] === undefined) throw new DomainError(ErrorCodes.tokenNotFound, 'Access token not found');
    return rows[0];
  }
}
