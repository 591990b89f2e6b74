import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** WIRE: Infisical's Token Auth defaults, 30 days for both. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 2_592_000;

@Entity({ name: 'identity_token_auths' })
export class TokenAuthEntity {
  @PrimaryColumn({ name: 'identity_id', type: 'uuid' })
  identityId: string;

  @Column({ name: 'access_token_ttl', type: 'integer' })
  accessTokenTTL: number;

  @Column({ name: 'access_token_max_ttl', type: 'integer' })
  accessTokenMaxTTL: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
