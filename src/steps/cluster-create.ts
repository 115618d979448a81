/**
 * `cluster create`: the Redshift cluster and what it needs (an IAM role that can read the [S3]
 * prefixes, a security group that lets the user's machine in), with live polling and write-back
 * of the endpoint and role ARN into dwh.cfg. An existing cluster is reused as it is.
 *
 * The AWS work is src/aws (it returns what it did); this file asks, calls and shows.
 */
import type { AwsClients } from '../aws/clients.js';
import { readsSparkifyBucketFromAfar, roleNameOf, s3SourceUrls, SPARKIFY_BUCKET_REGION } from '../aws/naming.js';
import { requestCluster, roleOfExistingCluster, type ExistingRoleOutcome } from '../aws/provision-cluster.js';
import {
  allowWizardIngress,
  ensureSecurityGroup,
  wizardGroupsOf,
  type IngressOutcome,
  type SecurityGroupOutcome,
} from '../aws/provision-network.js';
import { ensureRole, ensureS3ReadPolicy, type RoleOutcome, type S3PolicyOutcome } from '../aws/provision-role.js';
import { describeCluster, resumeCluster, type ClusterInfo } from '../aws/redshift.js';
import type { ConfigChange, DwhConfig } from '../config/types.js';
import type { Context } from '../context.js';
import { UserError } from '../errors.js';
import { SERVER_VERSION_SQL } from '../sql/session.js';
import type { RedshiftConnection } from '../warehouse/redshift.js';
import type { Warehouse } from '../warehouse/types.js';
import { withDefaults, type ClusterDeps } from './cluster-deps.js';
import { askIdentifier, askNewClusterSpec, chooseAllowedCidr, showSummary } from './cluster-inputs.js';
import type { StepResult } from './types.js';
import { waitForCluster } from './wait.js';
import { clusterWriteBack, dwhWriteBack, identifierWriteBack, roleArnWriteBack, writeBack } from './write-back.js';

/** A cluster to wait for, or the reason the step stopped before one. */
type Prepared =
  | {
      kind: 'ready';
      cluster: ClusterInfo;
      roleArn: string;
      password: string | undefined;
      /** Keys to write with the cluster's own once it is available. */
      changes: ConfigChange[];
    }
  | { kind: 'stopped'; result: StepResult };

/** `cluster create`: role, security group, cluster; wait until available; write back; test. */
export async function runClusterCreate(ctx: Context, options: Partial<ClusterDeps> = {}): Promise<StepResult> {
  const deps = withDefaults(options);
  const config = ctx.config.values();
  const clients = await ctx.aws();
  const region = clients.region;
  ctx.ui.heading(`Redshift cluster in ${region}`);
  if (readsSparkifyBucketFromAfar(config, region)) {
    ctx.ui.warn(
      `The cluster will be in ${region} but the Sparkify data is in ${SPARKIFY_BUCKET_REGION}: loading is slower ` +
        `and transfer is billed. Set [AWS] REGION = ${SPARKIFY_BUCKET_REGION} to avoid that.`,
    );
  }

  const identifier = await askIdentifier(ctx, config);
  const existing = await describeCluster(clients.redshift, identifier, region);
  const prepared = existing
    ? await reuseCluster(ctx, clients, config, deps, existing)
    : await createCluster(ctx, clients, config, deps, identifier);
  if (prepared.kind === 'stopped') return prepared.result;
  const { cluster, roleArn, password } = prepared;

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

/** An existing cluster: its role, the caller's address in its group, resumed if paused. */
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
  if (cluster.status === 'paused') {
    const resume = await ctx.prompts.confirm({
      message: `Cluster ${identifier} is paused. Resume it now?`,
      default: true,
    });
    if (!resume) return { kind: 'stopped', result: { ok: false, summary: `cluster ${identifier} is paused` } };
    await resumeCluster(clients.redshift, identifier, clients.region);
  }
  return {
    kind: 'ready',
    cluster,
    roleArn,
    password: config.cluster.dbPassword ?? config.dwh.dbPassword,
    changes: identifier !== config.dwh.clusterIdentifier ? identifierWriteBack(identifier) : [],
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
  const cidr = await chooseAllowedCidr(ctx, config, deps);
  showSummary(ctx, spec, region, cidr);
  const go = await ctx.prompts.confirm({
    message: 'Create these AWS resources? (billed while the cluster exists)',
    default: true,
  });
  if (!go) return { kind: 'stopped', result: { ok: false, summary: 'nothing created' } };
  // dwh.cfg first: if anything below fails, a rerun asks nothing again.
  await writeBack(ctx.config, dwhWriteBack(spec));
  const role = await ensureRole(clients.iam, { roleName: spec.roleName, clusterIdentifier: identifier });
  showRole(ctx, role);
  if (role.kind !== 'not-ours') {
    showPolicy(ctx, await ensureS3ReadPolicy(clients.iam, spec.roleName, s3SourceUrls(config), region));
  }
  await writeBack(ctx.config, roleArnWriteBack(role.arn));
  const securityGroupId = showGroup(ctx, await ensureSecurityGroup(clients.ec2, identifier, region));
  showIngress(ctx, await allowWizardIngress(clients.ec2, { groupId: securityGroupId, port: spec.port, cidr }, region));
  const cluster = await requestCluster(clients.redshift, spec, { roleArn: role.arn, securityGroupId }, region);
  ctx.ui.success(`Cluster ${identifier} requested (${cluster.status}); this usually takes 3–10 minutes.`);
  return { kind: 'ready', cluster, roleArn: role.arn, password: spec.password, changes: [] };
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

/** The group's id; no default VPC stops the step with what to do. */
function showGroup(ctx: Context, group: SecurityGroupOutcome): string {
  if (group.kind === 'refused') {
    throw new UserError(
      `there is no default VPC in ${group.region}: create one with ` +
        `\`aws ec2 create-default-vpc --region ${group.region}\` and run \`sparkify-dwh cluster create\` again`,
    );
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
