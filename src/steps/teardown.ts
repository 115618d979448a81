/**
 * `teardown`: delete what the wizard created in AWS for this cluster, and only that. Resources are
 * recognised by their tags, not by name (src/aws/teardown.ts): a role or group the user made by
 * hand under the same name, one made for another cluster, or a role another cluster uses, is
 * listed and left alone, and [IAM_ROLE] ARN is then kept. The automatic pause goes too
 * (teardown-schedule.ts). Every step tolerates "already gone": rerunning finishes a teardown.
 * Under --yes there is no final snapshot: teardown is how people stop paying, and a snapshot
 * keeps costing storage. Interactively the user is offered one (default no).
 */
import type { AwsClients } from '../aws/clients.js';
import type { SecurityGroupInfo } from '../aws/ec2.js';
import { deleteRoleAndPolicies } from '../aws/iam.js';
import { clusterIdentifierOf, finalSnapshotIdentifier } from '../aws/naming.js';
import { checkState } from '../aws/cluster-state.js';
import { describeIngressRule } from '../aws/provision-network.js';
import { describeCluster, deleteCluster, type ClusterInfo } from '../aws/redshift.js';
import { ownerText } from '../aws/tags.js';
import { deleteGroupWhenFree, planTeardown, type RoleLeftBecause, type TeardownPlan } from '../aws/teardown.js';
import type { Context } from '../context.js';
import { InterruptedError, UserError } from '../errors.js';
import { formatDuration } from '../ui/format.js';
import { awsProblemStatus } from './aws-status.js';
import { showClusterCost } from './cluster-cost.js';
import { askToApply, planThenApply } from './plan-first.js';
import { planPauseRemoval, removePause } from './teardown-schedule.js';
import type { MenuStep, StatusSnapshot, StepResult, StepStatus } from './types.js';
import { waitForCluster } from './wait.js';
import { clearWrittenBack } from './write-back.js';

export interface TeardownDeps {
  pollIntervalMs: number;
  /** Give up waiting for the cluster to disappear after this long. */
  deleteTimeoutMs: number;
  /** Give up waiting for a creating, resuming, pausing or modifying cluster to settle after this long. */
  settleTimeoutMs: number;
  /** Between two attempts to delete a security group still held by the cluster's network interfaces. */
  groupRetryIntervalMs: number;
  groupRetryTimeoutMs: number;
}

export const defaultTeardownDeps: TeardownDeps = {
  pollIntervalMs: 15_000,
  deleteTimeoutMs: 30 * 60_000,
  settleTimeoutMs: 40 * 60_000,
  groupRetryIntervalMs: 10_000,
  groupRetryTimeoutMs: 10 * 60_000,
};

/** Why a role is left, in the plan's words. */
function roleLeftText(left: RoleLeftBecause): string {
  switch (left.kind) {
    case 'not-ours':
      return 'left alone: not created by sparkify-dwh';
    case 'other-cluster':
      return `left alone: belongs to ${ownerText(left)}`;
    case 'attached-elsewhere':
      return `left alone: cluster ${left.clusters.join(', ')} uses it too`;
  }
}

function showPlan(ctx: Context, plan: TeardownPlan): { deleting: number } {
  const rows: Array<{ resource: string; name: string; action: string }> = [];
  const action = (ours: boolean): string => (ours ? 'delete' : 'left alone: not created by sparkify-dwh');
  if (plan.cluster) {
    rows.push({
      resource: 'Redshift cluster',
      name: `${plan.cluster.identifier} (${plan.cluster.status})`,
      action: action(plan.cluster.ours),
    });
  }
  if (plan.role) {
    const policies = plan.role.policies.length > 0 ? ` with ${plan.role.policies.join(', ')}` : '';
    rows.push({
      resource: 'IAM role',
      name: `${plan.role.name}${policies}`,
      action: plan.role.leftBecause ? roleLeftText(plan.role.leftBecause) : 'delete',
    });
  }
  for (const group of plan.groups) {
    const foreign =
      group.foreignRules.length > 0
        ? `; with rules someone else added: ${group.foreignRules.map(describeIngressRule).join(', ')}`
        : '';
    rows.push({
      resource: 'Security group',
      name: `${group.name} (${group.id})${foreign}`,
      action: action(group.ours),
    });
  }
  const deleting = rows.filter((row) => row.action === 'delete').length;
  if (rows.length > 0) {
    ctx.ui.table(rows, {
      title: 'AWS resources',
      columns: [
        { key: 'resource', header: 'Resource' },
        { key: 'name', header: 'Name' },
        { key: 'action', header: 'Teardown' },
      ],
    });
  }
  for (const group of plan.groups.filter((candidate) => candidate.ours && candidate.foreignRules.length > 0)) {
    ctx.ui.warn(
      `Security group ${group.name} also has rules sparkify-dwh did not add ` +
        `(${group.foreignRules.map(describeIngressRule).join(', ')}): deleting the group removes them too.`,
    );
  }
  return { deleting };
}

/** `teardown`: list, confirm, delete the cluster, wait, then the role and the security group. */
export async function runTeardown(ctx: Context, options: Partial<TeardownDeps> = {}): Promise<StepResult> {
  const deps = { ...defaultTeardownDeps, ...options };
  const clients = await ctx.aws();
  ctx.ui.heading(`Teardown in ${clients.region}`);
  const plan = await planTeardown(clients, ctx.config.values());
  const deleting = showPlan(ctx, plan).deleting;
  const pause = await planPauseRemoval(ctx, clients, plan.clusterIdentifier);

  if (plan.cluster) showClusterCost(ctx, plan.cluster, clients.region);
  // [IAM_ROLE] ARN is cleared only when it names the role of this config and that role is gone.
  const arnNamesRole = (ctx.config.get('IAM_ROLE', 'ARN') ?? '').endsWith(`/${plan.roleName}`);

  if (deleting + pause.deleting === 0) {
    ctx.ui.info('Nothing created by sparkify-dwh is left in AWS.');
    await clearWrittenBack(ctx, { host: plan.cluster === undefined, arn: plan.role === undefined && arnNamesRole });
    return { ok: true, summary: 'nothing to delete' };
  }

  if (!ctx.prompts.unattended) {
    const go = await askToApply(
      ctx,
      async (prompts) =>
        (await prompts.input({
          message:
            `Type the cluster identifier (${plan.clusterIdentifier}) to delete what is listed, ` +
            'or leave empty to stop',
          validate: (value) =>
            value === '' ||
            value === plan.clusterIdentifier ||
            `type ${plan.clusterIdentifier} exactly, or leave it empty to stop`,
        })) === plan.clusterIdentifier,
    );
    if (!go) {
      ctx.ui.info('Nothing deleted.');
      return { ok: false, summary: 'teardown cancelled' };
    }
  }

  if (plan.cluster?.ours) await deleteOurCluster(ctx, clients, plan, deps);
  const clusterGone = plan.cluster === undefined || plan.cluster.ours;

  const roleDeleted = plan.role?.ours === true;
  if (plan.role?.ours) {
    await deleteRoleAndPolicies(clients.iam, plan.role.name);
    ctx.ui.success(`IAM role ${plan.role.name} deleted`);
  }
  for (const group of plan.groups) if (group.ours) await deleteGroup(ctx, clients, group, deps);
  await removePause(ctx, clients, pause.plan);

  await clearWrittenBack(ctx, { host: clusterGone, arn: arnNamesRole && (roleDeleted || plan.role === undefined) });
  return { ok: true, summary: 'deleted what sparkify-dwh created' };
}

/** What a cluster in a transitional state is doing, for "is still …" messages. */
function activityOf(status: string): string {
  const activities: Record<string, string> = { creating: 'being created', modifying: 'being modified' };
  return activities[status] ?? (['resizing', 'renaming'].includes(status) ? `being ${status.slice(0, -3)}ed` : status);
}

/**
 * DeleteCluster (unless already under way), with a final snapshot if the user wants one, and wait
 * until it is gone. DeleteCluster refuses a cluster that is creating, resuming, pausing or modifying:
 * teardown waits that out with the spinner first (a Ctrl-C during `cluster create` leaves one creating).
 */
async function deleteOurCluster(
  ctx: Context,
  clients: AwsClients,
  plan: TeardownPlan,
  deps: TeardownDeps,
): Promise<void> {
  const identifier = plan.clusterIdentifier;
  let current: ClusterInfo | undefined = plan.cluster;
  if (current && current.status !== 'deleting' && current.status !== 'final-snapshot') {
    let snapshot: string | undefined;
    if (!ctx.prompts.unattended) {
      const keep = await ctx.prompts.confirm({
        message: 'Keep a final snapshot of the cluster? (its storage is billed until you delete it)',
        default: false,
      });
      if (keep) snapshot = finalSnapshotIdentifier(identifier, ctx.clock.now());
    }
    for (let attempt = 1; current; attempt += 1) {
      if (checkState(current, 'deletable').state !== 'SUCCESS') {
        ctx.ui.info(`Cluster ${identifier} is ${current.status}: AWS deletes it only once that is done; waiting.`);
        current = await waitForCluster(ctx, clients, identifier, {
          goal: 'deletable',
          resumeCommand: 'sparkify-dwh teardown',
          activity: activityOf(current.status),
          intervalMs: deps.pollIntervalMs,
          timeoutMs: deps.settleTimeoutMs,
        });
        if (!current || current.status === 'deleting' || current.status === 'final-snapshot') break;
      }
      const outcome = await deleteCluster(clients.redshift, identifier, snapshot, clients.region);
      if (outcome !== 'busy') {
        if (outcome === 'deleting') {
          const how = snapshot ? ` (final snapshot ${snapshot})` : ' (no final snapshot)';
          ctx.ui.success(`Deleting cluster ${identifier}${how}`);
        }
        break;
      }
      // Its state changed between our look and DeleteCluster: look again and wait, a few times.
      if (attempt >= 3) {
        throw new UserError(
          `AWS keeps refusing to delete cluster ${identifier} in its current state: ` +
            'run `sparkify-dwh cluster status`, then `sparkify-dwh teardown` again in a few minutes',
        );
      }
      current = { ...current, status: 'busy' };
    }
  }
  await waitForCluster(ctx, clients, identifier, {
    goal: 'gone',
    resumeCommand: 'sparkify-dwh teardown',
    activity: 'being deleted',
    intervalMs: deps.pollIntervalMs,
    timeoutMs: deps.deleteTimeoutMs,
  });
}

/** Security groups stay "in use" for a few minutes after the cluster, while its ENIs go away. */
async function deleteGroup(
  ctx: Context,
  clients: AwsClients,
  group: SecurityGroupInfo,
  deps: TeardownDeps,
): Promise<void> {
  let spinner: ReturnType<Context['ui']['spinner']> | undefined;
  const retrySeconds = Math.ceil(deps.groupRetryIntervalMs / 1000);
  const result = await deleteGroupWhenFree(clients, group.id, {
    clock: ctx.clock,
    signal: ctx.signal,
    intervalMs: deps.groupRetryIntervalMs,
    timeoutMs: deps.groupRetryTimeoutMs,
    onRetry: (waitedMs) => {
      spinner ??= ctx.ui.spinner(`Security group ${group.name}: waiting for the cluster's network interfaces to go…`);
      spinner.update(
        `Security group ${group.name}: still in use · ${formatDuration(waitedMs)} · retrying in ${retrySeconds} s`,
      );
    },
  });
  if (result.state === 'SUCCESS') {
    const done = result.outcome === 'deleted' ? 'deleted' : 'already gone';
    const text = `Security group ${group.name} (${group.id}) ${done}`;
    if (spinner) spinner.succeed(text);
    else ctx.ui.success(text);
    return;
  }
  if (result.state === 'TIMEOUT') {
    spinner?.warn(`Security group ${group.name} is still in use`);
    throw new UserError(
      `security group ${group.name} (${group.id}) is still in use after ${formatDuration(result.elapsedMs)}: ` +
        'run `sparkify-dwh teardown` again in a few minutes',
    );
  }
  spinner?.stop();
  ctx.ui.warn(
    `Stopped; security group ${group.name} is not deleted yet. Run \`sparkify-dwh teardown\` again to finish.`,
  );
  throw new InterruptedError();
}

/**
 * The menu: whether anything of ours is still running (and billed). Never throws. In the menu the
 * cluster is read through the drawing's snapshot, the same DescribeClusters answer as the cluster
 * step's status and the header's cost line: one call per drawing, not one per entry.
 */
export async function teardownStatus(ctx: Context, snapshot?: StatusSnapshot): Promise<StepStatus> {
  try {
    const clients = await ctx.aws();
    const identifier = clusterIdentifierOf(ctx.config.values());
    const cluster = await (snapshot
      ? snapshot.cluster()
      : describeCluster(clients.redshift, identifier, clients.region));
    if (cluster) return { state: 'todo', detail: `cluster ${cluster.status}: delete it when done` };
    return { state: 'done', detail: 'no cluster' };
  } catch (error) {
    return awsProblemStatus(error);
  }
}

export const teardownStep: MenuStep = {
  id: 'teardown',
  title: 'Tear down AWS resources',
  applies: (ctx) => ctx.target() === 'redshift',
  status: teardownStatus,
  run: (ctx) => planThenApply(ctx, (context) => runTeardown(context)),
};
