/**
 * `cluster pause` and `cluster resume`: compute billing off and on, the data kept. Each change is
 * recorded on the wizard's own cluster (tags) so the cost so far leaves paused time out.
 */
import { recordPowerChange } from '../aws/cluster-cost.js';
import { clusterIdentifierOf } from '../aws/naming.js';
import { describeCluster, pauseCluster, resumeCluster } from '../aws/redshift.js';
import type { Context } from '../context.js';
import { UserError } from '../errors.js';
import { withDefaults, type ClusterDeps } from './cluster-deps.js';
import { showClusterCost } from './cluster-cost.js';
import type { StepResult } from './types.js';
import { waitForCluster } from './wait.js';
import { endpointWriteBack, writeBack } from './write-back.js';

/** `cluster pause`: compute billing stops; storage is still billed. */
export async function runClusterPause(ctx: Context, options: Partial<ClusterDeps> = {}): Promise<StepResult> {
  const deps = withDefaults(options);
  const clients = await ctx.aws();
  const identifier = clusterIdentifierOf(ctx.config.values());
  const cluster = await describeCluster(clients.redshift, identifier, clients.region);
  if (!cluster)
    throw new UserError(
      `there is no cluster ${identifier} in ${clients.region} to pause: run \`sparkify-dwh cluster status\``,
    );
  if (cluster.status === 'paused') {
    ctx.ui.info(`Cluster ${identifier} is already paused.`);
    return { ok: true, summary: `cluster ${identifier} paused` };
  }
  showClusterCost(ctx, cluster, clients.region);
  let answered;
  if (cluster.status !== 'pausing') {
    answered = await pauseCluster(clients.redshift, identifier, clients.region);
    await recordPowerChange(clients.redshift, cluster, 'pause', ctx.clock.now(), clients.region);
  }
  await waitForCluster(ctx, clients, identifier, {
    goal: 'paused',
    resumeCommand: 'sparkify-dwh cluster pause',
    activity: 'pausing',
    intervalMs: deps.pollIntervalMs,
    timeoutMs: deps.settleTimeoutMs,
    initial: answered,
  });
  ctx.ui.note('Compute is no longer billed; storage still is. `sparkify-dwh cluster resume` brings it back.');
  return { ok: true, summary: `cluster ${identifier} paused` };
}

/** `cluster resume`: back to available, then the endpoint is written back (it can change). */
export async function runClusterResume(ctx: Context, options: Partial<ClusterDeps> = {}): Promise<StepResult> {
  const deps = withDefaults(options);
  const clients = await ctx.aws();
  const identifier = clusterIdentifierOf(ctx.config.values());
  const cluster = await describeCluster(clients.redshift, identifier, clients.region);
  if (!cluster)
    throw new UserError(
      `there is no cluster ${identifier} in ${clients.region} to resume: run \`sparkify-dwh cluster create\``,
    );
  let answered;
  if (cluster.status === 'paused') {
    answered = (await resumeCluster(clients.redshift, identifier, clients.region)) ?? {
      ...cluster,
      status: 'resuming',
    };
    await recordPowerChange(clients.redshift, cluster, 'resume', ctx.clock.now(), clients.region);
  }
  const available =
    cluster.status === 'available'
      ? cluster
      : await waitForCluster(ctx, clients, identifier, {
          goal: 'available',
          resumeCommand: 'sparkify-dwh cluster resume',
          activity: 'resuming',
          intervalMs: deps.pollIntervalMs,
          timeoutMs: deps.createTimeoutMs,
          // Right after ResumeCluster, DescribeClusters may still say "paused" once.
          ...(answered ? { initial: answered, staleAnswers: 1 } : {}),
        });
  if (available?.endpoint) await writeBack(ctx.config, endpointWriteBack(available.endpoint.address));
  if (available) showClusterCost(ctx, available, clients.region);
  return { ok: true, summary: `cluster ${identifier} available` };
}
