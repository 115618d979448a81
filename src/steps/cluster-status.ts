/** `cluster status` and the cluster's line in the menu. */
import { failedStatusAdvice, isFailedClusterStatus } from '../aws/cluster-state.js';
import { clusterIdentifierOf } from '../aws/naming.js';
import { clusterCostReport, type ClusterCostReport } from '../aws/cluster-cost.js';
import { NODE_TYPE_INFO, type NodeType } from '../aws/pricing.js';
import { describeCluster, latestClusterEvent, type ClusterInfo } from '../aws/redshift.js';
import { isCreatedByWizard } from '../aws/tags.js';
import type { DwhAccess } from '../config/types.js';
import type { Context } from '../context.js';
import { storedMegabytesSql } from '../sql/storage.js';
import { formatAge, formatDuration, formatMoney } from '../ui/format.js';
import { awsProblemStatus } from './aws-status.js';
import { costLine, costWarning } from './cluster-cost.js';
import type { StatusSnapshot, StepResult, StepStatus } from './types.js';

/** `cluster status`: status, endpoint, node type and count, how long it has run and what it has cost. */
export async function runClusterStatus(ctx: Context): Promise<StepResult> {
  const config = ctx.config.values();
  const clients = await ctx.aws();
  const identifier = clusterIdentifierOf(config);
  const cluster = await describeCluster(clients.redshift, identifier, clients.region);
  if (!cluster) {
    ctx.ui.info(
      `No cluster ${identifier} in ${clients.region}: nothing is running or billed. ` +
        'Create one with `sparkify-dwh cluster create`.',
    );
    return { ok: true, summary: `no cluster ${identifier}` };
  }
  const now = ctx.clock.now();
  const created = cluster.createdAt?.getTime();
  const storedGb = await measureStoredGb(ctx, cluster);
  const report = clusterCostReport(cluster, clients.region, now, { storedGb });
  const rows = [
    { field: 'Cluster', value: `${cluster.identifier} (${clients.region})` },
    { field: 'Status', value: cluster.status },
    {
      field: 'Endpoint',
      value: cluster.endpoint ? `${cluster.endpoint.address}:${cluster.endpoint.port}` : '(none yet)',
    },
    { field: 'Nodes', value: `${cluster.numberOfNodes} × ${cluster.nodeType}` },
    { field: 'Database', value: `${cluster.dbName ?? '?'} (user ${cluster.masterUsername ?? '?'})` },
    { field: 'Access', value: accessText(cluster, config.dwh.access) },
    {
      field: 'Admin password',
      value: cluster.masterPasswordSecretArn
        ? `in AWS Secrets Manager: ${cluster.masterPasswordSecretArn}`
        : 'set by you (not kept by AWS)',
    },
    { field: 'Created', value: created === undefined ? 'unknown' : formatAge(created, now) },
    ...costRows(report, storedGb, hasManagedStorage(cluster.nodeType)),
    {
      field: 'Created by',
      value: isCreatedByWizard(cluster.tags) ? 'sparkify-dwh' : 'someone else (teardown leaves it alone)',
    },
  ];
  ctx.ui.table(rows, {
    title: `Cluster ${cluster.identifier}`,
    columns: [
      { key: 'field', header: 'Field' },
      { key: 'value', header: 'Value' },
    ],
  });
  const warning = report ? costWarning(identifier, report) : undefined;
  if (warning) ctx.ui.warn(warning);
  if (isFailedClusterStatus(cluster.status)) {
    const event = await latestClusterEvent(clients.redshift, identifier);
    ctx.ui.warn(
      `Cluster ${identifier} is ${cluster.status}${event ? ` (${event})` : ''}: ${failedStatusAdvice(cluster.status)}`,
    );
  }
  if (cluster.endpoint && config.cluster.host !== cluster.endpoint.address) {
    ctx.ui.warn(
      `[CLUSTER] HOST in ${ctx.config.displayPath} is not this cluster's endpoint: ` +
        'run `sparkify-dwh cluster create` to write it back.',
    );
  }
  const cost = report ? `, ${costLine(report)}` : '';
  return { ok: true, summary: `cluster ${identifier} ${cluster.status}${cost}` };
}

/** How the cluster is reached, and whether that matches DWH_ACCESS. */
function accessText(cluster: ClusterInfo, access: DwhAccess): string {
  const how =
    access === 'private' ? 'private: SQL through the Redshift Data API' : 'public: direct TLS from DWH_ALLOWED_CIDR';
  if (cluster.publiclyAccessible === undefined) return how;
  const actual = cluster.publiclyAccessible ? 'publicly accessible' : 'not publicly accessible';
  return `${how} (the cluster is ${actual})`;
}

function hasManagedStorage(nodeType: string): boolean {
  return Object.hasOwn(NODE_TYPE_INFO, nodeType) && NODE_TYPE_INFO[nodeType as NodeType].managedStorage;
}

/** The running, cost-so-far and cost-now rows of `cluster status`. */
function costRows(
  report: ClusterCostReport | undefined,
  storedGb: number | undefined,
  managedStorage: boolean,
): Array<{ field: string; value: string }> {
  if (!report) return [{ field: 'Cost so far', value: 'unknown (no price for this node type)' }];
  const { cost } = report;
  const lowerBound = cost.exactRegion ? '' : ', us-east-1 prices: a lower bound';
  const upperBound = report.pausesKnown ? '' : '; a pause made outside sparkify-dwh counts as running';
  const storage = !managedStorage
    ? ''
    : storedGb === undefined
      ? ' + managed storage (size not measured)'
      : ` + ${formatMoney(cost.storageUsd)} managed storage for ${storedGb.toFixed(2)} GB`;
  return [
    {
      field: 'Running',
      value:
        cost.runningSinceMs === undefined ? 'no: paused (compute is not billed)' : formatDuration(report.runningMs),
    },
    {
      field: 'Cost so far',
      value:
        `~${formatMoney(cost.totalUsd)} (${formatMoney(cost.computeUsd)} compute${storage}; ` +
        `on-demand estimate${lowerBound}${upperBound})`,
    },
    {
      field: 'Cost now',
      value:
        cost.runningSinceMs === undefined
          ? 'managed storage only, while paused'
          : `~${formatMoney(cost.currentUsdPerHour)} per hour`,
    },
  ];
}

/**
 * Managed storage in use, when the configured warehouse is this cluster and it answers: the size of
 * the tables in GB. Undefined otherwise (never a failure: the cost is then shown without it).
 */
async function measureStoredGb(ctx: Context, cluster: ClusterInfo): Promise<number | undefined> {
  const config = ctx.config.values();
  const reachable =
    ctx.target() === 'redshift' &&
    cluster.status === 'available' &&
    cluster.endpoint !== undefined &&
    config.cluster.host === cluster.endpoint.address;
  if (!reachable || !hasManagedStorage(cluster.nodeType)) return undefined;
  const spinner = ctx.ui.spinner('Measuring the data stored in the cluster…');
  try {
    const warehouse = await ctx.warehouse();
    const result = await warehouse.query<{ megabytes: number | string }>(storedMegabytesSql());
    spinner.stop();
    const megabytes = Number(result.rows[0]?.megabytes ?? 0);
    return Number.isFinite(megabytes) ? megabytes / 1024 : undefined;
  } catch {
    spinner.stop();
    return undefined;
  }
}

/** Live status for the menu: available / paused / creating / none. Never throws. */
export async function clusterStatus(ctx: Context, snapshot?: StatusSnapshot): Promise<StepStatus> {
  try {
    const clients = await ctx.aws();
    const identifier = clusterIdentifierOf(ctx.config.values());
    // Through the menu's snapshot: the header's cost line reads the same DescribeClusters answer.
    const cluster = await (snapshot
      ? snapshot.cluster()
      : describeCluster(clients.redshift, identifier, clients.region));
    if (!cluster) return { state: 'todo', detail: 'no cluster' };
    if (cluster.status === 'available') return { state: 'done', detail: 'cluster available' };
    if (cluster.status === 'paused') return { state: 'stale', detail: 'cluster paused' };
    if (isFailedClusterStatus(cluster.status)) return { state: 'stale', detail: `cluster ${cluster.status}` };
    return { state: 'todo', detail: `cluster ${cluster.status}` };
  } catch (error) {
    return awsProblemStatus(error);
  }
}
