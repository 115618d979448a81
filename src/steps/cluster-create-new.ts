/**
 * `cluster create` for a cluster that does not exist yet: ask, show the plan, confirm; then the
 * IAM role, the security group and CreateCluster (retried while a new role propagates, with a
 * spinner that says why).
 */
import type { AwsClients } from '../aws/clients.js';
import { s3SourceUrls } from '../aws/naming.js';
import { requestCluster, type ClusterRequestOutcome } from '../aws/provision-cluster.js';
import type { RolePropagationWait } from '../aws/role-propagation.js';
import { allowWizardIngress, ensureSecurityGroup, findSecurityGroup } from '../aws/provision-network.js';
import { ensureRole, ensureS3ReadPolicy, findRole, type RoleOutcome } from '../aws/provision-role.js';
import type { ClusterInfo } from '../aws/redshift.js';
import type { DwhConfig } from '../config/types.js';
import type { Context } from '../context.js';
import { InterruptedError, UserError } from '../errors.js';
import { formatDuration } from '../ui/format.js';
import { askPauseAfterHours, autoPauseText } from './cluster-auto-pause.js';
import type { ClusterDeps } from './cluster-deps.js';
import {
  refuseForeignGroup,
  refuseForeignRole,
  showGroup,
  showIngress,
  showPolicy,
  showRole,
} from './cluster-create-show.js';
import { askNewClusterSpec, chooseAllowedCidr, showSummary } from './cluster-inputs.js';
import type { Prepared } from './cluster-prepared.js';
import { askToApply } from './plan-first.js';
import { allowedCidrWriteBack, dwhWriteBack, roleArnWriteBack, writeBack } from './write-back.js';

/** A new cluster: ask, show the plan, confirm; then the role, the security group and the cluster. */
export async function createNewCluster(
  ctx: Context,
  clients: AwsClients,
  config: DwhConfig,
  deps: ClusterDeps,
  identifier: string,
): Promise<Prepared> {
  const region = clients.region;
  const spec = await askNewClusterSpec(ctx, config, identifier, region);
  // Whose the role and the group of these names are, before anything is shown, written or made.
  const roleRequest = { roleName: spec.roleName, clusterIdentifier: identifier, region };
  refuseForeignRole(ctx, await findRole(clients.iam, roleRequest), identifier);
  refuseForeignGroup(ctx, await findSecurityGroup(clients.ec2, identifier, region), identifier);
  // Private: no address is let in at all (the Data API needs no network path to the cluster).
  const allowed = spec.access === 'public' ? await chooseAllowedCidr(ctx, config, deps) : undefined;
  const pause = await askPauseAfterHours(ctx, config);
  showSummary(ctx, spec, region, allowed?.cidr, autoPauseText(pause.hours));
  const go = await askToApply(ctx, (prompts) =>
    prompts.confirm({ message: 'Create these AWS resources? (billed while the cluster exists)', default: true }),
  );
  if (!go) return { kind: 'stopped', result: { ok: false, summary: 'nothing created' } };
  // dwh.cfg first: if anything below fails, a rerun asks nothing again.
  await writeBack(ctx.config, [
    ...dwhWriteBack(spec),
    ...(allowed?.typed ? allowedCidrWriteBack(allowed.cidr) : []),
    ...pause.changes,
  ]);
  const role = await ensureRole(clients.iam, roleRequest);
  refuseForeignRole(ctx, role, identifier);
  showRole(ctx, role);
  if (role.kind === 'created' || role.kind === 'reused') {
    showPolicy(ctx, await ensureS3ReadPolicy(clients.iam, spec.roleName, s3SourceUrls(config), region));
  }
  await writeBack(ctx.config, roleArnWriteBack(role.arn));
  const securityGroupId = showGroup(ctx, await ensureSecurityGroup(clients.ec2, identifier, region), identifier);
  if (allowed) {
    const rule = { groupId: securityGroupId, port: spec.port, cidr: allowed.cidr };
    showIngress(ctx, await allowWizardIngress(clients.ec2, rule, region));
  }
  const cluster = await requestShown(ctx, role, (propagation) =>
    requestCluster(
      clients.redshift,
      spec,
      { roleArn: role.arn, securityGroupId },
      region,
      // Only a role made a moment ago can be "not valid" for lack of time; any other is refused at once.
      role.kind === 'created'
        ? { ...propagation, intervalMs: deps.roleRetryIntervalMs, timeoutMs: deps.roleRetryTimeoutMs }
        : undefined,
    ),
  );
  ctx.ui.success(`Cluster ${identifier} requested (${cluster.status}); this usually takes 3–10 minutes.`);
  return {
    kind: 'ready',
    cluster,
    roleArn: role.arn,
    password: spec.password,
    changes: [],
    fresh: true,
    reused: false,
    pauseAfterHours: pause.hours,
  };
}

/**
 * CreateCluster, with a spinner while a new role propagates that says why the request is being
 * made again, ended for each way the request can end.
 */
async function requestShown(
  ctx: Context,
  role: RoleOutcome,
  request: (propagation: Omit<RolePropagationWait, 'intervalMs' | 'timeoutMs'>) => Promise<ClusterRequestOutcome>,
): Promise<ClusterInfo> {
  let spinner: ReturnType<Context['ui']['spinner']> | undefined;
  let outcome: ClusterRequestOutcome;
  try {
    outcome = await request({
      clock: ctx.clock,
      signal: ctx.signal,
      onWait: (elapsedMs, nextAttemptInMs) => {
        spinner ??= ctx.ui.spinner(`IAM role ${role.roleName} is new: waiting for Redshift to accept it…`);
        spinner.update(
          `IAM role ${role.roleName} is new and Redshift does not accept it yet (IAM takes a few seconds ` +
            `to propagate) · ${formatDuration(elapsedMs)} · trying again in ${Math.ceil(nextAttemptInMs / 1000)} s`,
        );
      },
    });
  } catch (error) {
    spinner?.fail('Redshift refused the cluster');
    throw error;
  }
  if (outcome.kind === 'requested') {
    spinner?.succeed(`Redshift accepted IAM role ${role.roleName}`);
    return outcome.cluster;
  }
  if (outcome.kind === 'role-not-usable') {
    spinner?.fail(`Redshift still does not accept IAM role ${role.roleName}`);
    throw new UserError(
      `Redshift still does not accept the new IAM role ${role.roleName} after ${formatDuration(outcome.elapsedMs)}: ` +
        'IAM is sometimes slow to propagate a new role; run `sparkify-dwh cluster create` again in a minute ' +
        '(the role and the security group are kept)',
    );
  }
  spinner?.stop();
  ctx.ui.warn('Stopped before the cluster was requested: nothing is billed. The role and the security group stay.');
  throw new InterruptedError();
}
