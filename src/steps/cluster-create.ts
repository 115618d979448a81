/**
 * `cluster create`: the Redshift cluster and what it needs (an IAM role that can read the [S3]
 * prefixes, a security group that lets the user's machine in), with live polling and write-back
 * of the endpoint and role ARN into dwh.cfg. An existing cluster is reused as it is; the S3 policy
 * of its role follows [S3] on every run. A role or group the wizard made for another cluster is
 * never used, changed or shared (docs/redshift.md, "What the wizard creates").
 *
 * The AWS work is src/aws (it returns what it did); this file asks, calls and shows.
 */
import type { AwsClients } from '../aws/clients.js';
import { recordPowerChange } from '../aws/cluster-cost.js';
import { roleNameOf, s3SourceUrls } from '../aws/naming.js';
import {
  requestCluster,
  roleOfExistingCluster,
  type ClusterRequestOutcome,
  type ExistingRoleOutcome,
  type RolePropagationWait,
} from '../aws/provision-cluster.js';
import {
  allowWizardIngress,
  ensureSecurityGroup,
  findSecurityGroup,
  wizardGroupsOf,
  type IngressOutcome,
  type SecurityGroupOutcome,
} from '../aws/provision-network.js';
import {
  ensureRole,
  ensureS3ReadPolicy,
  findRole,
  refreshS3ReadPolicy,
  type ExistingRolePolicyOutcome,
  type RoleOutcome,
  type S3PolicyOutcome,
} from '../aws/provision-role.js';
import { describeCluster, resumeCluster, type ClusterInfo } from '../aws/redshift.js';
import { ownerText } from '../aws/tags.js';
import type { ConfigChange, DwhConfig } from '../config/types.js';
import type { Context } from '../context.js';
import { InterruptedError, UserError } from '../errors.js';
import { SERVER_VERSION_SQL } from '../sql/session.js';
import { formatDuration } from '../ui/format.js';
import type { RedshiftConnection } from '../warehouse/redshift.js';
import type { Warehouse } from '../warehouse/types.js';
import { withDefaults, type ClusterDeps } from './cluster-deps.js';
import { showClusterCost } from './cluster-cost.js';
import { askIdentifier, askNewClusterSpec, chooseAllowedCidr, showSummary } from './cluster-inputs.js';
import type { StepResult } from './types.js';
import { waitForCluster } from './wait.js';
import {
  allowedCidrWriteBack,
  clusterWriteBack,
  dwhWriteBack,
  identifierWriteBack,
  roleArnWriteBack,
  writeBack,
} from './write-back.js';

/** A cluster to wait for, or the reason the step stopped before one. */
type Prepared =
  | {
      kind: 'ready';
      cluster: ClusterInfo;
      roleArn: string;
      password: string | undefined;
      /** Keys to write with the cluster's own once it is available. */
      changes: ConfigChange[];
      /**
       * `cluster` is what CreateCluster or ResumeCluster just answered: DescribeClusters may lag behind
       * it (ClusterNotFound, still "paused") for a moment.
       */
      fresh: boolean;
      /** The cluster existed before this run (its run time and cost so far are worth saying). */
      reused: boolean;
    }
  | { kind: 'stopped'; result: StepResult };

/** `cluster create`: role, security group, cluster; wait until available; write back; test. */
export async function runClusterCreate(ctx: Context, options: Partial<ClusterDeps> = {}): Promise<StepResult> {
  const deps = withDefaults(options, ctx);
  const config = ctx.config.values();
  const clients = await ctx.aws();
  const region = clients.region;
  ctx.ui.note(`Region ${region}`); // the step's title is the heading (setup) or the menu's answer
  if (s3SourceUrls(config).length > 0 && region !== config.s3.region) {
    ctx.ui.warn(
      `The cluster will be in ${region} but the [S3] data is in ${config.s3.region}: loading is slower ` +
        `and transfer is billed. Set [AWS] REGION = ${config.s3.region} to avoid that.`,
    );
  }

  const identifier = await askIdentifier(ctx, config);
  const existing = await describeCluster(clients.redshift, identifier, region);
  const prepared = existing
    ? await reuseCluster(ctx, clients, config, deps, existing)
    : await createCluster(ctx, clients, config, deps, identifier);
  if (prepared.kind === 'stopped') return prepared.result;
  const { cluster, roleArn, password, fresh } = prepared;

  const resuming = cluster.status === 'paused' || cluster.status === 'resuming';
  const available =
    cluster.status === 'available'
      ? cluster
      : await waitForCluster(ctx, clients, identifier, {
          goal: 'available',
          resumeCommand: 'sparkify-dwh cluster create',
          activity: resuming ? 'resuming' : 'being created',
          intervalMs: deps.pollIntervalMs,
          timeoutMs: deps.createTimeoutMs,
          ...(fresh ? { initial: cluster, staleAnswers: 1 } : {}),
        });
  if (!available?.endpoint)
    throw new UserError(
      `cluster ${identifier} is available but has no endpoint yet: ` +
        'run `sparkify-dwh cluster create` again in a minute',
    );

  await writeBack(ctx.config, [...prepared.changes, ...clusterWriteBack(available, roleArn, password)]);
  ctx.ui.success(
    `Wrote [CLUSTER] HOST = ${available.endpoint.address} and [IAM_ROLE] ARN to ${ctx.config.displayPath}`,
  );
  const summary = `cluster ${identifier} available at ${available.endpoint.address}`;
  if (prepared.reused) showClusterCost(ctx, available, region);
  if (password === undefined) {
    ctx.ui.warn('No password for the cluster in dwh.cfg: set [CLUSTER] DB_PASSWORD to connect.');
    return { ok: true, summary };
  }
  await testConnection(ctx, deps, {
    host: available.endpoint.address,
    port: available.endpoint.port,
    database: available.dbName ?? config.cluster.dbName ?? 'dwh',
    user: available.masterUsername ?? config.cluster.dbUser ?? 'dwhuser',
    password,
  });
  return { ok: true, summary };
}

/** An existing cluster: its role (S3 policy made to match), the caller's address in its group, resumed if paused. */
async function reuseCluster(
  ctx: Context,
  clients: AwsClients,
  config: DwhConfig,
  deps: ClusterDeps,
  cluster: ClusterInfo,
): Promise<Prepared> {
  const identifier = cluster.identifier;
  ctx.ui.info(`Cluster ${identifier} already exists (${cluster.status}): reusing it.`);
  const roleArn = showExistingRole(ctx, cluster, await roleOfExistingCluster(clients.iam, cluster, roleNameOf(config)));
  // [S3] may have changed since the cluster was made: the role must read what the next load names.
  showExistingPolicy(
    ctx,
    await refreshS3ReadPolicy(clients.iam, {
      roleArn,
      clusterIdentifier: identifier,
      region: clients.region,
      urls: s3SourceUrls(config),
    }),
  );
  // The caller's address may have changed since the cluster was made (another network).
  const ourGroups = await wizardGroupsOf(clients.ec2, cluster, clients.region);
  if (ourGroups.length > 0) {
    // Never a prompt or a failure here: the cluster works for whoever it already lets in.
    const ip = config.dwh.allowedCidr ? undefined : await deps.lookupPublicIp(ctx.signal);
    const cidr = config.dwh.allowedCidr ?? (ip ? `${ip}/32` : undefined);
    if (cidr) {
      const port = cluster.endpoint?.port ?? config.dwh.port ?? 5439;
      showIngress(
        ctx,
        await allowWizardIngress(clients.ec2, { groupId: ourGroups[0]!.id, port, cidr }, clients.region),
      );
    } else {
      ctx.ui.note('Could not find your public IP address: the security group is left as it is.');
    }
  }
  let current = cluster;
  let fresh = false;
  if (cluster.status === 'paused') {
    const resume = await ctx.prompts.confirm({
      message: `Cluster ${identifier} is paused. Resume it now?`,
      default: true,
    });
    if (!resume) return { kind: 'stopped', result: { ok: false, summary: `cluster ${identifier} is paused` } };
    const answered = await resumeCluster(clients.redshift, identifier, clients.region);
    await recordPowerChange(clients.redshift, cluster, 'resume', ctx.clock.now(), clients.region);
    current = answered ?? { ...cluster, status: 'resuming' };
    fresh = true;
  }
  return {
    kind: 'ready',
    cluster: current,
    roleArn,
    password: config.cluster.dbPassword ?? config.dwh.dbPassword,
    changes: identifier !== config.dwh.clusterIdentifier ? identifierWriteBack(identifier) : [],
    fresh,
    reused: true,
  };
}

/** A new cluster: ask, show the plan, confirm; then the role, the security group and the cluster. */
async function createCluster(
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
  const { cidr, typed } = await chooseAllowedCidr(ctx, config, deps);
  showSummary(ctx, spec, region, cidr);
  const go = await ctx.prompts.confirm({
    message: 'Create these AWS resources? (billed while the cluster exists)',
    default: true,
  });
  if (!go) return { kind: 'stopped', result: { ok: false, summary: 'nothing created' } };
  // dwh.cfg first: if anything below fails, a rerun asks nothing again.
  await writeBack(ctx.config, [...dwhWriteBack(spec), ...(typed ? allowedCidrWriteBack(cidr) : [])]);
  const role = await ensureRole(clients.iam, roleRequest);
  refuseForeignRole(ctx, role, identifier);
  showRole(ctx, role);
  if (role.kind === 'created' || role.kind === 'reused') {
    showPolicy(ctx, await ensureS3ReadPolicy(clients.iam, spec.roleName, s3SourceUrls(config), region));
  }
  await writeBack(ctx.config, roleArnWriteBack(role.arn));
  const securityGroupId = showGroup(ctx, await ensureSecurityGroup(clients.ec2, identifier, region), identifier);
  showIngress(ctx, await allowWizardIngress(clients.ec2, { groupId: securityGroupId, port: spec.port, cidr }, region));
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

/** A role the wizard made for another cluster stops the step, with what to do instead. */
function refuseForeignRole(ctx: Context, role: RoleOutcome | undefined, identifier: string): void {
  if (role?.kind !== 'other-cluster') return;
  throw new UserError(
    `IAM role ${role.roleName} belongs to ${ownerText(role)}: sparkify-dwh never shares or changes it. ` +
      `Set another [DWH] DWH_IAM_ROLE_NAME in ${ctx.config.displayPath} (for example ${identifier}-role) ` +
      'and run `sparkify-dwh cluster create` again',
  );
}

/** A group of the wizard's name that is not this cluster's, or no default VPC, stops the step. */
function refuseForeignGroup(
  ctx: Context,
  group: Awaited<ReturnType<typeof findSecurityGroup>>,
  identifier: string,
): void {
  if (group.kind === 'refused') {
    throw new UserError(
      `there is no default VPC in ${group.region}: create one with ` +
        `\`aws ec2 create-default-vpc --region ${group.region}\` and run \`sparkify-dwh cluster create\` again`,
    );
  }
  if (group.kind !== 'not-ours') return;
  const whose = group.owner === 'someone-else' ? 'was not made by sparkify-dwh' : `belongs to ${group.owner}`;
  throw new UserError(
    `security group ${group.name} (${group.groupId}) ${whose}: sparkify-dwh uses only a group it made for ` +
      `cluster ${identifier}. Delete or rename that group, or set another [DWH] DWH_CLUSTER_IDENTIFIER in ` +
      `${ctx.config.displayPath}`,
  );
}

function showRole(ctx: Context, role: RoleOutcome): void {
  if (role.kind === 'not-ours') {
    ctx.ui.warn(
      `IAM role ${role.roleName} exists and was not created by sparkify-dwh: using it unchanged ` +
        '(it must trust redshift.amazonaws.com and read the [S3] data).',
    );
  } else {
    ctx.ui.success(`IAM role ${role.roleName} ${role.kind}`);
  }
}

function showPolicy(ctx: Context, policy: S3PolicyOutcome): void {
  if (policy.kind === 'skipped') {
    ctx.ui.warn(
      '[S3] has no LOG_DATA, LOG_JSONPATH or SONG_DATA: the role can read nothing yet; ' +
        'set them and run `sparkify-dwh cluster create` again.',
    );
  }
}

/** The group's id; no default VPC, or a group that is not this cluster's, stops the step. */
function showGroup(ctx: Context, group: SecurityGroupOutcome, identifier: string): string {
  if (group.kind === 'refused' || group.kind === 'not-ours') {
    refuseForeignGroup(ctx, group, identifier);
    throw new Error('unreachable: refuseForeignGroup throws for this outcome');
  }
  if (group.kind === 'created') {
    ctx.ui.success(`Security group ${group.name} (${group.groupId}) created in the default VPC ${group.vpcId}`);
  } else {
    ctx.ui.success(`Security group ${group.name} (${group.groupId}) reused`);
  }
  return group.groupId;
}

function showIngress(ctx: Context, rule: IngressOutcome): void {
  ctx.ui.success(
    rule.kind === 'added'
      ? `Port ${rule.port} open to ${rule.cidr}`
      : `Port ${rule.port} was already open to ${rule.cidr}`,
  );
}

/** What happened to the S3 policy of a reused cluster's role. */
function showExistingPolicy(ctx: Context, outcome: ExistingRolePolicyOutcome): void {
  if (outcome.kind === 'written') ctx.ui.success(`IAM role policy ${outcome.policyName} matches [S3]`);
  else if (outcome.kind === 'skipped') showPolicy(ctx, outcome);
  else if (outcome.kind === 'left-alone') {
    ctx.ui.note(
      `IAM role ${outcome.roleName} was not made by sparkify-dwh for this cluster: its policies are left as ` +
        'they are (it must be able to read the [S3] data).',
    );
  }
}

/** The ARN of the role a reused cluster reads S3 with; without one, what to do. */
function showExistingRole(ctx: Context, cluster: ClusterInfo, role: ExistingRoleOutcome): string {
  switch (role.kind) {
    case 'attached':
      return role.arn;
    case 'not-attached':
      ctx.ui.warn(
        `Cluster ${cluster.identifier} has no IAM role attached; ` +
          `COPY needs one (attach ${role.roleName} in the Redshift console).`,
      );
      return role.arn;
    case 'missing':
      throw new UserError(
        `cluster ${cluster.identifier} has no IAM role and role ${role.roleName} does not exist: ` +
          'attach a role that can read [S3] in the Redshift console, ' +
          'or delete the cluster (`sparkify-dwh teardown`) and create it again',
      );
  }
}

/** Connect over TLS and run SELECT version(); a failure throws the warehouse's diagnosis. */
async function testConnection(ctx: Context, deps: ClusterDeps, connection: RedshiftConnection): Promise<string> {
  const spinner = ctx.ui.spinner(`Connecting to ${connection.host}:${connection.port} over TLS…`);
  let warehouse: Warehouse | undefined;
  try {
    warehouse = await deps.openRedshift(connection);
    const result = await warehouse.query<{ version: string }>(SERVER_VERSION_SQL);
    const version = String(result.rows[0]?.version ?? 'unknown version');
    spinner.succeed(`Connected: ${version}`);
    return version;
  } catch (error) {
    spinner.fail('Connection test failed');
    throw error;
  } finally {
    await warehouse?.close().catch(() => undefined);
  }
}
