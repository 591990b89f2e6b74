import { clusterSize, desiredReplicas, replicasUpdate } from './stream-replicas';

describe(clusterSize.name, () => {
  it('counts a server in no cluster as one', () => {
    expect(clusterSize({ connect_urls: ['10.0.0.1:4222', '10.0.0.2:4222'] })).toBe(1);
    expect(clusterSize(undefined)).toBe(1);
  });

  it('counts the distinct client URLs the cluster gossips', () => {
    expect(clusterSize({ cluster: 'c', connect_urls: ['a:4222', 'b:4222', 'c:4222', 'a:4222'] })).toBe(3);
  });

  it('counts a cluster that advertises nothing as one', () => {
    expect(clusterSize({ cluster: 'c', connect_urls: [] })).toBe(1);
  });
});

describe(desiredReplicas.name, () => {
  it('gives three replicas on a cluster of three or more servers', () => {
    expect(desiredReplicas(undefined, 3)).toEqual({ replicas: 3, configured: false });
    expect(desiredReplicas(undefined, 5)).toEqual({ replicas: 3, configured: false });
  });

  it('gives one replica below three servers', () => {
    expect(desiredReplicas(undefined, 1)).toEqual({ replicas: 1, configured: false });
    expect(desiredReplicas(undefined, 2)).toEqual({ replicas: 1, configured: false });
  });

  it('takes EVENTS_STREAM_REPLICAS over the cluster', () => {
    expect(desiredReplicas(1, 3)).toEqual({ replicas: 1, configured: true });
  });
});

describe(replicasUpdate.name, () => {
  it('leaves a stream that already has the replicas', () => {
    expect(replicasUpdate(3, { replicas: 3, configured: false })).toBeUndefined();
  });

  it('raises a stream to what the cluster allows', () => {
    expect(replicasUpdate(1, { replicas: 3, configured: false })).toBe(3);
  });

  it('never lowers a stream because fewer servers answer', () => {
    expect(replicasUpdate(3, { replicas: 1, configured: false })).toBeUndefined();
  });

  it('lowers a stream when EVENTS_STREAM_REPLICAS says so', () => {
    expect(replicasUpdate(3, { replicas: 1, configured: true })).toBe(1);
  });
});
