/**
 * `cluster create` for `TARGET = redshift-serverless`: the IAM role that reads the [S3] prefixes,
 * then a namespace (the databases, the admin user, the role as its default) and a workgroup (the
 * compute), both named by [DWH] DWH_CLUSTER_IDENTIFIER and tagged as the wizard's; live polling
 * until both are available, write-back of the endpoint and the role's ARN, and a `SELECT version()`
 * through the Data API. No password is stored: without DWH_DB_PASSWORD, AWS keeps the admin
 * password in Secrets Manager (docs/redshift.md, Redshift Serverless).
 *
 * A namespace or workgroup of that name that the wizard did not make for this identifier is never
 * used or changed. The AWS work is src/aws (it returns what it did); this file asks, calls and shows.
 */
import type { AwsClients } from '../aws/clients.js';
import { ROLE_PROPAGATION } from '../aws/role-propagation.js';
import { s3SourceUrls } from '../aws/naming.js';
import {
  ensureRole,
  ensureS3ReadPolicy,
  findRole,
  refreshS3ReadPolicy,
  type RoleOutcome,
} from '../aws/provision-role.js';
import type { NamespaceInfo, WorkgroupInfo } from '../aws/serverless.js';
import {
  ensureNamespace,
  ensureWorkgroup,
  type NamespaceOutcome,
  type NotOursReason,
  type WorkgroupOutcome,
} from '../aws/serverless-provision.js';
import { describeServerless, serverlessWriteBack } from '../aws/serverless-status.js';
import { ownerText } from '../aws/tags.js';
import { changesFor } from '../config/schema.js';
import type { Context } from '../context.js';
import { InterruptedError, UserError } from '../errors.js';
import { SERVER_VERSION_SQL } from '../sql/session.js';
import { formatDuration } from '../ui/format.js';
import { askServerlessInputs, askServerlessName, showServerlessSummary } from './serverless-inputs.js';
import { defaultServerlessDeps, waitUntilServerlessAvailable, type ServerlessDeps } from './serverless-wait.js';
import type { StepResult } from './types.js';
import { roleArnWriteBack, writeBack } from './write-back.js';
import { askToApply } from './plan-first.js';

/** `cluster create` on Serverless: role, namespace, workgroup; wait; write back; test through the Data API. */
export async function runServerlessCreate(ctx: Context, options: Partial<ServerlessDeps> = {}): Promise<StepResult> {
  const deps = { ...defaultServerlessDeps, ...options };
  const config = ctx.config.values();
  const clients = await ctx.aws();
  const region = clients.region;
  ctx.ui.heading(`Redshift Serverless in ${region}`);
  if (s3SourceUrls(config).length > 0 && region !== config.s3.region) {
    ctx.ui.warn(
      `The workgroup will be in ${region} but the [S3] data is in ${config.s3.region}: loading is slower ` +
        `and transfer is billed. Set [AWS] REGION = ${config.s3.region} to avoid that.`,
    );
  }
  if (config.dwh.access === 'public') {
    ctx.ui.note(
      'DWH_ACCESS = public does not apply to Serverless here: the workgroup stays private and SQL goes ' +
        'through the Redshift Data API.',
    );
  }
  const identifier = await askServerlessName(ctx, config);
  const existing = await describeServerless(clients.redshiftServerless, identifier, region);
  // Whose an existing namespace or workgroup is, before anything is asked, written or made (both
  // exist, so these only judge their tags).
  const judged = specFor(existing, identifier);
  if (existing.namespace) showNamespace(ctx, await ensureNamespace(clients.redshiftServerless, judged, region));
  if (existing.workgroup) showWorkgroup(ctx, await ensureWorkgroup(clients.redshiftServerless, judged, region));
  let password: string | undefined;
  let roleArn: string;
  if (existing.namespace && existing.workgroup) {
    ctx.ui.info(
      `Namespace and workgroup ${identifier} already exist (${existing.namespace.status}, ` +
        `${existing.workgroup.status}): reusing them.`,
    );
    password = config.cluster.dbPassword || config.dwh.dbPassword || undefined;
    roleArn = await reuseRole(ctx, clients, existing.namespace, identifier);
  } else {
    const made = await createServerless(ctx, clients, identifier);
    if (made === undefined) return { ok: false, summary: 'nothing created' };
    ({ password, roleArn } = made);
  }

  const { namespace, workgroup } = await waitUntilServerlessAvailable(ctx, clients, identifier, deps);
  await writeBack(ctx.config, [
    ...serverlessWriteBack(workgroup, namespace, password),
    ...roleArnWriteBack(namespace.defaultIamRoleArn ?? roleArn),
  ]);
  const address = workgroup.endpoint?.address ?? '?';
  ctx.ui.success(`Wrote [CLUSTER] HOST = ${address} and [IAM_ROLE] ARN to ${ctx.config.displayPath}`);
  if (namespace.adminPasswordSecretArn) {
    ctx.ui.note(`The admin password is kept by AWS in Secrets Manager: ${namespace.adminPasswordSecretArn}`);
  }
  await testDataApi(ctx, identifier);
  ctx.ui.note('Idle time is free: the workgroup is billed per RPU-hour only while queries run.');
  return { ok: true, summary: `workgroup ${identifier} available at ${address}` };
}

/** The existing pair's own settings, so ensureNamespace / ensureWorkgroup only judge whose they are. */
function specFor(
  existing: { namespace?: NamespaceInfo | undefined; workgroup?: WorkgroupInfo | undefined },
  id: string,
) {
  return {
    identifier: id,
    dbName: existing.namespace?.dbName ?? 'dev',
    dbUser: existing.namespace?.adminUsername ?? 'admin',
    password: undefined,
    baseRpu: existing.workgroup?.baseCapacity ?? 8,
    port: existing.workgroup?.port ?? 5439,
    access: 'private' as const,
    roleArn: existing.namespace?.defaultIamRoleArn ?? '',
  };
}

/** A new pair (or the half of one a Ctrl-C left): ask, show the plan, confirm; then role, namespace, workgroup. */
async function createServerless(
  ctx: Context,
  clients: AwsClients,
  identifier: string,
): Promise<{ password: string | undefined; roleArn: string } | undefined> {
  const config = ctx.config.values();
  const region = clients.region;
  const inputs = await askServerlessInputs(ctx, config, identifier, region);
  const roleRequest = { roleName: inputs.roleName, clusterIdentifier: identifier, region };
  // Whose the role of that name is, before anything is shown, written or made.
  refuseForeignRole(ctx, await findRole(clients.iam, roleRequest), identifier);
  showServerlessSummary(ctx, inputs, region);
  const go = await askToApply(ctx, (prompts) =>
    prompts.confirm({
      message: 'Create these AWS resources? (billed per RPU-hour while queries run, and for storage)',
      default: true,
    }),
  );
  if (!go) return undefined;
  // dwh.cfg first: if anything below fails, a rerun asks nothing again.
  await writeBack(
    ctx.config,
    changesFor(['dwh.clusterIdentifier', 'dwh.iamRoleName', 'dwh.db', 'dwh.dbUser', 'dwh.baseRpu'], {
      dwh: {
        clusterIdentifier: identifier,
        iamRoleName: inputs.roleName,
        db: inputs.dbName,
        dbUser: inputs.dbUser,
        baseRpu: inputs.baseRpu,
      },
    }),
  );
  const role = await ensureRole(clients.iam, roleRequest);
  refuseForeignRole(ctx, role, identifier);
  if (role.kind === 'not-ours') {
    ctx.ui.warn(
      `IAM role ${role.roleName} exists and was not created by sparkify-dwh: using it unchanged ` +
        '(it must trust redshift.amazonaws.com and read the [S3] data).',
    );
  } else {
    ctx.ui.success(`IAM role ${role.roleName} ${role.kind}`);
    const policy = await ensureS3ReadPolicy(clients.iam, role.roleName, s3SourceUrls(config), region);
    if (policy.kind === 'skipped') ctx.ui.warn('[S3] names no prefix: the role can read nothing yet.');
  }
  await writeBack(ctx.config, roleArnWriteBack(role.arn));
  const spec = { ...inputs, roleArn: role.arn };
  // Only a role made a moment ago can be refused for lack of time; any other is refused at once.
  const namespace = await namespaceShown(ctx, role.roleName, (onWait) =>
    ensureNamespace(
      clients.redshiftServerless,
      spec,
      region,
      role.kind === 'created' ? { clock: ctx.clock, signal: ctx.signal, ...ROLE_PROPAGATION, onWait } : undefined,
    ),
  );
  showNamespace(ctx, namespace);
  showWorkgroup(ctx, await ensureWorkgroup(clients.redshiftServerless, spec, region));
  return { password: inputs.password, roleArn: role.arn };
}

/** The role an existing namespace reads S3 with, its policy made to match [S3] when it is ours. */
async function reuseRole(ctx: Context, clients: AwsClients, namespace: NamespaceInfo, id: string): Promise<string> {
  const roleArn = namespace.defaultIamRoleArn ?? namespace.iamRoleArns[0];
  if (roleArn === undefined) {
    ctx.ui.warn(`Namespace ${id} has no IAM role: COPY needs one (set a default role in the Redshift console).`);
    return ctx.config.values().iamRole.arn ?? '';
  }
  const policy = await refreshS3ReadPolicy(clients.iam, {
    roleArn,
    clusterIdentifier: id,
    region: clients.region,
    urls: s3SourceUrls(ctx.config.values()),
  });
  if (policy.kind === 'written') ctx.ui.success(`IAM role policy ${policy.policyName} matches [S3]`);
  else if (policy.kind === 'left-alone') {
    ctx.ui.note(
      `IAM role ${policy.roleName} was not made by sparkify-dwh for ${id}: its policies are left as they are.`,
    );
  } else if (policy.kind === 'gone') ctx.ui.warn(`IAM role ${policy.roleName} of namespace ${id} no longer exists.`);
  return roleArn;
}

const NOT_OURS: Record<NotOursReason, string> = {
  untagged: 'was not made by sparkify-dwh',
  'other-identifier': 'was made by sparkify-dwh for another DWH_CLUSTER_IDENTIFIER',
  'other-namespace': 'serves another namespace',
};

function refuseNotOurs(what: string, name: string, reason: NotOursReason): never {
  throw new UserError(
    `${what} ${name} ${NOT_OURS[reason]}: sparkify-dwh never uses or changes it. ` +
      'Set another [DWH] DWH_CLUSTER_IDENTIFIER and run `sparkify-dwh cluster create` again',
  );
}

/**
 * CreateNamespace, with a spinner while a new role propagates that says why the request is made
 * again (as for CreateCluster, docs/redshift.md "A new role needs a moment").
 */
async function namespaceShown(
  ctx: Context,
  roleName: string,
  request: (onWait: (elapsedMs: number, nextAttemptInMs: number) => void) => Promise<NamespaceOutcome>,
): Promise<NamespaceOutcome> {
  let spinner: ReturnType<Context['ui']['spinner']> | undefined;
  let outcome: NamespaceOutcome;
  try {
    outcome = await request((elapsedMs, nextAttemptInMs) => {
      spinner ??= ctx.ui.spinner(`IAM role ${roleName} is new: waiting for Redshift Serverless to accept it…`);
      spinner.update(
        `IAM role ${roleName} is new and Redshift Serverless does not accept it yet (IAM takes a few seconds ` +
          `to propagate) · ${formatDuration(elapsedMs)} · trying again in ${Math.ceil(nextAttemptInMs / 1000)} s`,
      );
    });
  } catch (error) {
    spinner?.fail('Redshift Serverless refused the namespace');
    throw error;
  }
  if (outcome.kind === 'role-not-usable') {
    spinner?.fail(`Redshift Serverless still does not accept IAM role ${roleName}`);
    throw new UserError(
      `Redshift Serverless still does not accept the new IAM role ${roleName} after ` +
        `${formatDuration(outcome.elapsedMs)}: IAM is sometimes slow to propagate a new role; ` +
        'run `sparkify-dwh cluster create` again in a minute (the role is kept)',
    );
  }
  if (outcome.kind === 'aborted') {
    spinner?.stop();
    ctx.ui.warn('Stopped before the namespace was made: nothing is billed. The role stays.');
    throw new InterruptedError();
  }
  spinner?.succeed(`Redshift Serverless accepted IAM role ${roleName}`);
  return outcome;
}

function showNamespace(ctx: Context, outcome: NamespaceOutcome): void {
  if (outcome.kind === 'not-ours') refuseNotOurs('namespace', outcome.namespace.name, outcome.reason);
  if (outcome.kind === 'created') ctx.ui.success(`Namespace ${outcome.namespace.name} created`);
}

function showWorkgroup(ctx: Context, outcome: WorkgroupOutcome): void {
  if (outcome.kind === 'not-ours') refuseNotOurs('workgroup', outcome.workgroup.name, outcome.reason);
  if (outcome.kind === 'created') {
    ctx.ui.success(`Workgroup ${outcome.workgroup.name} requested; this usually takes a few minutes.`);
  }
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

/** `SELECT version()` through the Data API, as every later step will reach the workgroup. */
async function testDataApi(ctx: Context, identifier: string): Promise<void> {
  const spinner = ctx.ui.spinner(`Running SELECT version() on workgroup ${identifier} through the Data API…`);
  try {
    const warehouse = await ctx.warehouse();
    const result = await warehouse.query<{ version: string }>(SERVER_VERSION_SQL);
    spinner.succeed(`Connected through the Data API: ${String(result.rows[0]?.version ?? 'unknown version')}`);
  } catch (error) {
    spinner.fail('The Data API test failed');
    throw error;
  }
}
