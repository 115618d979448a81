/**
 * What a cluster's state means for someone waiting on it. `checkState` is pure, in the shape of
 * the SDK's own `waitUntilClusterAvailable` check (SUCCESS when available, FAILURE when deleting,
 * RETRY otherwise), extended to the states from which waiting cannot help. `waitForClusterState`
 * runs it under the poller; showing the wait is the caller's business.
 *
 * ClusterStatus values: docs.aws.amazon.com/redshift/latest/APIReference/API_Cluster.html
 * (available, creating, deleting, final-snapshot, hardware-failure, incompatible-hsm,
 * incompatible-network, incompatible-parameters, incompatible-restore, modifying, paused, rebooting,
 * renaming, resizing, rotating-keys, storage-full, updating-hsm…); the API also answers pausing
 * and resuming while those run.
 */
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import { poll, type PollClock, type PollProgress, type PollResult } from './poll.js';
import { describeCluster, latestClusterEvent, type ClusterInfo } from './redshift.js';

export type WaitGoal = 'available' | 'paused' | 'gone';

/** Why waiting for the goal cannot succeed. */
export type ClusterFailureReason =
  /** A state that will not become available by waiting (isFailedClusterStatus). */
  | 'failed-status'
  /** The cluster disappeared while we waited for it to be available or paused. */
  | 'vanished'
  /** Deleted (or snapshotted for deletion) while we waited for it to be available. */
  | 'being-deleted'
  /** Paused while we waited for it to be available: only a resume brings it back. */
  | 'paused';

export type ClusterCheck =
  /** `cluster` is undefined when the goal was 'gone'. */
  | { state: 'SUCCESS'; cluster: ClusterInfo | undefined }
  | { state: 'FAILURE'; reason: ClusterFailureReason; status: string | undefined }
  | { state: 'RETRY'; status: string };

/** Cluster states that will not become available by waiting. */
export function isFailedClusterStatus(status: string): boolean {
  return (
    status === 'failed' ||
    status === 'hardware-failure' ||
    status === 'storage-full' ||
    status.startsWith('incompatible-')
  );
}

/** One DescribeClusters answer (undefined: ClusterNotFound) judged against the goal. Pure. */
export function checkState(cluster: ClusterInfo | undefined, goal: WaitGoal): ClusterCheck {
  if (!cluster) {
    return goal === 'gone'
      ? { state: 'SUCCESS', cluster: undefined }
      : { state: 'FAILURE', reason: 'vanished', status: undefined };
  }
  const status = cluster.status;
  if (goal !== 'gone' && status === goal) return { state: 'SUCCESS', cluster };
  if (isFailedClusterStatus(status)) return { state: 'FAILURE', reason: 'failed-status', status };
  if (goal === 'available' && (status === 'deleting' || status === 'final-snapshot')) {
    return { state: 'FAILURE', reason: 'being-deleted', status };
  }
  if (goal === 'available' && status === 'paused') return { state: 'FAILURE', reason: 'paused', status };
  return { state: 'RETRY', status };
}

/** What the user should do about a cluster in a failed state. */
export function failedStatusAdvice(status: string): string {
  switch (status) {
    case 'incompatible-network':
      return (
        'the network setup is not usable (default VPC subnets or the security group); ' +
        'run `sparkify-dwh teardown`, check the default VPC, and create the cluster again'
      );
    case 'incompatible-parameters':
      return 'the parameter group is inconsistent; run `sparkify-dwh teardown` and create the cluster again';
    case 'storage-full':
      return 'the disks are full; delete data or resize the cluster in the Redshift console';
    default:
      return (
        'run `sparkify-dwh teardown` and create the cluster again; ' +
        "the Redshift console's Events tab has the details"
      );
  }
}

/** A FAILURE carries the cluster's latest event when the state is a failed one: the reason behind it. */
export type ClusterWaitResult =
  | Exclude<PollResult<ClusterCheck>, { state: 'FAILURE' }>
  | (Extract<PollResult<ClusterCheck>, { state: 'FAILURE' }> & { event: string | undefined });

export interface ClusterWaitOptions {
  goal: WaitGoal;
  clock: PollClock;
  signal: AbortSignal;
  intervalMs: number;
  timeoutMs: number;
  onProgress?: (progress: PollProgress<ClusterCheck>) => void;
}

/** DescribeClusters every interval until `checkState` says SUCCESS or FAILURE; progress every second. */
export async function waitForClusterState(
  client: RedshiftClient,
  identifier: string,
  region: string,
  options: ClusterWaitOptions,
): Promise<ClusterWaitResult> {
  const result = await poll(async () => checkState(await describeCluster(client, identifier, region), options.goal), {
    clock: options.clock,
    signal: options.signal,
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs,
    tickMs: 1000,
    onProgress: options.onProgress,
  });
  if (result.state !== 'FAILURE') return result;
  const event = result.reason === 'failed-status' ? await latestClusterEvent(client, identifier) : undefined;
  return { ...result, event };
}
