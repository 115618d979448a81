/**
 * What `cluster create` asks before it makes a Redshift Serverless namespace and workgroup (each
 * question with its dwh.cfg key, so --yes reads the same values), checked against what AWS accepts
 * (src/aws/serverless-provision.ts, src/aws/limits.ts) before anything exists, and the summary with
 * the cost per RPU-hour shown before the user confirms (docs/redshift.md, Redshift Serverless).
 */
import { checkBaseRpu, checkWorkgroupPort, DEFAULT_PORT } from '../aws/limits.js';
import { clusterIdentifierOf, roleNameOf } from '../aws/naming.js';
import { estimateServerlessCost, MANAGED_STORAGE_USD_PER_GB_MONTH } from '../aws/pricing.js';
import { checkServerlessName, checkServerlessSpec, type ServerlessSpec } from '../aws/serverless-provision.js';
import type { DwhConfig } from '../config/types.js';
import {
  validateClusterIdentifier,
  validateDatabaseName,
  validateIamRoleName,
  validateUserName,
} from '../config/validate.js';
import type { Context } from '../context.js';
import { ConfigError } from '../errors.js';
import { formatMoney } from '../ui/format.js';
import { registerSecret } from '../ui/redact.js';

/** The inputs of a new namespace and workgroup; the role's ARN is known only once the role exists. */
export type ServerlessInputs = Omit<ServerlessSpec, 'roleArn'> & { roleName: string };

/** The name of both the namespace and the workgroup: [DWH] DWH_CLUSTER_IDENTIFIER. */
export async function askServerlessName(ctx: Context, config: DwhConfig): Promise<string> {
  return ctx.prompts.input({
    message: 'Namespace and workgroup name',
    default: clusterIdentifierOf(config),
    validate: (value) => {
      const format = validateClusterIdentifier(value);
      return format === true ? checkServerlessName(value) : format;
    },
    unattended: 'set [DWH] DWH_CLUSTER_IDENTIFIER in dwh.cfg',
  });
}

/** The base capacities offered at the prompt: the small ones this data set needs, and AWS's default. */
const OFFERED_RPUS = [4, 8, 16, 32, 64, 128] as const;

/**
 * Database, admin user, base capacity and role name. The password is never asked: an empty
 * DWH_DB_PASSWORD means AWS generates it and keeps it in Secrets Manager; the port is DWH_PORT or
 * 5439 (a private workgroup is reached through the Data API, never on its port).
 */
export async function askServerlessInputs(
  ctx: Context,
  config: DwhConfig,
  identifier: string,
  region: string,
): Promise<ServerlessInputs> {
  const port = config.dwh.port ?? DEFAULT_PORT;
  const portCheck = checkWorkgroupPort(port);
  if (portCheck !== true) throw new ConfigError(ctx.config.displayPath, 'DWH', 'DWH_PORT', portCheck);
  if (ctx.prompts.unattended) {
    // --yes takes the values as they are: a bad one stops here, naming its key, before anything exists.
    const problem = checkServerlessSpec({ identifier, baseRpu: config.dwh.baseRpu, port }, region);
    if (problem !== true) {
      throw new ConfigError(ctx.config.displayPath, 'DWH', 'DWH_BASE_RPU', problem);
    }
  }
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
  const configured = config.dwh.baseRpu;
  const offered: number[] = OFFERED_RPUS.includes(configured as (typeof OFFERED_RPUS)[number])
    ? [...OFFERED_RPUS]
    : [configured, ...OFFERED_RPUS].filter((rpu) => checkBaseRpu(rpu, region) === true);
  const baseRpu = await ctx.prompts.select<number>({
    message: 'Base capacity in RPUs (billed only while queries run)',
    choices: offered.map((rpu) => ({ name: rpuLabel(rpu, region), value: rpu })),
    default: checkBaseRpu(configured, region) === true ? configured : 8,
    unattended: 'set [DWH] DWH_BASE_RPU in dwh.cfg',
  });
  const roleName = await ctx.prompts.input({
    message: 'IAM role name (the namespace uses it to read S3)',
    default: roleNameOf(config),
    validate: validateIamRoleName,
    unattended: 'set [DWH] DWH_IAM_ROLE_NAME in dwh.cfg',
  });
  const password = config.dwh.dbPassword || config.cluster.dbPassword || undefined;
  if (password) registerSecret(password);
  // Private whatever DWH_ACCESS says: the wizard reaches a workgroup only through the Data API.
  return { identifier, dbName, dbUser, password, baseRpu, port, access: 'private', roleName };
}

function rpuLabel(rpu: number, region: string): string {
  const cost = estimateServerlessCost(rpu, region);
  return `${String(rpu).padStart(4)} RPUs  ~${formatMoney(cost.usdPerHourAtBase)} per busy hour`;
}

/** What is about to be created, with the cost per RPU-hour and the note that idle time is free. */
export function showServerlessSummary(ctx: Context, inputs: ServerlessInputs, region: string): void {
  const cost = estimateServerlessCost(inputs.baseRpu, region);
  const qualifier = cost.exactRegion ? '' : ` (us-east-1 price; ${region} is likely higher)`;
  const rows = [
    { setting: 'Namespace', value: `${inputs.identifier} in ${region} (the databases, admin user and IAM role)` },
    { setting: 'Workgroup', value: `${inputs.identifier}, base capacity ${inputs.baseRpu} RPUs (the compute)` },
    { setting: 'Database', value: `${inputs.dbName}, admin user ${inputs.dbUser}` },
    {
      setting: 'Admin password',
      value: inputs.password ? 'from [DWH] DWH_DB_PASSWORD' : 'generated and kept by AWS in Secrets Manager',
    },
    { setting: 'IAM role', value: `${inputs.roleName} (reads only the [S3] prefixes; the namespace's default)` },
    { setting: 'Network', value: 'not publicly accessible; SQL goes through the Redshift Data API over HTTPS' },
    {
      setting: 'Estimated cost',
      value:
        `$${cost.usdPerRpuHour} per RPU-hour: ~${formatMoney(cost.usdPerHourAtBase)} per busy hour ` +
        `at ${inputs.baseRpu} RPUs${qualifier}`,
    },
    { setting: 'Managed storage', value: `$${MANAGED_STORAGE_USD_PER_GB_MONTH} per GB-month for the data stored` },
  ];
  ctx.ui.table(rows, {
    title: 'About to create',
    columns: [
      { key: 'setting', header: 'Setting' },
      { key: 'value', header: 'Value' },
    ],
  });
  ctx.ui.note(`Redshift Serverless is ${cost.note}.`);
}
