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

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
