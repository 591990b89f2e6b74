import { setImmediate as nextTurn } from 'node:timers/promises';
import { createRootLogger, flushLogs, oncePerTurn } from './logger';

describe(oncePerTurn.name, () => {
  it('writes the lines logged in one turn of the event loop in one write, in order, at the end of the turn', async () => {
    const writes: string[] = [];
    const root = createRootLogger('test', 'info', oncePerTurn({ write: (data: string) => void writes.push(data) }));
    root.info('one');
    root.info('two');
    root.info('three');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toHaveLength(1);
    expect(writes[0].trimEnd().split('\n').map((line) => JSON.parse(line).msg)).toEqual(['one', 'two', 'three']);
    root.info('four');
    await nextTurn();
    expect(writes).toHaveLength(2);
  });

  it('writes what is pending at once on flushLogs (a shutdown re-raises its signal right after)', () => {
    const writes: string[] = [];
    const root = createRootLogger('test', 'info', oncePerTurn({ write: (data: string) => void writes.push(data) }));
    root.info('stopped');
    flushLogs();
    expect(writes).toHaveLength(1);
    expect(JSON.parse(writes[0]).msg).toBe('stopped');
  });
});
