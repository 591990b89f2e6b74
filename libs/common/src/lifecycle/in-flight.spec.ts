import { CallHandler, ExecutionContext } from '@nestjs/common';
import { lastValueFrom, Observable, of, Subject, throwError } from 'rxjs';
import { InFlight } from './in-flight';
import { InFlightInterceptor } from './in-flight.interceptor';

describe(InFlight.name, () => {
  it('counts work that began and has not ended', () => {
    const inFlight = new InFlight();
    const endFirst = inFlight.begin();
    inFlight.begin();
    endFirst();
    expect(inFlight.size).toBe(1);
  });

  it('ignores a second end of the same work', () => {
    const inFlight = new InFlight();
    const end = inFlight.begin();
    inFlight.begin();
    end();
    end();
    expect(inFlight.size).toBe(1);
  });

  it('is idle at once when nothing is in flight', async () => {
    await expect(new InFlight().whenIdle(1_000)).resolves.toBe(true);
  });

  it('becomes idle when the last work in flight ends', async () => {
    const inFlight = new InFlight();
    const ends = [inFlight.begin(), inFlight.begin()];
    const idle = inFlight.whenIdle(5_000);
    setTimeout(() => ends.forEach((end) => end()), 10);
    await expect(idle).resolves.toBe(true);
  });

  it('counts work that begins in the microtasks right after the count fell to zero', async () => {
    const inFlight = new InFlight();
    const end = inFlight.begin();
    const idle = inFlight.whenIdle(200);
    end();
    // A message that arrived is handed to its handler a few promise hops later.
    void Promise.resolve().then(() => inFlight.begin());
    await expect(idle).resolves.toBe(false);
  });

  it('reports not idle when work outlives the timeout', async () => {
    const inFlight = new InFlight();
    inFlight.begin();
    await expect(inFlight.whenIdle(20)).resolves.toBe(false);
  });
});

describe(InFlightInterceptor.name, () => {
  const context = {} as ExecutionContext;
  const handler = (source: Observable<unknown>): CallHandler => ({ handle: () => source });

  it('counts a handler from subscription until it completes', async () => {
    const inFlight = new InFlight();
    const reply = new Subject<string>();
    const result = lastValueFrom(new InFlightInterceptor(inFlight).intercept(context, handler(reply)));
    expect(inFlight.size).toBe(1);
    reply.next('done');
    reply.complete();
    await expect(result).resolves.toBe('done');
    expect(inFlight.size).toBe(0);
  });

  it('stops counting a handler that fails', async () => {
    const inFlight = new InFlight();
    const result = lastValueFrom(new InFlightInterceptor(inFlight).intercept(context, handler(throwError(() => new Error('boom')))));
    await expect(result).rejects.toThrow('boom');
    expect(inFlight.size).toBe(0);
  });

  it('stops counting a handler whose subscriber goes away', () => {
    const inFlight = new InFlight();
    const subscription = new InFlightInterceptor(inFlight).intercept(context, handler(new Subject())).subscribe();
    subscription.unsubscribe();
    expect(inFlight.size).toBe(0);
  });

  it('counts nothing before Nest subscribes', () => {
    const inFlight = new InFlight();
    new InFlightInterceptor(inFlight).intercept(context, handler(of('x')));
    expect(inFlight.size).toBe(0);
  });
});
