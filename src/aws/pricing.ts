/**
 * Redshift on-demand prices in US dollars: an estimate for the summary before anything is created and
 * for "what has it cost so far", not a quote. us-east-1 and us-west-2 charge the same; other regions
 * cost somewhat more, so for them the us-east-1 price is shown and labelled as a lower bound.
 * Prices change: the console and the bill are the truth.
 *
 * Sources:
 * - Amazon Redshift pricing, https://aws.amazon.com/redshift/pricing/ — its figures are drawn by
 *   script and the search tool holds no copy with numbers, so the figures below are the us-east-1
 *   on-demand list prices as quoted from that page and the AWS Price List API by public write-ups of
 *   2026 (RA3 and DC2 unchanged since 2025; RG published May–July 2026), checked November 2026.
 *   Cross-check for RG: AWS gives RG as "30% lower price per vCPU" than RA3; ra3.xlplus is
 *   1.086 / 4 vCPU = 0.2715 per vCPU-hour, and 0.2715 × 0.7 = 0.190, which is what every RG price
 *   below works out to per vCPU.
 * - Managed storage (RA3, RG, Serverless): USD 0.024 per GB-month in us-east-1/us-west-2, same sources.
 * - Serverless: USD 0.375 per RPU-hour in us-east-1/us-west-2, same sources. Billing, from
 *   "Billing for Amazon Redshift Serverless" (https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-billing.html):
 *   "in RPU hours on a per-second basis. When no queries are running, you aren't billed for compute
 *   capacity"; the pricing page adds a 60-second minimum charge.
 * - Paused clusters, from "Pausing and resuming clusters"
 *   (https://docs.aws.amazon.com/redshift/latest/mgmt/managing-cluster-operations.html#rs-mgmt-pause-resume-cluster):
 *   "While the cluster is paused, on-demand billing is suspended. Only the cluster's storage incurs charges."
 */
import type { ProvisionableNodeType } from './limits.js';

/** Every node type with a price: what AWS creates today, plus DC2 for clusters that still run. */
export type NodeType = ProvisionableNodeType | 'dc2.large' | 'dc2.8xlarge';

export interface NodeTypeInfo {
  nodeType: NodeType;
  vcpu: number;
  memoryGib: number;
  /** On-demand USD per node-hour in us-east-1 / us-west-2. */
  usdPerNodeHour: number;
  /** Previous generation: AWS no longer creates it (DC2); priced for clusters that still run. */
  previousGeneration: boolean;
  /** Data lives in Redshift managed storage, billed per GB-month on top of the node price (RA3, RG). */
  managedStorage: boolean;
}

const info = (
  nodeType: NodeType,
  vcpu: number,
  memoryGib: number,
  usdPerNodeHour: number,
  generation: 'current' | 'previous' = 'current',
): NodeTypeInfo => ({
  nodeType,
  vcpu,
  memoryGib,
  usdPerNodeHour,
  previousGeneration: generation === 'previous',
  managedStorage: generation === 'current',
});

/** vCPU and memory from "Node type details" (working-with-clusters.html#rs-node-type-info). */
export const NODE_TYPE_INFO: Readonly<Record<NodeType, NodeTypeInfo>> = {
  'ra3.large': info('ra3.large', 2, 16, 0.543),
  'ra3.xlplus': info('ra3.xlplus', 4, 32, 1.086),
  'ra3.4xlarge': info('ra3.4xlarge', 12, 96, 3.26),
  'ra3.16xlarge': info('ra3.16xlarge', 48, 384, 13.04),
  'rg.large': info('rg.large', 2, 16, 0.3801),
  'rg.xlarge': info('rg.xlarge', 4, 32, 0.7602),
  'rg.4xlarge': info('rg.4xlarge', 16, 128, 3.04267),
  'rg.12xlarge': info('rg.12xlarge', 48, 384, 9.128),
  'dc2.large': info('dc2.large', 2, 15, 0.25, 'previous'),
  'dc2.8xlarge': info('dc2.8xlarge', 32, 244, 4.8, 'previous'),
};

/** Regions whose prices the tables hold exactly. */
export const PRICED_REGIONS = ['us-east-1', 'us-west-2'] as const;

/** Redshift managed storage, USD per GB-month (us-east-1 / us-west-2). */
export const MANAGED_STORAGE_USD_PER_GB_MONTH = 0.024;

/** AWS prices a month as 730 hours (365 × 24 / 12) when it turns monthly rates into hourly ones. */
export const HOURS_PER_MONTH = 730;

/** Redshift Serverless compute, USD per RPU-hour (us-east-1 / us-west-2). */
export const SERVERLESS_USD_PER_RPU_HOUR = 0.375;

/** Serverless bills per second with this minimum charge. */
export const SERVERLESS_MINIMUM_BILLED_SECONDS = 60;

const MS_PER_HOUR = 3_600_000;

function nodeInfo(nodeType: string): NodeTypeInfo | undefined {
  return Object.hasOwn(NODE_TYPE_INFO, nodeType) ? NODE_TYPE_INFO[nodeType as NodeType] : undefined;
}

function isPricedRegion(region: string): boolean {
  return (PRICED_REGIONS as readonly string[]).includes(region);
}

export interface CostEstimate {
  usdPerHour: number;
  usdPerDay: number;
  /** False when the region is not in PRICED_REGIONS and the figure is a lower bound. */
  exactRegion: boolean;
}

/** Estimated on-demand compute cost of `nodes` nodes of `nodeType` in `region`; undefined for an unknown type. */
export function estimateCost(nodeType: string, nodes: number, region: string): CostEstimate | undefined {
  const node = nodeInfo(nodeType);
  if (!node) return undefined;
  const usdPerHour = node.usdPerNodeHour * nodes;
  return { usdPerHour, usdPerDay: usdPerHour * 24, exactRegion: isPricedRegion(region) };
}

/**
 * Compute cost of running since `createdAt` until `now` as if never paused (billing is per second,
 * rounded here). {@link estimateClusterCost} takes pauses and managed storage into account.
 */
export function estimateCostSince(
  nodeType: string,
  nodes: number,
  region: string,
  createdAtMs: number,
  nowMs: number,
): number | undefined {
  const estimate = estimateCost(nodeType, nodes, region);
  if (!estimate) return undefined;
  const hours = Math.max(0, nowMs - createdAtMs) / MS_PER_HOUR;
  return estimate.usdPerHour * hours;
}

/** Managed storage cost per hour for `gb` gigabytes. */
export function managedStorageUsdPerHour(gb: number): number {
  return (Math.max(0, gb) * MANAGED_STORAGE_USD_PER_GB_MONTH) / HOURS_PER_MONTH;
}

/** A stretch of time the cluster was paused; `toMs` undefined means it still is. */
export interface PausedInterval {
  fromMs: number;
  toMs?: number | undefined;
}

export interface ClusterCostInput {
  nodeType: string;
  nodes: number;
  region: string;
  createdAtMs: number;
  nowMs: number;
  /** Known pauses (from pause/resume times the tool recorded, or the cluster's events), any order. */
  paused?: readonly PausedInterval[] | undefined;
  /** ClusterStatus now. "paused" with no open interval above means the pause started at an unknown time. */
  status?: string | undefined;
  /** Managed storage in use now, in GB (RA3, RG). Counted as if stored since creation: an upper bound. */
  storedGb?: number | undefined;
}

export interface ClusterCost {
  computeUsd: number;
  storageUsd: number;
  totalUsd: number;
  /** Hours billed for compute (not paused) and paused, since creation. */
  runningHours: number;
  pausedHours: number;
  /** When the current stretch of running began (creation or the last resume); undefined while paused. */
  runningSinceMs: number | undefined;
  /** What the cluster costs per hour right now: managed storage only while paused. */
  currentUsdPerHour: number;
  /**
   * True when the cluster is paused but the pause's start is unknown: the time is counted as running,
   * so the compute figure is an upper bound.
   */
  computeIsUpperBound: boolean;
  /** False when the region is not in PRICED_REGIONS and the figures are a lower bound. */
  exactRegion: boolean;
}

/** Clip to [start, end], sort and merge overlapping pauses; an open pause runs to `end`. */
function mergePauses(paused: readonly PausedInterval[], start: number, end: number): [number, number][] {
  const clipped = paused
    .map(({ fromMs, toMs }): [number, number] => [Math.max(start, fromMs), Math.min(end, toMs ?? end)])
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of clipped) {
    const last = merged.at(-1);
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/**
 * Cost since creation: compute for the time the cluster was not paused, plus managed storage for the
 * whole lifetime (storage is billed while paused too). Undefined for a node type without a price.
 */
export function estimateClusterCost(input: ClusterCostInput): ClusterCost | undefined {
  const node = nodeInfo(input.nodeType);
  if (!node) return undefined;
  const start = input.createdAtMs;
  const end = Math.max(start, input.nowMs);
  const paused = input.paused ?? [];
  const pauses = mergePauses(paused, start, end);
  const openPause = paused.some(({ fromMs, toMs }) => toMs === undefined && fromMs <= end);
  const statusPaused = input.status === 'paused';
  const pausedNow = openPause || statusPaused;
  const pausedMs = pauses.reduce((sum, [from, to]) => sum + (to - from), 0);
  const runningMs = end - start - pausedMs;
  const computePerHour = node.usdPerNodeHour * input.nodes;
  const storagePerHour = node.managedStorage ? managedStorageUsdPerHour(input.storedGb ?? 0) : 0;
  const computeUsd = (computePerHour * runningMs) / MS_PER_HOUR;
  const storageUsd = (storagePerHour * (end - start)) / MS_PER_HOUR;
  const lastResume = pauses.at(-1)?.[1];
  return {
    computeUsd,
    storageUsd,
    totalUsd: computeUsd + storageUsd,
    runningHours: runningMs / MS_PER_HOUR,
    pausedHours: pausedMs / MS_PER_HOUR,
    runningSinceMs: pausedNow ? undefined : Math.max(start, lastResume ?? start),
    currentUsdPerHour: (pausedNow ? 0 : computePerHour) + storagePerHour,
    computeIsUpperBound: statusPaused && !openPause,
    exactRegion: isPricedRegion(input.region),
  };
}

export interface ServerlessEstimate {
  usdPerRpuHour: number;
  /** Per hour while queries run at base capacity (Serverless can scale above it under load). */
  usdPerHourAtBase: number;
  exactRegion: boolean;
  /** How Serverless bills, in one line for the summary. */
  note: string;
}

/** What a workgroup with `baseRpu` base capacity costs while it works; nothing while idle. */
export function estimateServerlessCost(baseRpu: number, region: string): ServerlessEstimate {
  return {
    usdPerRpuHour: SERVERLESS_USD_PER_RPU_HOUR,
    usdPerHourAtBase: baseRpu * SERVERLESS_USD_PER_RPU_HOUR,
    exactRegion: isPricedRegion(region),
    note:
      `billed per RPU-hour, per second with a ${SERVERLESS_MINIMUM_BILLED_SECONDS}-second minimum, ` +
      `only while queries run; idle time is free (managed storage is billed always)`,
  };
}

/**
 * Serverless compute cost of usage so far from the RPU-seconds AWS charged (SYS_SERVERLESS_USAGE
 * charged_seconds, which already includes the minimum charge).
 */
export function serverlessUsageCost(chargedRpuSeconds: number): number {
  return (Math.max(0, chargedRpuSeconds) / 3600) * SERVERLESS_USD_PER_RPU_HOUR;
}

/** When to warn about a cluster left running: either limit may be left out. */
export interface CostGuardThreshold {
  /** Running longer than this many hours without a pause. */
  hours?: number | undefined;
  /** Cost so far above this many US dollars. */
  usd?: number | undefined;
}

/**
 * Half a working day, or about a week of a single ra3.large (0.543 × 18 h ≈ 10), whichever comes
 * first: long enough not to nag during a load, short enough to catch a cluster left on overnight.
 */
export const DEFAULT_COST_GUARD: Readonly<Required<CostGuardThreshold>> = { hours: 4, usd: 10 };

export interface CostGuardVerdict {
  warn: boolean;
  /** Which limits were passed. */
  reasons: ('hours' | 'cost')[];
  /** Hours in the current running stretch (0 while paused or unknown). */
  runningHours: number;
  costUsd: number | undefined;
}

/** Whether to warn: running past `threshold.hours` since the last resume, or costing more than `threshold.usd`. */
export function costGuard(
  state: { runningSinceMs: number | undefined; costUsd?: number | undefined },
  nowMs: number,
  threshold: CostGuardThreshold = DEFAULT_COST_GUARD,
): CostGuardVerdict {
  const runningHours = state.runningSinceMs === undefined ? 0 : Math.max(0, nowMs - state.runningSinceMs) / MS_PER_HOUR;
  const reasons: ('hours' | 'cost')[] = [];
  if (threshold.hours !== undefined && state.runningSinceMs !== undefined && runningHours > threshold.hours) {
    reasons.push('hours');
  }
  if (threshold.usd !== undefined && state.costUsd !== undefined && state.costUsd > threshold.usd) reasons.push('cost');
  return { warn: reasons.length > 0, reasons, runningHours, costUsd: state.costUsd };
}
