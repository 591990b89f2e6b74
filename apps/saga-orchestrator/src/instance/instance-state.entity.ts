import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type InstanceStatus = 'UNINITIALIZED' | 'BOOTSTRAPPING' | 'INITIALIZED';

/**
 * The instance's one row (id = 1). Claiming it is the single point where exactly one bootstrap
 * wins, under any concurrency and any number of orchestrator replicas.
 */
@Entity({ name: 'instance_state' })
export class InstanceStateEntity {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ type: 'text' })
  status: InstanceStatus;

  /** The saga holding the claim (BOOTSTRAPPING) or that initialized the instance. */
  @Column({ name: 'saga_id', type: 'uuid', nullable: true })
  sagaId: string | null;

  @Column({ name: 'initialized_at', type: 'timestamptz', nullable: true })
  initializedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
