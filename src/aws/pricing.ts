/**
 * Redshift on-demand prices, per node and hour, in US dollars: an estimate for the summary before
 * anything is created, not a quote. us-east-1 and us-west-2 charge the same; other regions cost
 * somewhat more, so for them the us-east-1 price is shown and labelled as a lower bound.
 * Source: aws.amazon.com/redshift/pricing (checked 2025). Prices change: the console is the truth.
 */
import type { NODE_TYPES } from '../config/validate.js';

export type NodeType = (typeof NODE_TYPES)[number];

export interface NodeTypeInfo {
  nodeType: NodeType;
  vcpu: number;
  memoryGib: number;
  /** On-demand USD per node-hour in us-east-1 / us-west-2. */
  usdPerNodeHour: number;
  /** Previous generation: still accepted, not recommended for new clusters. */
  previousGeneration: boolean;
}

export const NODE_TYPE_INFO: Readonly<Record<NodeType, NodeTypeInfo>> = {
  'ra3.large': { nodeType: 'ra3.large', vcpu: 2, memoryGib: 16, usdPerNodeHour: 0.543, previousGeneration: false },
  'ra3.xlplus': { nodeType: 'ra3.xlplus', vcpu: 4, memoryGib: 32, usdPerNodeHour: 1.086, previousGeneration: false },
  'ra3.4xlarge': { nodeType: 'ra3.4xlarge', vcpu: 12, memoryGib: 96, usdPerNodeHour: 3.26, previousGeneration: false },
  'ra3.16xlarge': {
    nodeType: 'ra3.16xlarge',
    vcpu: 48,
    memoryGib: 384,
    usdPerNodeHour: 13.04,
    previousGeneration: false,
  },
  'dc2.large': { nodeType: 'dc2.large', vcpu: 2, memoryGib: 15, usdPerNodeHour: 0.25, previousGeneration: true },
  'dc2.8xlarge': { nodeType: 'dc2.8xlarge', vcpu: 32, memoryGib: 244, usdPerNodeHour: 4.8, previousGeneration: true },
};

/** Regions whose prices the table holds exactly. */
export const PRICED_REGIONS = ['us-east-1', 'us-west-2'] as const;

export interface CostEstimate {
  usdPerHour: number;
  usdPerDay: number;
  /** False when the region is not in PRICED_REGIONS and the figure is a lower bound. */
  exactRegion: boolean;
}

/** Estimated on-demand cost of `nodes` nodes of `nodeType` in `region`; undefined for an unknown type. */
export function estimateCost(nodeType: string, nodes: number, region: string): CostEstimate | undefined {
  const info = (NODE_TYPE_INFO as Readonly<Record<string, NodeTypeInfo>>)[nodeType];
  if (!info) return undefined;
  const usdPerHour = info.usdPerNodeHour * nodes;
  return {
    usdPerHour,
    usdPerDay: usdPerHour * 24,
    exactRegion: (PRICED_REGIONS as readonly string[]).includes(region),
  };
}

/** Estimated cost of running since `createdAt` until `now` (billing is per second, rounded here). */
export function estimateCostSince(
  nodeType: string,
  nodes: number,
  region: string,
  createdAtMs: number,
  nowMs: number,
): number | undefined {
  const estimate = estimateCost(nodeType, nodes, region);
  if (!estimate) return undefined;
  const hours = Math.max(0, nowMs - createdAtMs) / 3_600_000;
  return estimate.usdPerHour * hours;
}
