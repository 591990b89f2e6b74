import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A login session. Every token from one login names it (`tokenVersionId`); ending it ends them all. */
@Entity({ name: 'user_sessions' })
export class UserSessionEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  /** Deleting the user deletes its sessions (ON DELETE CASCADE), so its tokens stop at once. */
  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
