/**
 * `teardown` for `TARGET = redshift-serverless`: the workgroup, then (once it is gone, as AWS
 * requires) the namespace, then the IAM role, each only when its tags say the wizard made it for
 * this identifier (docs/redshift.md, Redshift Serverless). Every step tolerates "already gone", and
 * the transitional states are waited out with the spinner, so an interrupted teardown is finished by
 * running it again.
 *
 * A final snapshot of the namespace is offered interactively (default no); under --yes only
 * `--final-snapshot` keeps one: teardown is how people stop paying, and a snapshot keeps costing.
 */
import { deleteRoleAndPolicies } from '../aws/iam.js';
import { clusterIdentifierOf, finalSnapshotIdentifier, roleNameOf } from '../aws/naming.js';
import type { PollProgress } from '../aws/poll.js';
import {
  executeServerlessTeardown,
  planServerlessRole,
  planServerlessTeardown,
  type DeletionOutcome,
  type ServerlessRolePlan,
  type ServerlessTeardownPhase,
  type ServerlessTeardownPlan,
} from '../aws/serverless-teardown.js';
import { ownerText } from '../aws/tags.js';
import type { Context } from '../context.js';
import { InterruptedError, UserError } from '../errors.js';
import { awsProblemStatus } from './aws-status.js';
import { askToApply } from './plan-first.js';
import { defaultServerlessDeps, progressLine, type ServerlessDeps } from './serverless-wait.js';
import type { StepResult, StepStatus } from './types.js';
import { clearWrittenBack } from './write-back.js';

export interface ServerlessTeardownInput {
  /** Keep a final snapshot of the namespace (the only way to keep one under --yes). */
  finalSnapshot?: boolean | undefined;
}

const NOT_OURS = 'left alone: not created by sparkify-dwh';

function showPlan(ctx: Context, plan: ServerlessTeardownPlan, role: ServerlessRolePlan | undefined): number {
  const rows: Array<{ resource: string; name: string; action: string }> = [];
  if (plan.workgroup) {
    rows.push({
      resource: 'Serverless workgroup',
      name: `${plan.workgroup.name} (${plan.workgroup.status})`,
      action: plan.workgroup.ours ? 'delete' : NOT_OURS,
    });
  }
  if (plan.namespace) {
    const blocked = plan.namespaceBlockedBy ? `left alone: workgroup ${plan.namespaceBlockedBy} still serves it` : '';
    rows.push({
      resource: 'Serverless namespace',
      name: `${plan.namespace.name} (${plan.namespace.status}), with its databases`,
      action: !plan.namespace.ours ? NOT_OURS : blocked || 'delete',
    });
  }
  if (role) {
    const why =
      role.owner === 'not-ours' ? NOT_OURS : role.owner ? `left alone: belongs to ${ownerText(role.owner)}` : '';
    rows.push({ resource: 'IAM role', name: role.name, action: why || 'delete' });
  }
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
  return rows.filter((row) => row.action === 'delete').length;
}

/** `teardown` on Serverless: list, confirm, delete the workgroup, wait, the namespace, wait, the role. */
export async function runServerlessTeardown(
  ctx: Context,
  input: ServerlessTeardownInput = {},
  options: Partial<ServerlessDeps> = {},
): Promise<StepResult> {
  const deps = { ...defaultServerlessDeps, ...options };
  const clients = await ctx.aws();
  const config = ctx.config.values();
  const identifier = clusterIdentifierOf(config);
  ctx.ui.heading(`Teardown of Redshift Serverless ${identifier} in ${clients.region}`);
  const plan = await planServerlessTeardown(clients.redshiftServerless, identifier, clients.region);
  const role = await planServerlessRole(clients.iam, roleNameOf(config), identifier, clients.region);
  const deleting = showPlan(ctx, plan, role);
  const arnNamesRole = (ctx.config.get('IAM_ROLE', 'ARN') ?? '').endsWith(`/${roleNameOf(config)}`);
  if (deleting === 0) {
    ctx.ui.info('Nothing created by sparkify-dwh is left in AWS.');
    await clearWrittenBack(ctx, { host: plan.workgroup === undefined, arn: role === undefined && arnNamesRole });
    return { ok: true, summary: 'nothing to delete' };
  }
  if (!ctx.prompts.unattended) {
    const go = await askToApply(
      ctx,
      async (prompts) =>
        (await prompts.input({
          message: `Type the workgroup name (${identifier}) to delete what is listed, or leave empty to stop`,
          validate: (value) => value === '' || value === identifier || `type ${identifier} exactly, or leave it empty`,
        })) === identifier,
    );
    if (!go) {
      ctx.ui.info('Nothing deleted.');
      return { ok: false, summary: 'teardown cancelled' };
    }
  }
  const snapshot = await chooseSnapshot(ctx, plan, input);
  const result = await deleteShown(ctx, plan, snapshot, deps);
  const namespaceGone = result.namespace === 'deleted' || result.namespace === 'absent';
  let roleGone = role === undefined;
  if (role?.ours && namespaceGone) {
    await deleteRoleAndPolicies(clients.iam, role.name);
    ctx.ui.success(`IAM role ${role.name} deleted`);
    roleGone = true;
  }
  const workgroupGone = result.workgroup === 'deleted' || result.workgroup === 'absent';
  await clearWrittenBack(ctx, { host: workgroupGone, arn: roleGone && arnNamesRole });
  return { ok: true, summary: 'deleted what sparkify-dwh created' };
}

/** The final snapshot's name, or undefined: asked interactively (default no), --final-snapshot under --yes. */
async function chooseSnapshot(
  ctx: Context,
  plan: ServerlessTeardownPlan,
  input: ServerlessTeardownInput,
): Promise<string | undefined> {
  if (!plan.namespace?.ours || plan.namespaceBlockedBy) return undefined;
  const keep = ctx.prompts.unattended
    ? input.finalSnapshot === true
    : await ctx.prompts.confirm({
        message: 'Keep a final snapshot of the namespace? (its storage is billed until you delete it)',
        default: input.finalSnapshot === true,
      });
  return keep ? finalSnapshotIdentifier(plan.identifier, ctx.clock.now()) : undefined;
}

/** executeServerlessTeardown with one spinner per wait, and a line for each way it ends. */
async function deleteShown(
  ctx: Context,
  plan: ServerlessTeardownPlan,
  snapshot: string | undefined,
  deps: ServerlessDeps,
): Promise<{ workgroup: DeletionOutcome; namespace: DeletionOutcome }> {
  const clients = await ctx.aws();
  const name = plan.identifier;
  let spinner: ReturnType<Context['ui']['spinner']> | undefined;
  let shown: ServerlessTeardownPhase | undefined;
  const onProgress = (phase: ServerlessTeardownPhase, progress: PollProgress<{ state: 'RETRY'; status: string }>) => {
    if (shown !== phase) {
      spinner?.succeed(`Workgroup ${name} deleted`);
      spinner = ctx.ui.spinner(`Deleting ${phase} ${name}…`);
      shown = phase;
    }
    const status = progress.last.status === 'busy' ? 'waiting for it to be free' : progress.last.status;
    spinner?.update(progressLine(`Deleting ${phase} ${name}`, status, progress));
  };
  const result = await executeServerlessTeardown(clients.redshiftServerless, plan, clients.region, {
    finalSnapshotName: snapshot,
    clock: ctx.clock,
    signal: ctx.signal,
    intervalMs: deps.pollIntervalMs,
    timeoutMs: deps.deleteTimeoutMs,
    onProgress: (phase, progress) => onProgress(phase, progress as PollProgress<{ state: 'RETRY'; status: string }>),
  });
  if (result.state !== 'DONE') {
    if (result.state === 'ABORTED') {
      spinner?.stop();
      ctx.ui.warn(
        `Stopped; the ${result.phase} ${name} is not deleted yet. Run \`sparkify-dwh teardown\` again to finish.`,
      );
      throw new InterruptedError();
    }
    spinner?.warn(`The ${result.phase} ${name} is still being deleted`);
    throw new UserError(
      `the ${result.phase} ${name} is still being deleted; AWS carries on: ` +
        'run `sparkify-dwh teardown` again to finish',
    );
  }
  const done = (what: string, outcome: DeletionOutcome): string | undefined =>
    outcome === 'deleted' ? `${what} ${name} deleted` : undefined;
  const workgroupLine = done('Workgroup', result.workgroup);
  const namespaceLine = done('Namespace', result.namespace);
  const how = result.finalSnapshot ? ` (final snapshot ${result.finalSnapshot})` : ' (no final snapshot)';
  if (shown === 'namespace' && namespaceLine) spinner?.succeed(`${namespaceLine}${how}`);
  else {
    if (shown === 'workgroup') spinner?.succeed(workgroupLine);
    else if (workgroupLine) ctx.ui.success(workgroupLine);
    if (namespaceLine) ctx.ui.success(`${namespaceLine}${how}`);
  }
  if (result.namespace === 'blocked') {
    ctx.ui.warn(`Namespace ${name} is left: workgroup ${plan.namespaceBlockedBy ?? '?'} still serves it.`);
  }
  return { workgroup: result.workgroup, namespace: result.namespace };
}

/** The menu: whether the workgroup or namespace is still there (and billed for storage). Never throws. */
export async function serverlessTeardownStatus(ctx: Context): Promise<StepStatus> {
  try {
    const clients = await ctx.aws();
    const identifier = clusterIdentifierOf(ctx.config.values());
    const plan = await planServerlessTeardown(clients.redshiftServerless, identifier, clients.region);
    if (plan.workgroup)
      return {
        state: 'todo',
        detail: `workgroup ${plan.workgroup.status.toLowerCase()}: delete it when done`,
      };
    if (plan.namespace) return { state: 'todo', detail: 'namespace left: its storage is billed' };
    return { state: 'done', detail: 'no workgroup' };
  } catch (error) {
    return awsProblemStatus(error);
  }
}
