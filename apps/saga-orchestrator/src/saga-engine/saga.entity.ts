import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { SagaState } from './saga.types';

/** One saga instance. `data` never holds a secret: passwords and tokens stay in process memory. */
@Entity({ name: 'sagas' })
export class SagaEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'text' })
  state: SagaState;

  @Column({ name: 'current_step', type: 'text', nullable: true })
  currentStep: string | null;

  @Column({ name: 'running_steps', type: 'jsonb', default: () => `'[]'` })
  runningSteps: string[];

  @Column({ name: 'completed_steps', type: 'jsonb', default: () => `'[]'` })
  completedSteps: string[];

  @Column({ name: 'to_compensate', type: 'jsonb', default: () => `'[]'` })
  toCompensate: string[];

  @Column({ name: 'compensated_steps', type: 'jsonb', default: () => `'[]'` })
  compensatedSteps: string[];

  @Column({ name: 'failed_step', type: 'text', nullable: true })
  failedStep: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  data: object;

  @Column({ type: 'integer', default: 1 })
  version: number;

  /** How many times a deadline sweep took this saga over. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  /** When the saga's final public event (completed or failed) was published: the event outbox. */
  @Column({ name: 'event_published_at', type: 'timestamptz', nullable: true })
  eventPublishedAt: Date | null;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @Column({ name: 'deadline_at', type: 'timestamptz' })
  deadlineAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
