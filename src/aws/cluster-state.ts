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

/**
 * 'deletable': a state DeleteCluster accepts, or the cluster already on its way out. DeleteCluster
 * answers InvalidClusterStateFault ("not in the available state") while the cluster is creating,
 * resuming, pausing, modifying, rebooting or resizing; a paused cluster can be deleted ("If you
 * delete a paused cluster without requesting a final snapshot, then you can't restore the cluster",
 * docs.aws.amazon.com/redshift/latest/mgmt/rs-mgmt-pause-resume-cluster.html).
 */
export type WaitGoal = 'available' | 'paused' | 'gone' | 'deletable';

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
  /** `cluster` is undefined when the cluster is gone (goal 'gone' or 'deletable'). */
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
    return goal === 'gone' || goal === 'deletable'
      ? { state: 'SUCCESS', cluster: undefined }
      : { state: 'FAILURE', reason: 'vanished', status: undefined };
  }
  const status = cluster.status;
  if (goal === 'deletable') {
    const deletable =
      status === 'available' ||
      status === 'paused' ||
      status === 'deleting' ||
      status === 'final-snapshot' ||
      isFailedClusterStatus(status);
    return deletable ? { state: 'SUCCESS', cluster } : { state: 'RETRY', status };
  }
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
  /**
   * The cluster as the call that started the change answered it (CreateCluster, ResumeCluster…):
   * the first check judges it instead of asking DescribeClusters, which may not have caught up yet.
   */
  initial?: ClusterInfo | undefined;
  /**
   * How many answers that contradict the call just made to tolerate: DescribeClusters is eventually
   * consistent, so right after CreateCluster it may still say ClusterNotFound, and right after
   * ResumeCluster still "paused". Each such answer counts as "not yet" (RETRY) once.
   */
  staleAnswers?: number | undefined;
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
  let initial = options.initial;
  let stale = options.staleAnswers ?? 0;
  const check = async (): Promise<ClusterCheck> => {
    if (initial) {
      const answered = initial;
      initial = undefined;
      return checkState(answered, options.goal);
    }
    const verdict = checkState(await describeCluster(client, identifier, region), options.goal);
    if (verdict.state === 'FAILURE' && stale > 0 && (verdict.reason === 'vanished' || verdict.reason === 'paused')) {
      stale -= 1;
      return { state: 'RETRY', status: verdict.reason === 'vanished' ? 'not listed yet' : 'paused (resume requested)' };
    }
    return verdict;
  };
  const result = await poll(check, {
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
