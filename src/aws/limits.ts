/**
 * What AWS accepts today when a NEW Redshift cluster or Serverless workgroup is created: node types,
 * single-node and multi-node node counts, ports and Serverless base capacity. Checking these before
 * anything exists means a bad dwh.cfg fails in one line at the prompt or under --yes, instead of
 * after a role and a security group were made and CreateCluster refused.
 *
 * Every check returns `true` or a one-line problem that names what to use instead. The problem never
 * names a dwh.cfg key: the config layer prefixes file, section and key, and the prompt shows it as is.
 * Existing clusters are not held to these rules (AWS keeps older ports and node types running), so
 * call them only on the way to CreateCluster / CreateWorkgroup.
 *
 * Sources (checked November 2026; docs/redshift.md "AWS limits this tool checks" lists them too):
 * - Node types, node ranges, single-node: Amazon Redshift Management Guide, "Node type details",
 *   https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info
 *   (RG table: #rs-rg-nodes-table).
 * - Node type names: CreateCluster NodeType "Valid Values", Amazon Redshift API Reference,
 *   https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html (the installed
 *   @aws-sdk/client-redshift 3.1169 documents the same list). That list still names dc2.large and
 *   dc2.8xlarge, which AWS no longer creates: see RETIRED_NODE_TYPES.
 * - Ports: CreateCluster Port, same page; CreateWorkgroup port, Redshift Serverless API Reference,
 *   https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateWorkgroup.html
 * - Serverless base capacity: "Compute capacity for Amazon Redshift Serverless",
 *   https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-capacity.html
 */

/** `true`, or a one-line problem naming what to use instead (the shape the config validators use). */
export type LimitCheck = true | string;

export type ClusterType = 'single-node' | 'multi-node';

/**
 * RA3 node types. Ranges from "Node type details" (RA3 table, "Node range with create cluster"):
 * ra3.large and ra3.xlplus come as single-node (1) or multi-node (2–16); ra3.4xlarge 2–32 and
 * ra3.16xlarge 2–128 are multi-node only. Elastic resize can grow some of them further later; a new
 * cluster gets the create range. The account's node quota can be lower than these.
 */
export const RA3_NODE_TYPES = ['ra3.large', 'ra3.xlplus', 'ra3.4xlarge', 'ra3.16xlarge'] as const;

/**
 * RG (Graviton) node types, in CreateCluster's Valid Values since 2026 (rg.xlarge and rg.4xlarge first,
 * rg.large and rg.12xlarge after). Ranges from "Node type details", RG table (#rs-rg-nodes-table):
 * rg.large single-node (1) or multi-node (2–16), rg.xlarge 2–16, rg.4xlarge 2–32, rg.12xlarge 2–128.
 * The search tool did not return that table's text itself; the single-node rule is also in the
 * Database Developer Guide's cursor limits table (https://docs.aws.amazon.com/redshift/latest/dg/declare.html),
 * which lists "rg.large single node" and only multi-node rows for the other RG sizes. RG is not yet
 * offered in every region: CreateCluster answers that one itself.
 */
export const RG_NODE_TYPES = ['rg.large', 'rg.xlarge', 'rg.4xlarge', 'rg.12xlarge'] as const;

/** Node types a new provisioned cluster can use, RA3 first (offered in every Redshift region). */
export const PROVISIONABLE_NODE_TYPES = [...RA3_NODE_TYPES, ...RG_NODE_TYPES] as const;
export type ProvisionableNodeType = (typeof PROVISIONABLE_NODE_TYPES)[number];

export interface NodeTypeLimits {
  nodeType: ProvisionableNodeType;
  family: 'RA3' | 'RG';
  /** Whether a single-node cluster (ClusterType single-node, one node) is allowed. */
  singleNode: boolean;
  /** Node range for a new multi-node cluster. */
  multiNode: { min: number; max: number };
}

const limits = (
  nodeType: ProvisionableNodeType,
  family: 'RA3' | 'RG',
  singleNode: boolean,
  max: number,
): NodeTypeLimits => ({ nodeType, family, singleNode, multiNode: { min: 2, max } });

export const NODE_TYPE_LIMITS: Readonly<Record<ProvisionableNodeType, NodeTypeLimits>> = {
  'ra3.large': limits('ra3.large', 'RA3', true, 16),
  'ra3.xlplus': limits('ra3.xlplus', 'RA3', true, 16),
  'ra3.4xlarge': limits('ra3.4xlarge', 'RA3', false, 32),
  'ra3.16xlarge': limits('ra3.16xlarge', 'RA3', false, 128),
  'rg.large': limits('rg.large', 'RG', true, 16),
  'rg.xlarge': limits('rg.xlarge', 'RG', false, 16),
  'rg.4xlarge': limits('rg.4xlarge', 'RG', false, 32),
  'rg.12xlarge': limits('rg.12xlarge', 'RG', false, 128),
};

interface Retired {
  replacement: ProvisionableNodeType;
  why: string;
}

const DC2_WHY = 'AWS deprecated DC2 in April 2025 and no longer creates DC2 clusters';
const DS2_WHY = 'dense storage (DS2) node types are no longer available';
const DC1_WHY = 'DC1 was retired in favour of DC2, itself deprecated since April 2025';

/**
 * Node types AWS no longer provisions, with the type to use instead.
 * - DC2: AWS announced its deprecation in April 2025 ("Amazon Redshift DC2 migration approach with a
 *   customer case study", AWS Big Data Blog,
 *   https://aws.amazon.com/blogs/big-data/amazon-redshift-dc2-migration-approach-with-a-customer-case-study/);
 *   CreateCluster has refused dc2.large since mid-2025 (awslabs/aws-athena-query-federation#2848 moved
 *   its test clusters from dc2.large to ra3.large for that reason). The AWS upgrade table
 *   ("Upgrading to RA3 node types", working-with-clusters.html#rs-upgrading-to-ra3) maps dc2.8xlarge
 *   to ra3.4xlarge; dc2.large's closest type is ra3.large (2 vCPU, single-node allowed).
 * - DS2: "Dense storage (DS2) node types are no longer available" (working-with-clusters.html); the
 *   upgrade table maps ds2.xlarge to ra3.xlplus and ds2.8xlarge to ra3.4xlarge.
 * - DC1 and the names before DC1/DS2 ("Previous node type names" in the same guide).
 */
const RETIRED_NODE_TYPES: Readonly<Record<string, Retired>> = {
  'dc2.large': { replacement: 'ra3.large', why: DC2_WHY },
  'dc2.8xlarge': { replacement: 'ra3.4xlarge', why: DC2_WHY },
  'dc1.large': { replacement: 'ra3.large', why: DC1_WHY },
  'dc1.8xlarge': { replacement: 'ra3.4xlarge', why: DC1_WHY },
  'dw2.large': { replacement: 'ra3.large', why: DC1_WHY },
  'dw2.8xlarge': { replacement: 'ra3.4xlarge', why: DC1_WHY },
  'ds2.xlarge': { replacement: 'ra3.xlplus', why: DS2_WHY },
  'ds2.8xlarge': { replacement: 'ra3.4xlarge', why: DS2_WHY },
  'ds1.xlarge': { replacement: 'ra3.xlplus', why: DS2_WHY },
  'ds1.8xlarge': { replacement: 'ra3.4xlarge', why: DS2_WHY },
  'dw1.xlarge': { replacement: 'ra3.xlplus', why: DS2_WHY },
  'dw1.8xlarge': { replacement: 'ra3.4xlarge', why: DS2_WHY },
  'dw.hs1.xlarge': { replacement: 'ra3.xlplus', why: DS2_WHY },
  'dw.hs1.8xlarge': { replacement: 'ra3.4xlarge', why: DS2_WHY },
};

const show = (value: string): string => JSON.stringify(value);

/** "a, b or c". */
function either(values: readonly string[]): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1) ?? ''}`;
}

export function isProvisionableNodeType(value: string): value is ProvisionableNodeType {
  return (PROVISIONABLE_NODE_TYPES as readonly string[]).includes(value);
}

/** True for a node type AWS used to provision (DC2, DS2, DC1 and older names). */
export function isRetiredNodeType(value: string): boolean {
  return Object.hasOwn(RETIRED_NODE_TYPES, value);
}

/** The provisionable type to use instead of a retired one, if `value` is retired. */
export function replacementFor(value: string): ProvisionableNodeType | undefined {
  return Object.hasOwn(RETIRED_NODE_TYPES, value) ? RETIRED_NODE_TYPES[value]?.replacement : undefined;
}

/** Node types that allow a single-node cluster. */
export const SINGLE_NODE_TYPES: readonly ProvisionableNodeType[] = PROVISIONABLE_NODE_TYPES.filter(
  (type) => NODE_TYPE_LIMITS[type].singleNode,
);

/** A new cluster's node type: RA3 or RG. */
export function checkNodeType(type: string): LimitCheck {
  if (isProvisionableNodeType(type)) return true;
  const retired = Object.hasOwn(RETIRED_NODE_TYPES, type) ? RETIRED_NODE_TYPES[type] : undefined;
  if (retired) {
    const others = PROVISIONABLE_NODE_TYPES.filter((other) => other !== retired.replacement);
    return `${type} can no longer be provisioned (${retired.why}); use ${retired.replacement}, or ${either(others)}`;
  }
  const lower = type.trim().toLowerCase();
  if (lower !== type && (isProvisionableNodeType(lower) || Object.hasOwn(RETIRED_NODE_TYPES, lower))) {
    const check = checkNodeType(lower);
    return check === true ? `${show(type)} is not a node type; write it as ${lower}` : check;
  }
  return `${show(type)} is not a Redshift node type; use ${either(PROVISIONABLE_NODE_TYPES)}`;
}

/** "1 (single-node) or 2–16", "2–32": what a new cluster of this type may have, for prompts and messages. */
export function nodeCountRange(type: ProvisionableNodeType): string {
  const { singleNode, multiNode } = NODE_TYPE_LIMITS[type];
  const multi = `${multiNode.min}–${multiNode.max}`;
  return singleNode ? `1 (single-node) or ${multi}` : multi;
}

/** The cluster type a node count means when none is given: 1 node is single-node, more is multi-node. */
export function clusterTypeFor(nodes: number): ClusterType {
  return nodes === 1 ? 'single-node' : 'multi-node';
}

/**
 * A new cluster's shape: single-node only where the type allows it, and a multi-node count within the
 * type's create range. Without a cluster type, 1 node means single-node (as CreateCluster is called).
 */
export function checkNodeCount(type: string, clusterType: ClusterType | undefined, nodes: number): LimitCheck {
  const typeCheck = checkNodeType(type);
  if (typeCheck !== true) return typeCheck;
  const nodeType = type as ProvisionableNodeType;
  const { singleNode, multiNode } = NODE_TYPE_LIMITS[nodeType];
  if (!Number.isInteger(nodes) || nodes < 1) {
    return `${String(nodes)} is not a node count; a ${nodeType} cluster has ${nodeCountRange(nodeType)} nodes`;
  }
  const shape = clusterType ?? clusterTypeFor(nodes);
  if (shape === 'single-node') {
    if (!singleNode) {
      return (
        `${nodeType} has no single-node clusters; use ${multiNode.min}–${multiNode.max} nodes (multi-node), ` +
        `or ${either(SINGLE_NODE_TYPES)} for a single node`
      );
    }
    if (nodes !== 1) {
      return `a single-node cluster has exactly 1 node, not ${nodes}; use 1 node, or multi-node for ${nodes}`;
    }
    return true;
  }
  if (nodes < multiNode.min) {
    const alternative = singleNode ? `, or single-node for 1 ${nodeType} node` : '';
    return `a multi-node ${nodeType} cluster needs ${multiNode.min}–${multiNode.max} nodes, not ${nodes}${alternative}`;
  }
  if (nodes > multiNode.max) {
    const bigger = PROVISIONABLE_NODE_TYPES.filter(
      (other) => NODE_TYPE_LIMITS[other].family === NODE_TYPE_LIMITS[nodeType].family,
    ).filter((other) => NODE_TYPE_LIMITS[other].multiNode.max >= nodes);
    const instead = bigger.length > 0 ? `, or a larger type (${either(bigger)})` : '';
    return (
      `a new ${nodeType} cluster takes at most ${multiNode.max} nodes, not ${nodes}; ` +
      `use ${multiNode.min}–${multiNode.max}${instead}`
    );
  }
  return true;
}

/**
 * Ports a new RA3 or RG cluster listens on: "Select a port within the ranges 5431-5455 or 8191-8215"
 * (CreateCluster Port, Valid Values). DC2's wider 1150–65535 no longer matters: DC2 can't be created.
 * Redshift Serverless workgroups take the same two ranges (CreateWorkgroup port). 5439, the default,
 * is inside the first.
 */
export const PORT_RANGES: readonly { min: number; max: number }[] = [
  { min: 5431, max: 5455 },
  { min: 8191, max: 8215 },
];
export const DEFAULT_PORT = 5439;

const portRangesText = PORT_RANGES.map(({ min, max }) => `${min}–${max}`).join(' or ');

function inPortRanges(port: number): boolean {
  return Number.isInteger(port) && PORT_RANGES.some(({ min, max }) => port >= min && port <= max);
}

/** A new cluster's port. Every type AWS provisions today (RA3, RG) shares the same two ranges. */
export function checkPort(type: string, port: number): LimitCheck {
  if (inPortRanges(port)) return true;
  const family = isProvisionableNodeType(type) ? `${NODE_TYPE_LIMITS[type].family} clusters` : 'new clusters';
  const use = `use ${DEFAULT_PORT}, the Redshift default`;
  return `port ${String(port)} is not one ${family} accept (${portRangesText}); ${use}`;
}

/** A new Serverless workgroup's port (CreateWorkgroup: "Valid port ranges are 5431-5455 and 8191-8215"). */
export function checkWorkgroupPort(port: number): LimitCheck {
  if (inPortRanges(port)) return true;
  const use = `use ${DEFAULT_PORT}, the default`;
  return `port ${String(port)} is not one Serverless workgroups accept (${portRangesText}); ${use}`;
}

/**
 * Serverless base capacity, from "Compute capacity for Amazon Redshift Serverless" (the current
 * localized pages and docs.amazonaws.cn carry the newest text; older copies still say 8–512): 4 RPUs,
 * or a multiple of 8 from 8 to 512; AWS's own default is 128. Up to 1024, in steps of 32 above 512,
 * only in the regions listed there; elsewhere the most is 512.
 */
export const BASE_RPU_SMALLEST = 4;
export const BASE_RPU_MAX = 512;
export const BASE_RPU_EXTENDED_MAX = 1024;
export const BASE_RPU_EXTENDED_REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1'] as const;

function isBaseRpuShape(n: number): boolean {
  if (!Number.isInteger(n)) return false;
  if (n === BASE_RPU_SMALLEST) return true;
  if (n >= 8 && n <= BASE_RPU_MAX) return n % 8 === 0;
  return n > BASE_RPU_MAX && n <= BASE_RPU_EXTENDED_MAX && n % 32 === 0;
}

/** The allowed base capacity closest to `n` (ties go up), within `max`. */
export function nearestBaseRpu(n: number, max: number = BASE_RPU_MAX): number {
  if (!Number.isFinite(n) || n <= 6) return n >= 6 ? 8 : BASE_RPU_SMALLEST;
  if (n >= max) return max;
  const step = n > BASE_RPU_MAX ? 32 : 8;
  const down = Math.floor(n / step) * step;
  return n - down < step / 2 ? down : down + step;
}

/**
 * A Serverless workgroup's base capacity in RPUs. With `region`, values above 512 are refused outside
 * the regions that offer them; without it they are only checked for shape (the caller that knows the
 * region should pass it).
 */
export function checkBaseRpu(n: number, region?: string): LimitCheck {
  const extended = region === undefined || (BASE_RPU_EXTENDED_REGIONS as readonly string[]).includes(region);
  const allowed = `4, or a multiple of 8 from 8 to ${BASE_RPU_MAX}`;
  if (!isBaseRpuShape(n)) {
    const max = extended ? BASE_RPU_EXTENDED_MAX : BASE_RPU_MAX;
    const upTo = extended ? `, or a multiple of 32 up to ${BASE_RPU_EXTENDED_MAX} in some regions` : '';
    const suggestion = Number.isFinite(n) ? `, e.g. ${nearestBaseRpu(n, max)}` : '';
    return `${String(n)} RPUs is not a base capacity Redshift Serverless accepts; use ${allowed}${upTo}${suggestion}`;
  }
  if (n > BASE_RPU_MAX && !extended) {
    return (
      `${n} RPUs is only offered in ${either(BASE_RPU_EXTENDED_REGIONS)}; ` +
      `in ${region ?? ''} the base capacity is at most ${BASE_RPU_MAX}`
    );
  }
  return true;
}
