import { loggableServers } from './nats';

describe(loggableServers.name, () => {
  it('keeps URLs without credentials as they are', () => {
    expect(loggableServers(['nats://127.0.0.1:4222', 'tls://nats.internal:4222'])).toEqual([
      'nats://127.0.0.1:4222',
      'tls://nats.internal:4222',
    ]);
  });

  it('masks a user and password', () => {
    expect(loggableServers(['nats://svc:s3cr3t-pass@nats:4222'])).toEqual(['nats://***@nats:4222']);
  });

  it('masks a token given as the user', () => {
    expect(loggableServers(['nats://s3cr3t-token@nats:4222'])[0]).not.toContain('s3cr3t-token');
  });
});
