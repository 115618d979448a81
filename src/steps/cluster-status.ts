/** `cluster status` and the cluster's line in the menu. */
import { failedStatusAdvice, isFailedClusterStatus } from '../aws/cluster-state.js';
import { clusterIdentifierOf } from '../aws/naming.js';
import { estimateCostSince } from '../aws/pricing.js';
import { describeCluster, latestClusterEvent } from '../aws/redshift.js';
import { isCreatedByWizard } from '../aws/tags.js';
import type { Context } from '../context.js';
import { UserError } from '../errors.js';
import { formatAge, formatMoney } from '../ui/format.js';
import type { StepResult, StepStatus } from './types.js';

/** `cluster status`: status, endpoint, node type and count, age and estimated cost so far. */
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
  const cost =
    created === undefined
      ? undefined
      : estimateCostSince(cluster.nodeType, cluster.numberOfNodes, clients.region, created, now);
  const rows = [
    { field: 'Cluster', value: `${cluster.identifier} (${clients.region})` },
    { field: 'Status', value: cluster.status },
    {
      field: 'Endpoint',
      value: cluster.endpoint ? `${cluster.endpoint.address}:${cluster.endpoint.port}` : '(none yet)',
    },
    { field: 'Nodes', value: `${cluster.numberOfNodes} × ${cluster.nodeType}` },
    { field: 'Database', value: `${cluster.dbName ?? '?'} (user ${cluster.masterUsername ?? '?'})` },
    { field: 'Created', value: created === undefined ? 'unknown' : formatAge(created, now) },
    {
      field: 'Cost so far',
      value:
        cost === undefined
          ? 'unknown'
          : `~${formatMoney(cost)} (on-demand estimate; paused time is not billed for compute)`,
    },
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
  return { ok: true, summary: `cluster ${identifier} ${cluster.status}` };
}

/** Live status for the menu: available / paused / creating / none. Never throws. */
export async function clusterStatus(ctx: Context): Promise<StepStatus> {
  try {
    const clients = await ctx.aws();
    const identifier = clusterIdentifierOf(ctx.config.values());
    const cluster = await describeCluster(clients.redshift, identifier, clients.region);
    if (!cluster) return { state: 'todo', detail: 'no cluster' };
    if (cluster.status === 'available') return { state: 'done', detail: 'cluster available' };
    if (cluster.status === 'paused') return { state: 'stale', detail: 'cluster paused' };
    if (isFailedClusterStatus(cluster.status)) return { state: 'stale', detail: `cluster ${cluster.status}` };
    return { state: 'todo', detail: `cluster ${cluster.status}` };
  } catch (error) {
    return {
      state: 'unavailable',
      detail: error instanceof UserError ? 'AWS not reachable: check credentials' : 'status unknown',
    };
  }
}
