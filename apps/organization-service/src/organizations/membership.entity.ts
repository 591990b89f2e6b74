import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type OrgRole = 'admin' | 'member' | 'no-access';

/** A user's or a machine identity's membership of an organization (exactly one of the two ids). */
@Entity({ name: 'org_memberships' })
export class MembershipEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId: string;

  /** Owned by user-service: an id, never a foreign key across schemas. */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  /** Owned by identity-service: an id, never a foreign key across schemas. */
  @Column({ name: 'identity_id', type: 'uuid', nullable: true })
  identityId: string | null;

  @Column({ type: 'text' })
  role: OrgRole;

  @Column({ name: 'saga_id', type: 'uuid', nullable: true })
  sagaId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
