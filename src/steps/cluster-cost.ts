/**
 * What a cluster has run and cost, said the same way by `cluster status`, the other cluster commands
 * and the menu header (clusterCostHeader), with a warning past the cost guard's threshold (4 h of
 * running or $10; src/aws/pricing.ts). The figures come from src/aws/cluster-cost.ts.
 */
import { clusterCostReport, type ClusterCostReport } from '../aws/cluster-cost.js';
import { clusterIdentifierOf } from '../aws/naming.js';
import { describeCluster, type ClusterInfo } from '../aws/redshift.js';
import type { Context } from '../context.js';
import { formatDuration, formatMoney } from '../ui/format.js';

/** "running for 5 h 12 min, ~$2.83 so far" / "~$2.83 so far; only storage is billed while paused". */
export function costLine(report: ClusterCostReport): string {
  const so = `~${formatMoney(report.cost.totalUsd)} so far${report.pausesKnown ? '' : ' (at most)'}`;
  if (report.cost.runningSinceMs === undefined) return `${so}; only storage is billed while paused`;
  return `running for ${formatDuration(report.runningMs)}, ${so}`;
}

/** "Cluster dwhcluster: running for …" / "Cluster dwhcluster: paused, ~$… so far; …". */
function clusterLine(identifier: string, report: ClusterCostReport): string {
  const paused = report.cost.runningSinceMs === undefined ? 'paused, ' : '';
  return `Cluster ${identifier}: ${paused}${costLine(report)}`;
}

/** The cost guard's warning for a cluster left running, or undefined. */
export function costWarning(identifier: string, report: ClusterCostReport): string | undefined {
  if (!report.guard.warn) return undefined;
  return (
    `Cluster ${identifier} has been running for ${formatDuration(report.runningMs)} and has cost ` +
    `~${formatMoney(report.cost.totalUsd)} so far: pause it (\`sparkify-dwh cluster pause\`) or ` +
    'delete it (`sparkify-dwh teardown`) when you are done.'
  );
}

/** Show the cluster's run time and cost in one line, and the cost guard's warning when it applies. */
export function showClusterCost(ctx: Context, cluster: ClusterInfo, region: string): ClusterCostReport | undefined {
  const report = clusterCostReport(cluster, region, ctx.clock.now());
  if (!report) return undefined;
  ctx.ui.note(`${clusterLine(cluster.identifier, report)} (on-demand estimate).`);
  const warning = costWarning(cluster.identifier, report);
  if (warning) ctx.ui.warn(warning);
  return report;
}

/**
 * For the menu header: one line on the configured cluster's run time and cost, and whether to warn;
 * undefined when there is no cluster, no price or AWS cannot be asked. Never throws; one
 * DescribeClusters call.
 */
export async function clusterCostHeader(
  ctx: Context,
  /** How the cluster is read: the menu passes its drawing's snapshot, which the cluster step shares. */
  readCluster?: () => Promise<ClusterInfo | undefined>,
): Promise<{ text: string; warn: boolean } | undefined> {
  try {
    const clients = await ctx.aws();
    const identifier = clusterIdentifierOf(ctx.config.values());
    const cluster = await (readCluster ? readCluster() : describeCluster(clients.redshift, identifier, clients.region));
    if (!cluster) return undefined;
    const report = clusterCostReport(cluster, clients.region, ctx.clock.now());
    if (!report) return undefined;
    const warning = costWarning(identifier, report);
    return { text: warning ?? clusterLine(identifier, report), warn: warning !== undefined };
  } catch {
    return undefined;
  }
}
