import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'project_environments' })
export class ProjectEnvironmentEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @Column({ type: 'text' })
  name: string;

  /** Unique within the project. */
  @Column({ type: 'text' })
  slug: string;

  /** Display order: Development, Staging, Production. */
  @Column({ type: 'int' })
  position: number;
}
