/**
 * What a cluster has cost so far and costs now, from what AWS says about it (node type and count,
 * creation time, status) and what the wizard recorded about its pauses. Paused time is not billed
 * for compute ("While the cluster is paused, on-demand billing is suspended. Only the cluster's
 * storage incurs charges.", docs.aws.amazon.com/redshift/latest/mgmt/rs-mgmt-pause-resume-cluster.html),
 * so the wizard tags the cluster when it pauses and resumes it: DescribeClusters itself keeps no
 * pause history. A pause made elsewhere (the console) is not known: its time counts as running and
 * the figure is then an upper bound. The prices are pricing.ts's. Prints and asks nothing.
 */
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import { costGuard, estimateClusterCost, type ClusterCost, type CostGuardVerdict } from './pricing.js';
import { tagCluster, type ClusterInfo } from './redshift.js';
import { isCreatedByWizard, type Tag } from './tags.js';

/** When the current pause began (epoch ms), empty while the cluster runs. */
export const PAUSED_SINCE_TAG = 'sparkify-dwh:paused-since';
/** Milliseconds of finished pauses, summed. */
export const PAUSED_MS_TAG = 'sparkify-dwh:paused-ms';
/** When the cluster was last resumed (epoch ms). */
export const RESUMED_AT_TAG = 'sparkify-dwh:resumed-at';

function numberTag(tags: readonly Tag[], key: string): number | undefined {
  const value = tags.find((tag) => tag.Key === key)?.Value;
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/** The pause record the tags hold. */
export function pauseRecord(tags: readonly Tag[]): { pausedSinceMs?: number; pausedMs: number; resumedAtMs?: number } {
  const pausedSinceMs = numberTag(tags, PAUSED_SINCE_TAG);
  const resumedAtMs = numberTag(tags, RESUMED_AT_TAG);
  return {
    ...(pausedSinceMs === undefined ? {} : { pausedSinceMs }),
    pausedMs: numberTag(tags, PAUSED_MS_TAG) ?? 0,
    ...(resumedAtMs === undefined ? {} : { resumedAtMs }),
  };
}

/** The tags that record a pause starting at `nowMs`. */
export function pauseTags(nowMs: number): Tag[] {
  return [{ Key: PAUSED_SINCE_TAG, Value: String(Math.round(nowMs)) }];
}

/** The tags that record a resume at `nowMs`: the pause that ends is added to the total. */
export function resumeTags(tags: readonly Tag[], nowMs: number): Tag[] {
  const record = pauseRecord(tags);
  const ended = record.pausedSinceMs === undefined ? 0 : Math.max(0, nowMs - record.pausedSinceMs);
  return [
    { Key: PAUSED_SINCE_TAG, Value: '' },
    { Key: PAUSED_MS_TAG, Value: String(Math.round(record.pausedMs + ended)) },
    { Key: RESUMED_AT_TAG, Value: String(Math.round(nowMs)) },
  ];
}

export type PauseRecordOutcome = 'recorded' | 'not-ours' | 'failed';

/**
 * Record a pause or a resume on one of the wizard's clusters. Never fatal: a cluster that cannot be
 * tagged only makes later cost figures an upper bound. Another's cluster is never tagged.
 */
export async function recordPowerChange(
  redshift: RedshiftClient,
  cluster: ClusterInfo,
  change: 'pause' | 'resume',
  nowMs: number,
  region: string,
): Promise<PauseRecordOutcome> {
  if (!isCreatedByWizard(cluster.tags) || !cluster.arn) return 'not-ours';
  const tags = change === 'pause' ? pauseTags(nowMs) : resumeTags(cluster.tags, nowMs);
  try {
    await tagCluster(redshift, cluster, tags, region);
    return 'recorded';
  } catch {
    return 'failed';
  }
}

export interface ClusterCostReport {
  cost: ClusterCost;
  /** How long the current stretch of running has lasted (0 while paused). */
  runningMs: number;
  /** Whether the pause history is known from the wizard's tags (false: the figures are an upper bound). */
  pausesKnown: boolean;
  guard: CostGuardVerdict;
}

/**
 * Cost since creation and the cost guard's verdict, or undefined when the node type has no price or
 * the creation time is unknown. `storedGb`: managed storage in use (RA3/RG), when measured.
 */
export function clusterCostReport(
  cluster: ClusterInfo,
  region: string,
  nowMs: number,
  options: { storedGb?: number | undefined; threshold?: { hours?: number; usd?: number } } = {},
): ClusterCostReport | undefined {
  const createdAtMs = cluster.createdAt?.getTime();
  if (createdAtMs === undefined) return undefined;
  const record = pauseRecord(cluster.tags);
  // Finished pauses are known only as a total: placed right after creation, they count the same.
  const paused = [
    ...(record.pausedMs > 0 ? [{ fromMs: createdAtMs, toMs: createdAtMs + record.pausedMs }] : []),
    ...(record.pausedSinceMs !== undefined && (cluster.status === 'paused' || cluster.status === 'pausing')
      ? [{ fromMs: record.pausedSinceMs }]
      : []),
  ];
  const cost = estimateClusterCost({
    nodeType: cluster.nodeType,
    nodes: cluster.numberOfNodes,
    region,
    createdAtMs,
    nowMs,
    paused,
    status: cluster.status,
    storedGb: options.storedGb,
  });
  if (!cost) return undefined;
  const runningSinceMs =
    cost.runningSinceMs === undefined ? undefined : Math.max(createdAtMs, record.resumedAtMs ?? createdAtMs);
  const guard = costGuard({ runningSinceMs, costUsd: cost.totalUsd }, nowMs, options.threshold);
  return {
    cost: { ...cost, runningSinceMs },
    runningMs: runningSinceMs === undefined ? 0 : Math.max(0, nowMs - runningSinceMs),
    pausesKnown: !cost.computeIsUpperBound,
    guard,
  };
}
