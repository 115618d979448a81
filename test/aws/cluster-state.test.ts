/**
 * The cluster-state classifier (pure) and the wait built on it, against mocked DescribeClusters
 * answers with the SDK's real ClusterNotFoundFault.
 */
import { ClusterNotFoundFault, DescribeClustersCommand, DescribeEventsCommand } from '@aws-sdk/client-redshift';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { checkState, isFailedClusterStatus, waitForClusterState, type WaitGoal } from '../../src/aws/cluster-state.js';
import type { ClusterInfo } from '../../src/aws/redshift.js';
import { cluster, fakeClock, mockAws } from './fakes.js';

function info(status: string): ClusterInfo {
  return {
    identifier: 'dwhcluster',
    status,
    availability: undefined,
    nodeType: 'ra3.large',
    numberOfNodes: 1,
    endpoint: undefined,
    dbName: 'dwh',
    masterUsername: 'dwhuser',
    createdAt: undefined,
    vpcId: undefined,
    securityGroupIds: [],
    iamRoleArns: [],
    tags: [],
    publiclyAccessible: true,
    encrypted: true,
    arn: undefined,
  };
}

describe('checkState', () => {
  test.each<[WaitGoal, string | undefined, ReturnType<typeof checkState>['state'], string | undefined]>([
    // Waiting for available (create, resume).
    ['available', 'available', 'SUCCESS', undefined],
    ['available', 'creating', 'RETRY', undefined],
    ['available', 'resuming', 'RETRY', undefined],
    ['available', 'modifying', 'RETRY', undefined],
    ['available', 'paused', 'FAILURE', 'paused'],
    ['available', 'deleting', 'FAILURE', 'being-deleted'],
    ['available', 'final-snapshot', 'FAILURE', 'being-deleted'],
    ['available', 'incompatible-network', 'FAILURE', 'failed-status'],
    ['available', 'hardware-failure', 'FAILURE', 'failed-status'],
    ['available', undefined, 'FAILURE', 'vanished'],
    // Waiting for paused (pause).
    ['paused', 'paused', 'SUCCESS', undefined],
    ['paused', 'pausing', 'RETRY', undefined],
    ['paused', 'available', 'RETRY', undefined],
    ['paused', 'storage-full', 'FAILURE', 'failed-status'],
    ['paused', undefined, 'FAILURE', 'vanished'],
    // Waiting for gone (teardown).
    ['gone', undefined, 'SUCCESS', undefined],
    ['gone', 'deleting', 'RETRY', undefined],
    ['gone', 'final-snapshot', 'RETRY', undefined],
    ['gone', 'available', 'RETRY', undefined],
    ['gone', 'incompatible-parameters', 'FAILURE', 'failed-status'],
  ])('waiting for %s, a cluster %s is %s (%s)', (goal, status, state, reason) => {
    const checked = checkState(status === undefined ? undefined : info(status), goal);
    expect(checked.state).toBe(state);
    if (checked.state === 'FAILURE') expect(checked.reason).toBe(reason);
    if (checked.state === 'RETRY') expect(checked.status).toBe(status);
    if (checked.state === 'SUCCESS') expect(checked.cluster?.status).toBe(status);
  });

  test.each([
    ['failed', true],
    ['hardware-failure', true],
    ['storage-full', true],
    ['incompatible-hsm', true],
    ['incompatible-restore', true],
    ['available', false],
    ['creating', false],
    ['rebooting', false],
  ])('%s is a failed state: %s', (status, failed) => {
    expect(isFailedClusterStatus(status)).toBe(failed);
  });
});

describe('waitForClusterState', () => {
  let aws: ReturnType<typeof mockAws>;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());
  const notFound = () => new ClusterNotFoundFault({ message: 'Cluster dwhcluster not found.', $metadata: {} });

  test('checks every interval, reports progress every second, and returns the available cluster', async () => {
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster('creating')] })
      .resolves({ Clusters: [cluster('available')] });
    const clock = fakeClock();
    const progress: Array<[string, number, number]> = [];
    const result = await waitForClusterState(aws.clients.redshift, 'dwhcluster', 'us-west-2', {
      goal: 'available',
      clock,
      signal: new AbortController().signal,
      intervalMs: 3000,
      timeoutMs: 60_000,
      onProgress: ({ last, elapsedMs, nextCheckInMs }) => progress.push([last.status, elapsedMs, nextCheckInMs]),
    });
    expect(result.state).toBe('SUCCESS');
    expect(result.state === 'SUCCESS' && result.cluster?.endpoint?.address).toMatch(/^dwhcluster\./);
    expect(result.elapsedMs).toBe(3000);
    expect(progress).toEqual([
      ['creating', 0, 3000],
      ['creating', 1000, 2000],
      ['creating', 2000, 1000],
    ]);
    expect(clock.sleeps).toEqual([1000, 1000, 1000]);
  });

  test('a failed state comes back with the latest event as its reason, on one line', async () => {
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [cluster('incompatible-network')] });
    aws.redshift.on(DescribeEventsCommand).resolves({
      Events: [
        { Message: 'older', Date: new Date(Date.UTC(2025, 0, 2, 1)) },
        { Message: 'The subnet has\nno free IP addresses.', Date: new Date(Date.UTC(2025, 0, 2, 2)) },
      ],
    });
    const result = await waitForClusterState(aws.clients.redshift, 'dwhcluster', 'us-west-2', {
      goal: 'available',
      clock: fakeClock(),
      signal: new AbortController().signal,
      intervalMs: 1000,
      timeoutMs: 60_000,
    });
    expect(result).toEqual({
      state: 'FAILURE',
      reason: 'failed-status',
      status: 'incompatible-network',
      event: 'The subnet has no free IP addresses.',
      elapsedMs: 0,
    });
  });

  test('ClusterNotFound is success when waiting for the cluster to go', async () => {
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster('deleting')] })
      .rejects(notFound());
    const result = await waitForClusterState(aws.clients.redshift, 'dwhcluster', 'us-west-2', {
      goal: 'gone',
      clock: fakeClock(),
      signal: new AbortController().signal,
      intervalMs: 2000,
      timeoutMs: 60_000,
    });
    expect(result).toEqual({ state: 'SUCCESS', cluster: undefined, elapsedMs: 2000 });
    expect(aws.redshift.commandCalls(DescribeEventsCommand)).toHaveLength(0);
  });

  test('time runs out with the last status; Ctrl-C ends the wait as ABORTED', async () => {
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [cluster('pausing')] });
    const timedOut = await waitForClusterState(aws.clients.redshift, 'dwhcluster', 'us-west-2', {
      goal: 'paused',
      clock: fakeClock(),
      signal: new AbortController().signal,
      intervalMs: 5000,
      timeoutMs: 10_000,
    });
    expect(timedOut).toEqual({ state: 'TIMEOUT', last: { state: 'RETRY', status: 'pausing' }, elapsedMs: 10_000 });

    const controller = new AbortController();
    const clock = fakeClock();
    clock.onSleep = (count) => {
      if (count === 3) controller.abort();
    };
    const aborted = await waitForClusterState(aws.clients.redshift, 'dwhcluster', 'us-west-2', {
      goal: 'paused',
      clock,
      signal: controller.signal,
      intervalMs: 5000,
      timeoutMs: 60_000,
    });
    expect(aborted).toEqual({ state: 'ABORTED', elapsedMs: 2000 });
    // Three checks before the time-out (0, 5 and 10 s), one before Ctrl-C in the third second.
    expect(aws.redshift.commandCalls(DescribeClustersCommand)).toHaveLength(4);
  });
});
