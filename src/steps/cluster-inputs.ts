/**
 * The questions `cluster create` asks before anything is made (each with its dwh.cfg key, so
 * --yes reads the same values), and the summary shown before the user confirms.
 */
import { cidrReach } from '../aws/provision-network.js';
import type { ClusterSpec } from '../aws/provision-cluster.js';
import { clusterIdentifierOf, roleNameOf } from '../aws/naming.js';
import { estimateCost, NODE_TYPE_INFO, type NodeType } from '../aws/pricing.js';
import type { DwhConfig } from '../config/types.js';
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
import { UserError } from '../errors.js';
import { formatMoney } from '../ui/format.js';
import { registerSecret } from '../ui/redact.js';
import type { ClusterDeps } from './cluster-deps.js';

function nodeTypeLabel(nodeType: NodeType, region: string): string {
  const info = NODE_TYPE_INFO[nodeType];
  const cost = estimateCost(nodeType, 1, region);
  const price = cost ? `~${formatMoney(cost.usdPerHour)}/h per node` : '';
  const generation = info.previousGeneration ? ' (previous generation)' : '';
  const size = `${String(info.vcpu).padStart(2)} vCPU ${String(info.memoryGib).padStart(3)} GiB`;
  return `${nodeType.padEnd(13)} ${size}  ${price}${generation}`;
}

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
    default: roleNameOf(config),
    validate: validateIamRoleName,
    unattended: 'set [DWH] DWH_IAM_ROLE_NAME in dwh.cfg',
  });
  return { identifier, nodeType, numberOfNodes, dbName, dbUser, password, port, roleName };
}

/** DWH_ALLOWED_CIDR, else the caller's public IP /32, else ask (a clear error under --yes). */
export async function chooseAllowedCidr(ctx: Context, config: DwhConfig, deps: ClusterDeps): Promise<string> {
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
  return cidr;
}

/** What is about to be created, with the estimated cost, before the user confirms. */
export function showSummary(ctx: Context, spec: ClusterSpec, region: string, cidr: string): void {
  const cost = estimateCost(spec.nodeType, spec.numberOfNodes, region);
  const shape = spec.numberOfNodes === 1 ? 'single-node' : 'multi-node';
  const rows = [
    { setting: 'Cluster', value: `${spec.identifier} in ${region}` },
    { setting: 'Nodes', value: `${spec.numberOfNodes} × ${spec.nodeType} (${shape})` },
    { setting: 'Database', value: `${spec.dbName}, user ${spec.dbUser}, port ${spec.port}` },
    { setting: 'IAM role', value: `${spec.roleName} (reads only the [S3] prefixes)` },
    { setting: 'Network', value: `publicly accessible, encrypted; port ${spec.port} open to ${cidr} only` },
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
