/**
 * `cluster create | status | pause | resume`: the Redshift cluster and what it needs (an IAM role
 * that can read the [S3] prefixes, a security group that lets the user's machine in), with live
 * polling and write-back of the endpoint and role ARN into dwh.cfg.
 *
 * Every AWS call goes through src/aws; everything shown goes through ctx.ui; every question
 * through ctx.prompts. Network lookups and the Redshift connection are injectable (ClusterDeps) so
 * tests run without a network.
 */
import type { AwsClients } from '../aws/clients.js';
import {
  allowIngress,
  createSecurityGroup,
  describeSecurityGroups,
  findDefaultVpc,
  findSecurityGroupByName,
} from '../aws/ec2.js';
import { createRole, getRole, putRolePolicy } from '../aws/iam.js';
import { redshiftTrustPolicy, s3ReadPolicy, S3_READ_POLICY_NAME } from '../aws/policies.js';
import { estimateCost, estimateCostSince, NODE_TYPE_INFO, type NodeType } from '../aws/pricing.js';
import { publicIpLookup, type PublicIpLookup } from '../aws/public-ip.js';
import {
  createCluster,
  describeCluster,
  latestClusterEvent,
  pauseCluster,
  resumeCluster,
  type ClusterInfo,
} from '../aws/redshift.js';
import { isCreatedByWizard, wizardTags } from '../aws/tags.js';
import { changesFor, WRITE_BACK } from '../config/schema.js';
import type { ConfigChange, DwhConfig } from '../config/types.js';
import {
  NODE_TYPES,
  validateCidr,
  validateClusterIdentifier,
  validateDatabaseName,
  validateIamRoleName,
  validateNodeCount,
  validateRedshiftPassword,
  validateRedshiftPort,
  validateUserName,
} from '../config/validate.js';
import type { Context } from '../context.js';
import { InterruptedError, isInterrupted, UserError } from '../errors.js';
import { SERVER_VERSION_SQL } from '../sql/session.js';
import { formatAge, formatDuration, formatMoney } from '../ui/format.js';
import { registerSecret } from '../ui/redact.js';
import type { RedshiftConnection } from '../warehouse/redshift.js';
import type { Warehouse } from '../warehouse/types.js';
import type { MenuStep, StepResult, StepStatus } from './types.js';

/** Where the Sparkify data lives: COPY across regions is slower and billed for transfer. */
export const SPARKIFY_BUCKET_REGION = 'us-west-2';
export const DEFAULT_CLUSTER_IDENTIFIER = 'dwhcluster';
export const DEFAULT_ROLE_NAME = 'dwhRole';

export interface ClusterDeps {
  /** The caller's public IPv4 address, or undefined when it cannot be found. */
  lookupPublicIp: PublicIpLookup;
  /** Connect to the cluster (src/warehouse/redshift.ts's openRedshift in production). */
  openRedshift: (connection: RedshiftConnection) => Promise<Warehouse>;
  /** Time between two DescribeClusters calls while waiting. */
  pollIntervalMs: number;
  /** Give up waiting for creation (or resume) after this long; the cluster carries on. */
  createTimeoutMs: number;
  /** Give up waiting for a pause or a deletion after this long. */
  settleTimeoutMs: number;
}

export const defaultClusterDeps: ClusterDeps = {
  lookupPublicIp: publicIpLookup(),
  openRedshift: async (connection) => (await import('../warehouse/redshift.js')).openRedshift(connection),
  pollIntervalMs: 15_000,
  createTimeoutMs: 40 * 60_000,
  settleTimeoutMs: 30 * 60_000,
};

function withDefaults(deps: Partial<ClusterDeps>): ClusterDeps {
  return { ...defaultClusterDeps, ...deps };
}

// -------------------------------------------------------------------------------------------
// Names derived from the configuration

export function clusterIdentifierOf(config: DwhConfig): string {
  return config.dwh.clusterIdentifier ?? DEFAULT_CLUSTER_IDENTIFIER;
}

/** The security group the wizard makes for a cluster (one per cluster, in the default VPC). */
export function securityGroupNameFor(clusterIdentifier: string): string {
  return `${clusterIdentifier}-sparkify-dwh`;
}

/** The [S3] URLs the role must be able to read. */
export function s3SourceUrls(config: DwhConfig): string[] {
  return [config.s3.logData, config.s3.logJsonPath, config.s3.songData].filter((url): url is string => Boolean(url));
}

// -------------------------------------------------------------------------------------------
// Waiting

/** Cluster states that will not become available by waiting. */
export function isFailedClusterStatus(status: string): boolean {
  return (
    status === 'failed' ||
    status === 'hardware-failure' ||
    status === 'storage-full' ||
    status.startsWith('incompatible-')
  );
}

/** What the user should do about a failed state. */
function nextActionFor(status: string): string {
  switch (status) {
    case 'incompatible-network':
      return 'the network setup is not usable (default VPC subnets or the security group); run `sparkify-dwh teardown`, check the default VPC, and create the cluster again';
    case 'incompatible-parameters':
      return 'the parameter group is inconsistent; run `sparkify-dwh teardown` and create the cluster again';
    case 'storage-full':
      return 'the disks are full; delete data or resize the cluster in the Redshift console';
    default:
      return "run `sparkify-dwh teardown` and create the cluster again; the Redshift console's Events tab has the details";
  }
}

export type WaitGoal = 'available' | 'paused' | 'gone';

export interface WaitOptions {
  goal: WaitGoal;
  /** The command that picks the wait up again, for the Ctrl-C and time-out messages. */
  resumeCommand: string;
  /** "being created", "pausing"…: what the cluster keeps doing if we stop waiting. */
  activity: string;
  intervalMs: number;
  timeoutMs: number;
}

/**
 * Poll the cluster until it reaches `goal`, showing status, elapsed time and a countdown to the
 * next check. Sleeps on ctx.clock (never a busy loop); Ctrl-C stops the waiting, not the cluster.
 * Returns the cluster (undefined for 'gone').
 */
export async function waitForCluster(
  ctx: Context,
  clients: AwsClients,
  identifier: string,
  options: WaitOptions,
): Promise<ClusterInfo | undefined> {
  const started = ctx.clock.now();
  const spinner = ctx.ui.spinner(`Cluster ${identifier}: checking…`);
  try {
    for (;;) {
      const cluster = await describeCluster(clients.redshift, identifier, clients.region);
      const elapsed = formatDuration(ctx.clock.now() - started);
      if (!cluster) {
        if (options.goal === 'gone') {
          spinner.succeed(`Cluster ${identifier} deleted (${elapsed})`);
          return undefined;
        }
        spinner.fail(`Cluster ${identifier} disappeared`);
        throw new UserError(
          `cluster ${identifier} no longer exists (someone deleted it while we waited): run \`sparkify-dwh cluster create\` to make it again`,
        );
      }
      if (options.goal !== 'gone' && cluster.status === options.goal) {
        spinner.succeed(`Cluster ${identifier} is ${cluster.status} (${elapsed})`);
        return cluster;
      }
      if (isFailedClusterStatus(cluster.status)) {
        spinner.fail(`Cluster ${identifier} is ${cluster.status}`);
        const reason = await latestClusterEvent(clients.redshift, identifier);
        throw new UserError(
          `cluster ${identifier} is ${cluster.status}${reason ? ` (${oneLine(reason)})` : ''}: ${nextActionFor(cluster.status)}`,
        );
      }
      if (options.goal === 'available' && (cluster.status === 'deleting' || cluster.status === 'final-snapshot')) {
        spinner.fail(`Cluster ${identifier} is ${cluster.status}`);
        throw new UserError(
          `cluster ${identifier} is being deleted: wait until \`sparkify-dwh cluster status\` shows it gone, then run \`sparkify-dwh cluster create\``,
        );
      }
      if (options.goal === 'available' && cluster.status === 'paused') {
        spinner.fail(`Cluster ${identifier} is paused`);
        throw new UserError(`cluster ${identifier} is paused: run \`sparkify-dwh cluster resume\``);
      }
      const waited = ctx.clock.now() - started;
      if (waited >= options.timeoutMs) {
        spinner.warn(`Cluster ${identifier} is still ${cluster.status} after ${formatDuration(waited)}`);
        throw new UserError(
          `cluster ${identifier} is still ${cluster.status} after ${formatDuration(waited)}; AWS is sometimes slow and it is still ${options.activity}: run \`${options.resumeCommand}\` to keep waiting, or look at it in the Redshift console`,
        );
      }
      // Count down to the next check a second at a time, so the elapsed time stays live.
      for (let remaining = options.intervalMs; remaining > 0; remaining -= 1000) {
        spinner.update(
          `Cluster ${identifier}: ${cluster.status} · ${formatDuration(ctx.clock.now() - started)} elapsed · next check in ${Math.ceil(remaining / 1000)} s`,
        );
        await ctx.clock.sleep(Math.min(1000, remaining), ctx.signal);
      }
    }
  } catch (error) {
    if (isInterrupted(error) || ctx.signal.aborted) {
      spinner.stop();
      ctx.ui.warn(
        `Stopped waiting; cluster ${identifier} is still ${options.activity}. Run \`${options.resumeCommand}\` to pick up the wait.`,
      );
      throw new InterruptedError();
    }
    throw error;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// -------------------------------------------------------------------------------------------
// cluster create

interface ClusterInputs {
  identifier: string;
  nodeType: string;
  numberOfNodes: number;
  dbName: string;
  dbUser: string;
  password: string;
  port: number;
  roleName: string;
}

function nodeTypeLabel(nodeType: NodeType, region: string): string {
  const info = NODE_TYPE_INFO[nodeType];
  const cost = estimateCost(nodeType, 1, region);
  const price = cost ? `~${formatMoney(cost.usdPerHour)}/h per node` : '';
  const generation = info.previousGeneration ? ' (previous generation)' : '';
  return `${nodeType.padEnd(13)} ${String(info.vcpu).padStart(2)} vCPU ${String(info.memoryGib).padStart(3)} GiB  ${price}${generation}`;
}

/** Identifier first: an existing cluster is reused as it is, so nothing else needs asking. */
async function askIdentifier(ctx: Context, config: DwhConfig): Promise<string> {
  return ctx.prompts.input({
    message: 'Cluster identifier',
    default: clusterIdentifierOf(config),
    validate: validateClusterIdentifier,
    unattended: 'set [DWH] DWH_CLUSTER_IDENTIFIER in dwh.cfg',
  });
}

async function askNewClusterInputs(
  ctx: Context,
  config: DwhConfig,
  identifier: string,
  region: string,
): Promise<ClusterInputs> {
  const configuredType = config.dwh.nodeType;
  const nodeType = await ctx.prompts.select<string>({
    message: 'Node type (on-demand prices are estimates)',
    choices: NODE_TYPES.map((type) => ({ name: nodeTypeLabel(type, region), value: type })),
    default:
      configuredType && (NODE_TYPES as readonly string[]).includes(configuredType) ? configuredType : 'ra3.large',
    unattended: 'set [DWH] DWH_NODE_TYPE in dwh.cfg',
  });
  const numberOfNodes = Number(
    await ctx.prompts.input({
      message: 'Number of nodes (1 = single-node)',
      default: String(config.dwh.numNodes ?? 1),
      validate: validateNodeCount,
      unattended: 'set [DWH] DWH_NUM_NODES in dwh.cfg',
    }),
  );
  const dbName = await ctx.prompts.input({
    message: 'Database name',
    default: config.dwh.db ?? 'dwh',
    validate: validateDatabaseName,
    unattended: 'set [DWH] DWH_DB in dwh.cfg',
  });
  const dbUser = await ctx.prompts.input({
    message: 'Admin user name',
    default: config.dwh.dbUser ?? 'dwhuser',
    validate: validateUserName,
    unattended: 'set [DWH] DWH_DB_USER in dwh.cfg',
  });
  const known = config.dwh.dbPassword ?? config.cluster.dbPassword;
  // A valid password already in dwh.cfg is used as is: asking again would only invite a typo.
  const password =
    known !== undefined && validateRedshiftPassword(known) === true
      ? known
      : await ctx.prompts.password({
          message: 'Admin password (8–64 characters, upper and lower case and a digit)',
          validate: validateRedshiftPassword,
          unattended: 'set [DWH] DWH_DB_PASSWORD in dwh.cfg',
        });
  registerSecret(password);
  const port = Number(
    await ctx.prompts.input({
      message: 'Port',
      default: String(config.dwh.port ?? 5439),
      validate: validateRedshiftPort,
      unattended: 'set [DWH] DWH_PORT in dwh.cfg',
    }),
  );
  const roleName = await ctx.prompts.input({
    message: 'IAM role name (the cluster uses it to read S3)',
    default: config.dwh.iamRoleName ?? DEFAULT_ROLE_NAME,
    validate: validateIamRoleName,
    unattended: 'set [DWH] DWH_IAM_ROLE_NAME in dwh.cfg',
  });
  return { identifier, nodeType, numberOfNodes, dbName, dbUser, password, port, roleName };
}

function showSummary(ctx: Context, inputs: ClusterInputs, region: string, cidr: string): void {
  const cost = estimateCost(inputs.nodeType, inputs.numberOfNodes, region);
  const rows = [
    { setting: 'Cluster', value: `${inputs.identifier} in ${region}` },
    {
      setting: 'Nodes',
      value: `${inputs.numberOfNodes} × ${inputs.nodeType} (${inputs.numberOfNodes === 1 ? 'single-node' : 'multi-node'})`,
    },
    { setting: 'Database', value: `${inputs.dbName}, user ${inputs.dbUser}, port ${inputs.port}` },
    { setting: 'IAM role', value: `${inputs.roleName} (reads only the [S3] prefixes)` },
    { setting: 'Network', value: `publicly accessible, encrypted; port ${inputs.port} open to ${cidr} only` },
  ];
  if (cost) {
    const qualifier = cost.exactRegion ? '' : ` (us-east-1 price; ${region} is likely higher)`;
    rows.push({
      setting: 'Estimated cost',
      value: `${formatMoney(cost.usdPerHour)} per hour, ${formatMoney(cost.usdPerDay)} per day${qualifier}`,
    });
  }
  ctx.ui.table(rows, {
    title: 'About to create',
    columns: [
      { key: 'setting', header: 'Setting' },
      { key: 'value', header: 'Value' },
    ],
  });
  ctx.ui.note(
    'Prices are on-demand estimates; the cluster is billed per second while it exists (pause or teardown stop it).',
  );
}

/** DWH_ALLOWED_CIDR, else the caller's public IP /32, else ask (a clear error under --yes). */
async function chooseAllowedCidr(ctx: Context, config: DwhConfig, deps: ClusterDeps): Promise<string> {
  let cidr = config.dwh.allowedCidr;
  if (!cidr) {
    const ip = await deps.lookupPublicIp(ctx.signal);
    if (ip) {
      cidr = `${ip}/32`;
      ctx.ui.info(`Your public IP address is ${ip}: only ${cidr} may connect to the cluster.`);
    } else {
      ctx.ui.warn('Could not find your public IP address (offline, or the lookup was blocked).');
      cidr = await ctx.prompts.input({
        message: 'The address allowed to connect (your public IP as a.b.c.d/32)',
        validate: validateCidr,
        unattended: 'set [DWH] DWH_ALLOWED_CIDR in dwh.cfg to your public IP as a.b.c.d/32',
      });
    }
  }
  const prefix = Number(cidr.split('/')[1]);
  if (prefix === 0) {
    ctx.ui.warn(`${cidr} opens the cluster's port to the whole internet: anyone can try passwords against it.`);
    const go = await ctx.prompts.confirm({ message: `Really allow ${cidr}?`, default: false });
    if (!go)
      throw new UserError(
        'stopped before opening the cluster to the whole internet: set [DWH] DWH_ALLOWED_CIDR to your own address (a.b.c.d/32)',
      );
  } else if (prefix < 32) {
    ctx.ui.warn(`${cidr} lets ${2 ** (32 - prefix)} addresses reach the cluster's port, not only yours.`);
  }
  return cidr;
}

/** Create the role, or reuse it; put the least-privilege inline policy on a role the wizard owns. */
async function ensureRole(
  ctx: Context,
  clients: AwsClients,
  config: DwhConfig,
  roleName: string,
  clusterIdentifier: string,
): Promise<string> {
  const urls = s3SourceUrls(config);
  let role = await getRole(clients.iam, roleName);
  if (role && !isCreatedByWizard(role.tags)) {
    // The user's own role: used as it is, never changed (and never deleted by teardown).
    ctx.ui.warn(
      `IAM role ${roleName} exists and was not created by sparkify-dwh: using it unchanged (it must trust redshift.amazonaws.com and read the [S3] data).`,
    );
    return role.arn;
  }
  if (!role) {
    const created = await createRole(clients.iam, {
      name: roleName,
      trustPolicy: redshiftTrustPolicy(),
      description: `Lets Redshift cluster ${clusterIdentifier} read the Sparkify source data in S3 (sparkify-dwh)`,
      tags: wizardTags(clusterIdentifier),
    });
    role =
      'arn' in created
        ? { name: roleName, arn: created.arn, tags: wizardTags(clusterIdentifier) }
        : await getRole(clients.iam, roleName);
    if (!role)
      throw new UserError(
        `IAM role ${roleName} could not be created or found: run \`sparkify-dwh cluster create\` again`,
      );
    ctx.ui.success(`IAM role ${roleName} created`);
  } else {
    ctx.ui.success(`IAM role ${roleName} reused`);
  }
  if (urls.length === 0) {
    ctx.ui.warn(
      '[S3] has no LOG_DATA, LOG_JSONPATH or SONG_DATA: the role can read nothing yet; set them and run `sparkify-dwh cluster create` again.',
    );
  } else {
    await putRolePolicy(clients.iam, roleName, S3_READ_POLICY_NAME, s3ReadPolicy(urls, clients.region));
  }
  return role.arn;
}

/** The wizard's security group in the default VPC, created if needed, with the ingress rule. */
async function ensureSecurityGroup(
  ctx: Context,
  clients: AwsClients,
  clusterIdentifier: string,
  port: number,
  cidr: string,
): Promise<string> {
  const vpcId = await findDefaultVpc(clients.ec2, clients.region);
  if (!vpcId) {
    throw new UserError(
      `there is no default VPC in ${clients.region}: create one with \`aws ec2 create-default-vpc --region ${clients.region}\` and run \`sparkify-dwh cluster create\` again`,
    );
  }
  const name = securityGroupNameFor(clusterIdentifier);
  const existing = await findSecurityGroupByName(clients.ec2, name, vpcId, clients.region);
  let groupId: string;
  if (existing) {
    groupId = existing.id;
    ctx.ui.success(`Security group ${name} (${groupId}) reused`);
  } else {
    groupId = await createSecurityGroup(
      clients.ec2,
      {
        name,
        description: `Access to Redshift cluster ${clusterIdentifier} (sparkify-dwh)`,
        vpcId,
        tags: [{ Key: 'Name', Value: name }, ...wizardTags(clusterIdentifier)],
      },
      clients.region,
    );
    ctx.ui.success(`Security group ${name} (${groupId}) created in the default VPC ${vpcId}`);
  }
  await allowIngressReported(ctx, clients, groupId, port, cidr);
  return groupId;
}

async function allowIngressReported(
  ctx: Context,
  clients: AwsClients,
  groupId: string,
  port: number,
  cidr: string,
): Promise<void> {
  const outcome = await allowIngress(
    clients.ec2,
    { groupId, port, cidr, description: 'sparkify-dwh: Redshift from the wizard user' },
    clients.region,
  );
  ctx.ui.success(outcome === 'added' ? `Port ${port} open to ${cidr}` : `Port ${port} was already open to ${cidr}`);
}

/** The dwh.cfg changes that record an available cluster. */
export function clusterWriteBack(
  cluster: ClusterInfo,
  roleArn: string | undefined,
  password: string | undefined,
): ConfigChange[] {
  return changesFor([...WRITE_BACK.connection, ...WRITE_BACK.role], {
    cluster: {
      host: cluster.endpoint?.address,
      dbName: cluster.dbName,
      dbUser: cluster.masterUsername,
      dbPassword: password,
      dbPort: cluster.endpoint?.port,
    },
    iamRole: { arn: roleArn },
  });
}

/** Only the keys whose value differs from dwh.cfg, so an unchanged file is not rewritten. */
function onlyChanged(ctx: Context, changes: ConfigChange[]): ConfigChange[] {
  return changes.filter((change) => ctx.config.get(change.section, change.key) !== change.value);
}

/** [DWH] keys for inputs the user changed at the prompts, so dwh.cfg describes the cluster made. */
function dwhWriteBack(inputs: ClusterInputs): ConfigChange[] {
  return changesFor(WRITE_BACK.clusterSettings, {
    dwh: {
      clusterIdentifier: inputs.identifier,
      clusterType: inputs.numberOfNodes === 1 ? 'single-node' : 'multi-node',
      numNodes: inputs.numberOfNodes,
      nodeType: inputs.nodeType,
      iamRoleName: inputs.roleName,
      db: inputs.dbName,
      dbUser: inputs.dbUser,
      dbPassword: inputs.password,
      port: inputs.port,
    },
  });
}

function warnAboutRegion(ctx: Context, config: DwhConfig, region: string): void {
  const readsSparkifyBucket = s3SourceUrls(config).some(
    (url) => url.startsWith('s3://udacity-dend/') || url === 's3://udacity-dend',
  );
  if (readsSparkifyBucket && region !== SPARKIFY_BUCKET_REGION) {
    ctx.ui.warn(
      `The cluster will be in ${region} but the Sparkify data is in ${SPARKIFY_BUCKET_REGION}: loading is slower and transfer is billed. Set [AWS] REGION = ${SPARKIFY_BUCKET_REGION} to avoid that.`,
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

/** `cluster create`: role, security group, cluster; wait until available; write back; test. */
export async function runClusterCreate(ctx: Context, options: Partial<ClusterDeps> = {}): Promise<StepResult> {
  const deps = withDefaults(options);
  const config = ctx.config.values();
  const clients = await ctx.aws();
  const region = clients.region;
  ctx.ui.heading(`Redshift cluster in ${region}`);
  warnAboutRegion(ctx, config, region);

  const identifier = await askIdentifier(ctx, config);
  let cluster = await describeCluster(clients.redshift, identifier, region);
  let roleArn: string;
  let password: string | undefined;
  const configChanges: ConfigChange[] = [];

  if (cluster) {
    ctx.ui.info(`Cluster ${identifier} already exists (${cluster.status}): reusing it.`);
    roleArn = await reusedRoleArn(ctx, clients, config, cluster);
    // The caller's address may have changed since the cluster was made (another network).
    const ourGroups = (await describeSecurityGroups(clients.ec2, cluster.securityGroupIds, region)).filter((group) =>
      isCreatedByWizard(group.tags),
    );
    if (ourGroups.length > 0) {
      // Never a prompt or a failure here: the cluster works for whoever it already lets in.
      const ip = config.dwh.allowedCidr ? undefined : await deps.lookupPublicIp(ctx.signal);
      const cidr = config.dwh.allowedCidr ?? (ip ? `${ip}/32` : undefined);
      if (cidr)
        await allowIngressReported(
          ctx,
          clients,
          ourGroups[0]!.id,
          cluster.endpoint?.port ?? config.dwh.port ?? 5439,
          cidr,
        );
      else ctx.ui.note('Could not find your public IP address: the security group is left as it is.');
    }
    if (cluster.status === 'paused') {
      const resume = await ctx.prompts.confirm({
        message: `Cluster ${identifier} is paused. Resume it now?`,
        default: true,
      });
      if (!resume) return { ok: false, summary: `cluster ${identifier} is paused` };
      await resumeCluster(clients.redshift, identifier, region);
    }
    password = config.cluster.dbPassword ?? config.dwh.dbPassword;
    if (identifier !== config.dwh.clusterIdentifier)
      configChanges.push({ section: 'DWH', key: 'DWH_CLUSTER_IDENTIFIER', value: identifier });
  } else {
    const inputs = await askNewClusterInputs(ctx, config, identifier, region);
    const cidr = await chooseAllowedCidr(ctx, config, deps);
    showSummary(ctx, inputs, region, cidr);
    const go = await ctx.prompts.confirm({
      message: 'Create these AWS resources? (billed while the cluster exists)',
      default: true,
    });
    if (!go) return { ok: false, summary: 'nothing created' };
    // dwh.cfg first: if anything below fails, a rerun asks nothing again.
    await ctx.config.update(onlyChanged(ctx, dwhWriteBack(inputs)));
    roleArn = await ensureRole(ctx, clients, config, inputs.roleName, identifier);
    await ctx.config.update(onlyChanged(ctx, [{ section: 'IAM_ROLE', key: 'ARN', value: roleArn }]));
    const groupId = await ensureSecurityGroup(ctx, clients, identifier, inputs.port, cidr);
    cluster = await createCluster(
      clients.redshift,
      {
        identifier,
        nodeType: inputs.nodeType,
        numberOfNodes: inputs.numberOfNodes,
        dbName: inputs.dbName,
        masterUsername: inputs.dbUser,
        masterPassword: inputs.password,
        port: inputs.port,
        iamRoleArn: roleArn,
        securityGroupId: groupId,
        tags: wizardTags(identifier),
      },
      region,
    );
    ctx.ui.success(`Cluster ${identifier} requested (${cluster.status}); this usually takes 3–10 minutes.`);
    password = inputs.password;
  }

  const available =
    cluster.status === 'available'
      ? cluster
      : await waitForCluster(ctx, clients, identifier, {
          goal: 'available',
          resumeCommand: 'sparkify-dwh cluster create',
          activity: cluster.status === 'paused' || cluster.status === 'resuming' ? 'resuming' : 'being created',
          intervalMs: deps.pollIntervalMs,
          timeoutMs: deps.createTimeoutMs,
        });
  if (!available?.endpoint)
    throw new UserError(
      `cluster ${identifier} is available but has no endpoint yet: run \`sparkify-dwh cluster create\` again in a minute`,
    );

  await ctx.config.update(onlyChanged(ctx, [...configChanges, ...clusterWriteBack(available, roleArn, password)]));
  ctx.ui.success(
    `Wrote [CLUSTER] HOST = ${available.endpoint.address} and [IAM_ROLE] ARN to ${ctx.config.displayPath}`,
  );

  if (password === undefined) {
    ctx.ui.warn('No password for the cluster in dwh.cfg: set [CLUSTER] DB_PASSWORD to connect.');
    return { ok: true, summary: `cluster ${identifier} available at ${available.endpoint.address}` };
  }
  await testConnection(ctx, deps, {
    host: available.endpoint.address,
    port: available.endpoint.port,
    database: available.dbName ?? config.cluster.dbName ?? 'dwh',
    user: available.masterUsername ?? config.cluster.dbUser ?? 'dwhuser',
    password,
  });
  return { ok: true, summary: `cluster ${identifier} available at ${available.endpoint.address}` };
}

/** The role a reused cluster reads S3 with: the configured name's role if attached, else its first. */
async function reusedRoleArn(
  ctx: Context,
  clients: AwsClients,
  config: DwhConfig,
  cluster: ClusterInfo,
): Promise<string> {
  const roleName = config.dwh.iamRoleName ?? DEFAULT_ROLE_NAME;
  const attached = cluster.iamRoleArns.find((arn) => arn.endsWith(`/${roleName}`)) ?? cluster.iamRoleArns[0];
  if (attached) return attached;
  const role = await getRole(clients.iam, roleName);
  if (role) {
    ctx.ui.warn(
      `Cluster ${cluster.identifier} has no IAM role attached; COPY needs one (attach ${roleName} in the Redshift console).`,
    );
    return role.arn;
  }
  throw new UserError(
    `cluster ${cluster.identifier} has no IAM role and role ${roleName} does not exist: attach a role that can read [S3] in the Redshift console, or delete the cluster (\`sparkify-dwh teardown\`) and create it again`,
  );
}

// -------------------------------------------------------------------------------------------
// status, pause, resume

/** `cluster status`: status, endpoint, node type and count, age and estimated cost so far. */
export async function runClusterStatus(ctx: Context): Promise<StepResult> {
  const config = ctx.config.values();
  const clients = await ctx.aws();
  const identifier = clusterIdentifierOf(config);
  const cluster = await describeCluster(clients.redshift, identifier, clients.region);
  if (!cluster) {
    ctx.ui.info(
      `No cluster ${identifier} in ${clients.region}: nothing is running or billed. Create one with \`sparkify-dwh cluster create\`.`,
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
    const reason = await latestClusterEvent(clients.redshift, identifier);
    ctx.ui.warn(
      `Cluster ${identifier} is ${cluster.status}${reason ? ` (${oneLine(reason)})` : ''}: ${nextActionFor(cluster.status)}`,
    );
  }
  if (cluster.endpoint && config.cluster.host !== cluster.endpoint.address) {
    ctx.ui.warn(
      `[CLUSTER] HOST in ${ctx.config.displayPath} is not this cluster's endpoint: run \`sparkify-dwh cluster create\` to write it back.`,
    );
  }
  return { ok: true, summary: `cluster ${identifier} ${cluster.status}` };
}

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
  if (cluster.status !== 'pausing') await pauseCluster(clients.redshift, identifier, clients.region);
  await waitForCluster(ctx, clients, identifier, {
    goal: 'paused',
    resumeCommand: 'sparkify-dwh cluster pause',
    activity: 'pausing',
    intervalMs: deps.pollIntervalMs,
    timeoutMs: deps.settleTimeoutMs,
  });
  ctx.ui.note('Compute is no longer billed; storage still is. `sparkify-dwh cluster resume` brings it back.');
  return { ok: true, summary: `cluster ${identifier} paused` };
}

/** `cluster resume`: back to available, then the endpoint is written back (it can change). */
export async function runClusterResume(ctx: Context, options: Partial<ClusterDeps> = {}): Promise<StepResult> {
  const deps = withDefaults(options);
  const clients = await ctx.aws();
  const config = ctx.config.values();
  const identifier = clusterIdentifierOf(config);
  const cluster = await describeCluster(clients.redshift, identifier, clients.region);
  if (!cluster)
    throw new UserError(
      `there is no cluster ${identifier} in ${clients.region} to resume: run \`sparkify-dwh cluster create\``,
    );
  if (cluster.status === 'paused') await resumeCluster(clients.redshift, identifier, clients.region);
  const available =
    cluster.status === 'available'
      ? cluster
      : await waitForCluster(ctx, clients, identifier, {
          goal: 'available',
          resumeCommand: 'sparkify-dwh cluster resume',
          activity: 'resuming',
          intervalMs: deps.pollIntervalMs,
          timeoutMs: deps.createTimeoutMs,
        });
  if (available?.endpoint) {
    await ctx.config.update(onlyChanged(ctx, [{ section: 'CLUSTER', key: 'HOST', value: available.endpoint.address }]));
  }
  return { ok: true, summary: `cluster ${identifier} available` };
}

// -------------------------------------------------------------------------------------------
// menu

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

export const clusterStep: MenuStep = {
  id: 'cluster',
  title: 'Redshift cluster',
  applies: (ctx) => ctx.target() === 'redshift',
  status: clusterStatus,
  run: (ctx) => runClusterCreate(ctx),
};
