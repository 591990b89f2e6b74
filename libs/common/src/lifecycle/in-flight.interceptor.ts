import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { InFlight } from './in-flight';

/**
 * Counts every bus handler from the moment Nest subscribes to it until it completes, fails or
 * is unsubscribed, so a shutdown waits for the reply to be produced.
 */
@Injectable()
export class InFlightInterceptor implements NestInterceptor {
  constructor(private readonly inFlight: InFlight) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return new Observable((subscriber) => {
      const end = this.inFlight.begin();
      const subscription = next.handle().subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        end();
      };
    });
  }
}
