/**
 * `teardown`: delete what the wizard created in AWS, and only that. Resources are recognised by
 * the created-by = sparkify-dwh tag, not by name: a role or group the user made by hand under the
 * same name is listed and left alone. Every step tolerates "already gone", so a teardown that was
 * interrupted or failed halfway is finished by running it again.
 *
 * Under --yes there is no final snapshot: teardown is how people stop paying, and a snapshot
 * keeps costing storage. Interactively the user is offered one (default no).
 */
import type { AwsClients } from '../aws/clients.js';
import {
  deleteSecurityGroup,
  describeSecurityGroups,
  findDefaultVpc,
  findSecurityGroupByName,
  type SecurityGroupInfo,
} from '../aws/ec2.js';
import { deleteRoleAndPolicies, getRole, listRolePolicies, type RoleInfo } from '../aws/iam.js';
import { deleteCluster, describeCluster, type ClusterInfo } from '../aws/redshift.js';
import { isCreatedByWizard } from '../aws/tags.js';
import type { ConfigChange } from '../config/types.js';
import type { Context } from '../context.js';
import { InterruptedError, isInterrupted, UserError } from '../errors.js';
import { formatDuration } from '../ui/format.js';
import { clusterIdentifierOf, DEFAULT_ROLE_NAME, securityGroupNameFor, waitForCluster } from './cluster.js';
import type { MenuStep, StepResult, StepStatus } from './types.js';

export interface TeardownDeps {
  pollIntervalMs: number;
  /** Give up waiting for the cluster to disappear after this long. */
  deleteTimeoutMs: number;
  /** Between two attempts to delete a security group still held by the cluster's network interfaces. */
  groupRetryIntervalMs: number;
  groupRetryTimeoutMs: number;
}

export const defaultTeardownDeps: TeardownDeps = {
  pollIntervalMs: 15_000,
  deleteTimeoutMs: 30 * 60_000,
  groupRetryIntervalMs: 10_000,
  groupRetryTimeoutMs: 10 * 60_000,
};

export interface TeardownPlan {
  clusterIdentifier: string;
  roleName: string;
  cluster: ClusterInfo | undefined;
  role: (RoleInfo & { policies: string[] }) | undefined;
  groups: SecurityGroupInfo[];
}

/** What exists, found by the names in dwh.cfg and the cluster's own security groups. */
export async function planTeardown(ctx: Context, clients: AwsClients): Promise<TeardownPlan> {
  const config = ctx.config.values();
  const clusterIdentifier = clusterIdentifierOf(config);
  const roleName = config.dwh.iamRoleName ?? DEFAULT_ROLE_NAME;
  const cluster = await describeCluster(clients.redshift, clusterIdentifier, clients.region);
  const role = await getRole(clients.iam, roleName);
  let policies: string[] = [];
  if (role && isCreatedByWizard(role.tags)) {
    const listed = await listRolePolicies(clients.iam, roleName);
    policies = [...listed.inline, ...listed.attached];
  }
  const groupIds = new Set(cluster?.securityGroupIds ?? []);
  const vpcId = await findDefaultVpc(clients.ec2, clients.region);
  const groups = await describeSecurityGroups(clients.ec2, [...groupIds], clients.region);
  if (vpcId) {
    const byName = await findSecurityGroupByName(
      clients.ec2,
      securityGroupNameFor(clusterIdentifier),
      vpcId,
      clients.region,
    );
    if (byName && !groupIds.has(byName.id)) groups.push(byName);
  }
  return { clusterIdentifier, roleName, cluster, role: role ? { ...role, policies } : undefined, groups };
}

function showPlan(ctx: Context, plan: TeardownPlan): { deleting: number } {
  const rows: Array<{ resource: string; name: string; action: string }> = [];
  const keep = 'left alone: not created by sparkify-dwh';
  if (plan.cluster) {
    const ours = isCreatedByWizard(plan.cluster.tags);
    rows.push({
      resource: 'Redshift cluster',
      name: `${plan.cluster.identifier} (${plan.cluster.status})`,
      action: ours ? 'delete' : keep,
    });
  }
  if (plan.role) {
    const ours = isCreatedByWizard(plan.role.tags);
    const policies = plan.role.policies.length > 0 ? ` with ${plan.role.policies.join(', ')}` : '';
    rows.push({
      resource: 'IAM role',
      name: `${plan.role.name}${ours ? policies : ''}`,
      action: ours ? 'delete' : keep,
    });
  }
  for (const group of plan.groups) {
    rows.push({
      resource: 'Security group',
      name: `${group.name} (${group.id})`,
      action: isCreatedByWizard(group.tags) ? 'delete' : keep,
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
  return { deleting };
}

/** "dwhcluster-final-20250102-030405", from the injectable clock so tests know the name. */
export function finalSnapshotIdentifier(clusterIdentifier: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${clusterIdentifier}-final-${stamp}`;
}

/** `teardown`: list, confirm, delete the cluster, wait, then the role and the security group. */
export async function runTeardown(ctx: Context, options: Partial<TeardownDeps> = {}): Promise<StepResult> {
  const deps = { ...defaultTeardownDeps, ...options };
  const clients = await ctx.aws();
  ctx.ui.heading(`Teardown in ${clients.region}`);
  const plan = await planTeardown(ctx, clients);
  const { deleting } = showPlan(ctx, plan);
  const clusterOurs = plan.cluster !== undefined && isCreatedByWizard(plan.cluster.tags);
  const roleOurs = plan.role !== undefined && isCreatedByWizard(plan.role.tags);
  const ourGroups = plan.groups.filter((group) => isCreatedByWizard(group.tags));

  if (deleting === 0) {
    ctx.ui.info('Nothing created by sparkify-dwh is left in AWS.');
    await clearWrittenBack(ctx, { host: plan.cluster === undefined, arn: plan.role === undefined || !roleOurs });
    return { ok: true, summary: 'nothing to delete' };
  }

  if (!ctx.prompts.unattended) {
    const typed = await ctx.prompts.input({
      message: `Type the cluster identifier (${plan.clusterIdentifier}) to delete what is listed, or leave empty to stop`,
      validate: (value) =>
        value === '' ||
        value === plan.clusterIdentifier ||
        `type ${plan.clusterIdentifier} exactly, or leave it empty to stop`,
    });
    if (typed !== plan.clusterIdentifier) {
      ctx.ui.info('Nothing deleted.');
      return { ok: false, summary: 'teardown cancelled' };
    }
  }

  if (clusterOurs && plan.cluster) {
    if (plan.cluster.status !== 'deleting' && plan.cluster.status !== 'final-snapshot') {
      let snapshot: string | undefined;
      if (!ctx.prompts.unattended) {
        const keep = await ctx.prompts.confirm({
          message: 'Keep a final snapshot of the cluster? (its storage is billed until you delete it)',
          default: false,
        });
        if (keep) snapshot = finalSnapshotIdentifier(plan.clusterIdentifier, ctx.clock.now());
      }
      await deleteCluster(clients.redshift, plan.clusterIdentifier, snapshot, clients.region);
      ctx.ui.success(
        `Deleting cluster ${plan.clusterIdentifier}${snapshot ? ` (final snapshot ${snapshot})` : ' (no final snapshot)'}`,
      );
    }
    await waitForCluster(ctx, clients, plan.clusterIdentifier, {
      goal: 'gone',
      resumeCommand: 'sparkify-dwh teardown',
      activity: 'being deleted',
      intervalMs: deps.pollIntervalMs,
      timeoutMs: deps.deleteTimeoutMs,
    });
  }
  const clusterGone = clusterOurs || plan.cluster === undefined;

  if (roleOurs && plan.role) {
    await deleteRoleAndPolicies(clients.iam, plan.role.name);
    ctx.ui.success(`IAM role ${plan.role.name} deleted`);
  }
  for (const group of ourGroups) await deleteGroupWhenFree(ctx, clients, group, deps);

  await clearWrittenBack(ctx, { host: clusterGone, arn: roleOurs || plan.role === undefined });
  return { ok: true, summary: 'deleted what sparkify-dwh created' };
}

/** Security groups stay "in use" for a few minutes after the cluster, while its ENIs go away. */
async function deleteGroupWhenFree(
  ctx: Context,
  clients: AwsClients,
  group: SecurityGroupInfo,
  deps: TeardownDeps,
): Promise<void> {
  const started = ctx.clock.now();
  let spinner: ReturnType<Context['ui']['spinner']> | undefined;
  try {
    for (;;) {
      const outcome = await deleteSecurityGroup(clients.ec2, group.id, clients.region);
      if (outcome !== 'in-use') {
        const text = `Security group ${group.name} (${group.id}) ${outcome === 'deleted' ? 'deleted' : 'already gone'}`;
        if (spinner) spinner.succeed(text);
        else ctx.ui.success(text);
        return;
      }
      const waited = ctx.clock.now() - started;
      if (waited >= deps.groupRetryTimeoutMs) {
        spinner?.warn(`Security group ${group.name} is still in use`);
        throw new UserError(
          `security group ${group.name} (${group.id}) is still in use after ${formatDuration(waited)}: run \`sparkify-dwh teardown\` again in a few minutes`,
        );
      }
      spinner ??= ctx.ui.spinner(`Security group ${group.name}: waiting for the cluster's network interfaces to go…`);
      spinner.update(
        `Security group ${group.name}: still in use · ${formatDuration(waited)} · retrying in ${Math.ceil(deps.groupRetryIntervalMs / 1000)} s`,
      );
      await ctx.clock.sleep(deps.groupRetryIntervalMs, ctx.signal);
    }
  } catch (error) {
    if (isInterrupted(error) || ctx.signal.aborted) {
      spinner?.stop();
      ctx.ui.warn(
        `Stopped; security group ${group.name} is not deleted yet. Run \`sparkify-dwh teardown\` again to finish.`,
      );
      throw new InterruptedError();
    }
    throw error;
  }
}

/** Clear [CLUSTER] HOST and [IAM_ROLE] ARN once what they point to is gone. */
async function clearWrittenBack(ctx: Context, gone: { host: boolean; arn: boolean }): Promise<void> {
  const changes: ConfigChange[] = [];
  if (gone.host && ctx.config.get('CLUSTER', 'HOST'))
    changes.push({ section: 'CLUSTER', key: 'HOST', value: undefined });
  if (gone.arn && ctx.config.get('IAM_ROLE', 'ARN'))
    changes.push({ section: 'IAM_ROLE', key: 'ARN', value: undefined });
  if (changes.length === 0) return;
  await ctx.config.update(changes);
  ctx.ui.success(
    `Cleared ${changes.map((change) => `[${change.section}] ${change.key}`).join(' and ')} in ${ctx.config.displayPath}`,
  );
}

/** The menu: whether anything of ours is still running (and billed). Never throws. */
export async function teardownStatus(ctx: Context): Promise<StepStatus> {
  try {
    const clients = await ctx.aws();
    const identifier = clusterIdentifierOf(ctx.config.values());
    const cluster = await describeCluster(clients.redshift, identifier, clients.region);
    if (cluster) return { state: 'todo', detail: `cluster ${cluster.status}: delete it when done` };
    return { state: 'done', detail: 'no cluster' };
  } catch {
    return { state: 'unavailable', detail: 'AWS not reachable' };
  }
}

export const teardownStep: MenuStep = {
  id: 'teardown',
  title: 'Tear down AWS resources',
  applies: (ctx) => ctx.target() === 'redshift',
  status: teardownStatus,
  run: (ctx) => runTeardown(ctx),
};
