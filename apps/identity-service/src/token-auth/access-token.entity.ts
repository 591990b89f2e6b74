import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The record behind an access token. The token itself is never stored: it is a signature over
 * this record's id, so deleting or revoking the record is what makes the token stop working.
 */
@Entity({ name: 'identity_access_tokens' })
export class AccessTokenEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  @Column({ name: 'identity_id', type: 'uuid' })
  identityId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'auth_method', type: 'text', default: 'token-auth' })
  authMethod: string;

  /**
   * The Token Auth TTLs this token was minted under, so its record keeps showing them after the
   * identity's Token Auth changes. Null on records from before they were stored (and on the
   * bootstrap's root token, whose lifetime is MAX_MACHINE_IDENTITY_TOKEN_AGE, not a TTL).
   */
  @Column({ name: 'access_token_ttl', type: 'integer', nullable: true })
  accessTokenTTL: number | null;

  @Column({ name: 'access_token_max_ttl', type: 'integer', nullable: true })
  accessTokenMaxTTL: number | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
