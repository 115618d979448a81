/**
 * `cluster status`, `cluster pause` and `cluster resume` for `TARGET = redshift-serverless`, and the
 * workgroup's line in the menu. Status shows the workgroup, the namespace, the endpoint and the
 * usage so far (RPU-hours and their cost, from SYS_SERVERLESS_USAGE through the Data API); pause and
 * resume say why they do not apply (docs/redshift.md, Redshift Serverless).
 */
import { clusterIdentifierOf } from '../aws/naming.js';
import { estimateServerlessCost } from '../aws/pricing.js';
import { listServerlessTags } from '../aws/serverless.js';
import { ownership } from '../aws/serverless-provision.js';
import { describeServerless, usageSoFar, type UsageSoFar } from '../aws/serverless-status.js';
import type { Context } from '../context.js';
import { parseServerlessUsage, serverlessUsageSql } from '../sql/serverless.js';
import { formatAge, formatMoney } from '../ui/format.js';
import { awsProblemStatus } from './aws-status.js';
import type { StepResult, StepStatus } from './types.js';

/** `cluster status` on Serverless. */
export async function runServerlessStatus(ctx: Context): Promise<StepResult> {
  const config = ctx.config.values();
  const clients = await ctx.aws();
  const identifier = clusterIdentifierOf(config);
  const { workgroup, namespace } = await describeServerless(clients.redshiftServerless, identifier, clients.region);
  if (!workgroup && !namespace) {
    ctx.ui.info(
      `No Redshift Serverless namespace or workgroup ${identifier} in ${clients.region}: nothing is running ` +
        'or billed. Create them with `sparkify-dwh cluster create`.',
    );
    return { ok: true, summary: `no workgroup ${identifier}` };
  }
  const now = ctx.clock.now();
  const usage = workgroup?.status === 'AVAILABLE' ? await measureUsage(ctx) : undefined;
  const ours = async (arn: string | undefined): Promise<boolean> =>
    arn !== undefined &&
    ownership(await listServerlessTags(clients.redshiftServerless, arn, clients.region), identifier) === 'ours';
  const created = namespace?.createdAt?.getTime() ?? workgroup?.createdAt?.getTime();
  const baseRpu = workgroup?.baseCapacity;
  const rows = [
    {
      field: 'Workgroup',
      value: workgroup
        ? `${workgroup.name} (${clients.region}): ${workgroup.status}, base ${baseRpu ?? '?'} RPUs`
        : '(none)',
    },
    { field: 'Namespace', value: namespace ? `${namespace.name}: ${namespace.status}` : '(none)' },
    {
      field: 'Endpoint',
      value: workgroup?.endpoint ? `${workgroup.endpoint.address}:${workgroup.endpoint.port}` : '(none yet)',
    },
    {
      field: 'Database',
      value: `${namespace?.dbName ?? '?'} (admin user ${namespace?.adminUsername ?? '?'}), through the Data API`,
    },
    {
      field: 'Admin password',
      value: namespace?.adminPasswordSecretArn
        ? `in Secrets Manager: ${namespace.adminPasswordSecretArn}`
        : 'set by you (not kept by AWS)',
    },
    { field: 'IAM role', value: namespace?.defaultIamRoleArn ?? '(none)' },
    { field: 'Created', value: created === undefined ? 'unknown' : formatAge(created, now) },
    { field: 'Usage so far', value: usageText(usage) },
    {
      field: 'Cost now',
      value:
        baseRpu === undefined
          ? 'nothing while idle'
          : `nothing while idle; ~${formatMoney(estimateServerlessCost(baseRpu, clients.region).usdPerHourAtBase)} ` +
            'per busy hour at base capacity, plus managed storage',
    },
    {
      field: 'Created by',
      value: (await ours(workgroup?.arn ?? namespace?.arn))
        ? 'sparkify-dwh'
        : 'someone else (teardown leaves it alone)',
    },
  ];
  ctx.ui.table(rows, {
    title: `Redshift Serverless ${identifier}`,
    columns: [
      { key: 'field', header: 'Field' },
      { key: 'value', header: 'Value' },
    ],
  });
  if (workgroup?.endpoint && config.cluster.host !== workgroup.endpoint.address) {
    ctx.ui.warn(
      `[CLUSTER] HOST in ${ctx.config.displayPath} is not this workgroup's endpoint: ` +
        'run `sparkify-dwh cluster create` to write it back.',
    );
  }
  const cost = usage ? `, ~${formatMoney(usage.computeUsd)} so far` : '';
  return { ok: true, summary: `workgroup ${identifier} ${workgroup?.status ?? 'missing'}${cost}` };
}

function usageText(usage: UsageSoFar | undefined): string {
  if (!usage) return 'unknown (read from SYS_SERVERLESS_USAGE once the workgroup answers)';
  // The view shows its rows to superusers only: the Data API's IAM user may see none of them.
  if (usage.from === undefined) {
    return 'none recorded for this user (SYS_SERVERLESS_USAGE shows usage to the admin user only)';
  }
  const hours = usage.chargedRpuHours.toFixed(2);
  const since = ` since ${usage.from.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return (
    `${hours} RPU-hours${since} (the last 7 days at most): ~${formatMoney(usage.computeUsd)} ` +
    `at $${usage.usdPerRpuHour} per RPU-hour`
  );
}

/** SYS_SERVERLESS_USAGE through the warehouse; undefined when it does not answer (never a failure). */
async function measureUsage(ctx: Context): Promise<UsageSoFar | undefined> {
  if (ctx.target() !== 'redshift-serverless') return undefined;
  const spinner = ctx.ui.spinner('Reading the usage so far from SYS_SERVERLESS_USAGE…');
  try {
    const warehouse = await ctx.warehouse();
    const result = await warehouse.query(serverlessUsageSql());
    spinner.stop();
    return usageSoFar(parseServerlessUsage(result.rows));
  } catch {
    spinner.stop();
    return undefined;
  }
}

/** Why pause and resume do not apply: said, and the exit status is 0 (there is nothing to do). */
function noPower(ctx: Context, command: 'pause' | 'resume'): StepResult {
  const identifier = clusterIdentifierOf(ctx.config.values());
  ctx.ui.info(
    `Redshift Serverless has no ${command}: workgroup ${identifier} is billed per RPU-hour only while queries ` +
      'run, so when idle it already costs nothing (its storage is billed until `sparkify-dwh teardown`).',
  );
  return { ok: true, summary: `nothing to ${command} on Serverless` };
}

export function runServerlessPause(ctx: Context): Promise<StepResult> {
  return Promise.resolve(noPower(ctx, 'pause'));
}

export function runServerlessResume(ctx: Context): Promise<StepResult> {
  return Promise.resolve(noPower(ctx, 'resume'));
}

/** Live status for the menu: available / being created / none. Never throws. */
export async function serverlessStatus(ctx: Context): Promise<StepStatus> {
  try {
    const clients = await ctx.aws();
    const identifier = clusterIdentifierOf(ctx.config.values());
    const { workgroup, namespace } = await describeServerless(clients.redshiftServerless, identifier, clients.region);
    if (!workgroup) return { state: 'todo', detail: namespace ? 'namespace only, no workgroup' : 'no workgroup' };
    if (workgroup.status === 'AVAILABLE' && namespace?.status === 'AVAILABLE') {
      return { state: 'done', detail: 'workgroup available' };
    }
    return { state: 'todo', detail: `workgroup ${workgroup.status.toLowerCase()}` };
  } catch (error) {
    return awsProblemStatus(error);
  }
}
