import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SagaEntity } from './saga.entity';
import { SagaPatch, SagaStore } from './saga.types';

/** The saga table as the engine's store: every write is conditional on the version it read. */
@Injectable()
export class TypeormSagaStore implements SagaStore {
  constructor(private readonly dataSource: DataSource) {}

  async update<D>(id: string, expectedVersion: number, patch: SagaPatch<D>): Promise<number | null> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(SagaEntity)
      .set({ ...(patch as Partial<SagaEntity>), version: () => 'version + 1' })
      .where('id = :id AND version = :expectedVersion', { id, expectedVersion })
      .returning(['version'])
      .execute();
    return result.affected === 1 ? (result.raw as Array<{ version: number }>)[0].version : null;
  }
}
