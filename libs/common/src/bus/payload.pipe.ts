import { PipeTransform } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { ZodType } from 'zod';
import { DomainError } from '../errors/domain-error';

/** Validates a bus payload on arrival: a handler never trusts its sender. */
export class PayloadPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: ZodType<T>) {}

  transform(value: unknown): T {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    // Only paths and messages: the payload itself may hold a password.
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
    throw new DomainError(ErrorCodes.invalidPayload, 'Invalid command payload', { issues });
  }
}
