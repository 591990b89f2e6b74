import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Token Auth attached to an identity: at most one per identity. Its TTLs are copied onto every token minted under it. */
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
