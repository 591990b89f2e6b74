import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Infisical's project roles; a project's creator is its admin. */
export type ProjectRole = 'admin' | 'member' | 'viewer' | 'no-access';

/** A user's or a machine identity's membership of a project (exactly one of the two ids). */
@Entity({ name: 'project_memberships' })
export class ProjectMembershipEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  /** Owned by user-service: an id, never a foreign key across schemas. */
  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  /** Owned by identity-service: an id, never a foreign key across schemas. */
  @Column({ name: 'identity_id', type: 'uuid', nullable: true })
  identityId: string | null;

  @Column({ type: 'text' })
  role: ProjectRole;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
