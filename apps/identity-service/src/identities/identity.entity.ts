import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'identities' })
export class IdentityEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** Owned by organization-service: an id, never a foreign key across schemas. */
  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  /**
   * May call every /api/v1/admin/* route. Only ever goes from true to false after creation
   * (revoke-instance-admin); nothing makes an existing identity an instance admin.
   */
  @Column({ name: 'is_instance_admin', type: 'boolean', default: false })
  isInstanceAdmin: boolean;

  @Column({ name: 'saga_id', type: 'uuid', nullable: true, unique: true })
  sagaId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
