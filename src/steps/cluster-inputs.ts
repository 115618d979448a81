/**
 * The questions `cluster create` asks before anything is made (each with its dwh.cfg key, so
 * --yes reads the same values), and the summary shown before the user confirms. Node type, node
 * count and port are held to what AWS accepts for a NEW cluster (src/aws/limits.ts) here, before
 * any role or security group exists; an existing cluster is never held to them.
 */
import {
  checkNodeCount,
  checkNodeType,
  checkPort,
  DEFAULT_PORT,
  nodeCountRange,
  NODE_TYPE_LIMITS,
  PROVISIONABLE_NODE_TYPES,
  replacementFor,
  type ProvisionableNodeType,
} from '../aws/limits.js';
import { cidrReach } from '../aws/provision-network.js';
import type { ClusterSpec } from '../aws/provision-cluster.js';
import { clusterIdentifierOf, roleNameOf } from '../aws/naming.js';
import { estimateCost, MANAGED_STORAGE_USD_PER_GB_MONTH, NODE_TYPE_INFO } from '../aws/pricing.js';
import type { DwhConfig } from '../config/types.js';
import {
  validateCidr,
  validateClusterIdentifier,
  validateDatabaseName,
  validateIamRoleName,
  validateNodeCount,
  validateRedshiftPort,
  validateUserName,
} from '../config/validate.js';
import type { Context } from '../context.js';
import { ConfigError, UserError } from '../errors.js';
import { formatMoney } from '../ui/format.js';
import { registerSecret } from '../ui/redact.js';
import type { ClusterDeps } from './cluster-deps.js';

function nodeTypeLabel(nodeType: ProvisionableNodeType, region: string): string {
  const info = NODE_TYPE_INFO[nodeType];
  const cost = estimateCost(nodeType, 1, region);
  const price = cost ? `~${formatMoney(cost.usdPerHour)}/h per node` : '';
  const size = `${String(info.vcpu).padStart(2)} vCPU ${String(info.memoryGib).padStart(3)} GiB`;
  return `${nodeType.padEnd(13)} ${size}  ${price}  nodes: ${nodeCountRange(nodeType)}`;
}

/** A problem with the [DWH] values a new cluster would be made from, naming the key, or undefined. */
export function newClusterConfigProblem(config: DwhConfig): { key: string; problem: string } | undefined {
  const { nodeType, numNodes, clusterType, port } = config.dwh;
  if (nodeType !== undefined) {
    const type = checkNodeType(nodeType);
    if (type !== true) return { key: 'DWH_NODE_TYPE', problem: type };
  }
  const shape = checkNodeCount(nodeType ?? DEFAULT_NODE_TYPE, clusterType, numNodes ?? 1);
  if (shape !== true) return { key: 'DWH_NUM_NODES', problem: shape };
  if (port !== undefined) {
    const portCheck = checkPort(nodeType ?? DEFAULT_NODE_TYPE, port);
    if (portCheck !== true) return { key: 'DWH_PORT', problem: portCheck };
  }
  return undefined;
}

/** The smallest and cheapest type that allows a single node. */
const DEFAULT_NODE_TYPE: ProvisionableNodeType = 'ra3.large';

/** Identifier first: an existing cluster is reused as it is, so nothing else needs asking. */
export async function askIdentifier(ctx: Context, config: DwhConfig): Promise<string> {
  return ctx.prompts.input({
    message: 'Cluster identifier',
    default: clusterIdentifierOf(config),
    validate: validateClusterIdentifier,
    unattended: 'set [DWH] DWH_CLUSTER_IDENTIFIER in dwh.cfg',
  });
}

/** Node type, size, database, admin user and password, port and role name for a new cluster. */
export async function askNewClusterSpec(
  ctx: Context,
  config: DwhConfig,
  identifier: string,
  region: string,
): Promise<ClusterSpec> {
  if (ctx.prompts.unattended) {
    // --yes takes the values as they are: a bad one stops here, naming its key, before anything exists.
    const problem = newClusterConfigProblem(config);
    if (problem) throw new ConfigError(ctx.config.displayPath, 'DWH', problem.key, problem.problem);
  }
  const configuredType = config.dwh.nodeType;
  let defaultType = DEFAULT_NODE_TYPE;
  if (configuredType !== undefined) {
    const check = checkNodeType(configuredType);
    if (check === true) defaultType = configuredType as ProvisionableNodeType;
    else {
      ctx.ui.warn(`${ctx.config.displayPath} [DWH] DWH_NODE_TYPE: ${check}.`);
      defaultType = replacementFor(configuredType) ?? DEFAULT_NODE_TYPE;
    }
  }
  const nodeType = await ctx.prompts.select<ProvisionableNodeType>({
    message: 'Node type (on-demand prices are estimates)',
    choices: PROVISIONABLE_NODE_TYPES.map((type) => ({ name: nodeTypeLabel(type, region), value: type })),
    default: defaultType,
    unattended: 'set [DWH] DWH_NODE_TYPE in dwh.cfg',
  });
  const configuredNodes = config.dwh.numNodes;
  const fits = (nodes: number): boolean => checkNodeCount(nodeType, undefined, nodes) === true;
  const smallest = NODE_TYPE_LIMITS[nodeType].singleNode ? 1 : NODE_TYPE_LIMITS[nodeType].multiNode.min;
  const numberOfNodes = Number(
    await ctx.prompts.input({
      message: `Number of nodes (${nodeCountRange(nodeType)})`,
      default: String(configuredNodes !== undefined && fits(configuredNodes) ? configuredNodes : smallest),
      validate: (value) => {
        const format = validateNodeCount(value);
        return format === true ? checkNodeCount(nodeType, undefined, Number(value)) : format;
      },
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
  // A password in dwh.cfg is used as is (schema.ts has validated it). Without one, none is asked
  // for: Redshift generates it and keeps it in Secrets Manager (docs/redshift.md, Passwords), so
  // dwh.cfg holds no secret.
  const password = config.dwh.dbPassword ?? config.cluster.dbPassword;
  if (password !== undefined) registerSecret(password);
  const configuredPort = config.dwh.port;
  const port = Number(
    await ctx.prompts.input({
      message: 'Port (5431–5455 or 8191–8215)',
      default: String(
        configuredPort !== undefined && checkPort(nodeType, configuredPort) === true ? configuredPort : DEFAULT_PORT,
      ),
      validate: (value) => {
        const format = validateRedshiftPort(value);
        return format === true ? checkPort(nodeType, Number(value)) : format;
      },
      unattended: 'set [DWH] DWH_PORT in dwh.cfg',
    }),
  );
  const roleName = await ctx.prompts.input({
    message: 'IAM role name (the cluster uses it to read S3)',
    default: roleNameOf(config),
    validate: validateIamRoleName,
    unattended: 'set [DWH] DWH_IAM_ROLE_NAME in dwh.cfg',
  });
  return { identifier, nodeType, numberOfNodes, dbName, dbUser, password, port, roleName, access: config.dwh.access };
}

/**
 * DWH_ALLOWED_CIDR, else the caller's public IP /32, else ask (a clear error under --yes). `typed`:
 * the user typed it, so it is worth writing to DWH_ALLOWED_CIDR (a looked-up address is not: it
 * changes with the network).
 */
export async function chooseAllowedCidr(
  ctx: Context,
  config: DwhConfig,
  deps: ClusterDeps,
): Promise<{ cidr: string; typed: boolean }> {
  let cidr = config.dwh.allowedCidr;
  let typed = false;
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
      typed = true;
    }
  }
  const reach = cidrReach(cidr);
  if (reach.kind === 'whole-internet') {
    ctx.ui.warn(`${cidr} opens the cluster's port to the whole internet: anyone can try passwords against it.`);
    const go = await ctx.prompts.confirm({ message: `Really allow ${cidr}?`, default: false });
    if (!go)
      throw new UserError(
        'stopped before opening the cluster to the whole internet: ' +
          'set [DWH] DWH_ALLOWED_CIDR to your own address (a.b.c.d/32)',
      );
  } else if (reach.kind === 'range') {
    ctx.ui.warn(`${cidr} lets ${reach.addresses} addresses reach the cluster's port, not only yours.`);
  }
  return { cidr, typed };
}

/** How the summary describes the network: no port at all when private, else the one address range let in. */
function networkText(spec: ClusterSpec, cidr: string | undefined): string {
  if (spec.access === 'private' || cidr === undefined) {
    return 'private (not publicly accessible, no port opened), encrypted; SQL through the Redshift Data API';
  }
  return `publicly accessible, encrypted; port ${spec.port} open to ${cidr} only`;
}

/** What is about to be created, with the estimated cost, before the user confirms. */
export function showSummary(
  ctx: Context,
  spec: ClusterSpec,
  region: string,
  cidr: string | undefined,
  autoPause: string,
): void {
  const cost = estimateCost(spec.nodeType, spec.numberOfNodes, region);
  const shape = spec.numberOfNodes === 1 ? 'single-node' : 'multi-node';
  const rows = [
    { setting: 'Cluster', value: `${spec.identifier} in ${region}` },
    { setting: 'Nodes', value: `${spec.numberOfNodes} × ${spec.nodeType} (${shape})` },
    { setting: 'Database', value: `${spec.dbName}, user ${spec.dbUser}, port ${spec.port}` },
    { setting: 'IAM role', value: `${spec.roleName} (reads only the [S3] prefixes)` },
    { setting: 'Network', value: networkText(spec, cidr) },
    {
      setting: 'Admin password',
      value:
        spec.password === undefined
          ? 'generated and kept by AWS in Secrets Manager (none in dwh.cfg)'
          : 'the one in dwh.cfg (DWH_DB_PASSWORD)',
    },
    { setting: 'Automatic pause', value: autoPause },
  ];
  if (cost) {
    const qualifier = cost.exactRegion ? '' : ` (us-east-1 price; ${region} is likely higher)`;
    rows.push({
      setting: 'Estimated cost',
      value: `${formatMoney(cost.usdPerHour)} per hour, ${formatMoney(cost.usdPerDay)} per day${qualifier}`,
    });
  }
  if (NODE_TYPE_INFO[spec.nodeType as ProvisionableNodeType]?.managedStorage) {
    rows.push({
      setting: 'Managed storage',
      value: `$${MANAGED_STORAGE_USD_PER_GB_MONTH} per GB-month for the data stored, paused or not`,
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
    'Prices are on-demand estimates; compute is billed per second while the cluster runs (pause stops it, ' +
      'teardown stops everything).',
  );
}
