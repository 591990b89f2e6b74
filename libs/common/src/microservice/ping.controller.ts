import { Controller, Optional, Type } from '@nestjs/common';
import { PingReply } from '@app/contracts';
import { MessagePattern } from '@nestjs/microservices';
import { DataSource } from 'typeorm';

/** A bus health probe for one service: answers that it is alive and whether its database is. */
export function pingController(subject: string, service: string): Type<unknown> {
  @Controller()
  class PingController {
    constructor(@Optional() private readonly dataSource?: DataSource) {}

    @MessagePattern(subject)
    async ping(): Promise<PingReply> {
      let database: PingReply['database'] = 'up';
      try {
        await this.dataSource?.query('SELECT 1');
      } catch {
        database = 'down';
      }
      return { service, ok: database === 'up', database };
    }
  }
  return PingController;
}
