import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  /** Stored lower-cased; unique across the instance. */
  @Column({ type: 'text', unique: true })
  email: string;

  @Column({ type: 'text' })
  username: string;

  @Column({ name: 'first_name', type: 'text' })
  firstName: string;

  @Column({ name: 'last_name', type: 'text' })
  lastName: string;

  @Column({ name: 'super_admin', type: 'boolean', default: false })
  superAdmin: boolean;

  /** argon2id PHC string. Never leaves this service, never logged. */
  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash: string;

  /** The bootstrap saga that created this user, for idempotency and compensation. */
  @Column({ name: 'saga_id', type: 'uuid', nullable: true, unique: true })
  sagaId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
