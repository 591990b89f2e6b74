import { Controller, Optional, Type } from '@nestjs/common';
import { PingReply } from '@app/contracts';
import { MessagePattern } from '@nestjs/microservices';
import { DataSource } from 'typeorm';

/** Alive, and whether the service's database answers. */
export async function databasePing(service: string, dataSource?: DataSource): Promise<PingReply> {
  let database: PingReply['database'] = 'up';
  try {
    await dataSource?.query('SELECT 1');
  } catch {
    database = 'down';
  }
  return { service, ok: database === 'up', database };
}

/** A bus health probe for one service. */
export function pingController(subject: string, service: string): Type<unknown> {
  @Controller()
  class PingController {
    constructor(@Optional() private readonly dataSource?: DataSource) {}

    @MessagePattern(subject)
    ping(): Promise<PingReply> {
      return databasePing(service, this.dataSource);
    }
  }
  return PingController;
}
