/**
 * The cost guard's automatic pause for provisioned clusters: a Redshift scheduled action that runs
 * PauseCluster once, N hours after `cluster create`, through an IAM role the Redshift scheduler may
 * assume. Both are the wizard's (the role tagged, the action named and described as the wizard's,
 * since scheduled actions take no tags) and teardown removes both. Prints and asks nothing.
 *
 * From the Amazon Redshift API Reference, ScheduledAction
 * (https://docs.aws.amazon.com/redshift/latest/APIReference/API_ScheduledAction.html):
 * - "Format of at expressions is "at(yyyy-mm-ddThh:mm:ss)"", in UTC; a one-time action uses at().
 * - IamRole: "This IAM role must have permission to run the Amazon Redshift API operation in the
 *   scheduled action. This IAM role must allow the Amazon Redshift scheduler (Principal
 *   scheduler.redshift.amazonaws.com) to assume permissions on your behalf."
 * - "Schedule invocations must be separated by at least one hour": the wizard asks for whole hours, 1 or more.
 * CreateScheduledAction (https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateScheduledAction.html):
 * the name "must be unique within an account"; TargetAction PauseCluster takes the ClusterIdentifier.
 * IAM role names are 1 to 64 characters (RoleName, https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyRole.html).
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { RedshiftClient, ScheduledAction } from '@aws-sdk/client-redshift';
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { awsUserError, callAws, isAwsError } from './errors.js';
import { createRole, deleteRoleAndPolicies, getRole, putRolePolicy, type RoleInfo } from './iam.js';
import { partitionOf, type PolicyDocument } from './policies.js';
import { poll, type PollClock } from './poll.js';
import { isCreatedByWizard, wizardTags, CLUSTER_TAG_KEY } from './tags.js';

export const REDSHIFT_SCHEDULER_PRINCIPAL = 'scheduler.redshift.amazonaws.com';
/** The inline policy on the scheduler role. */
export const PAUSE_POLICY_NAME = 'sparkify-dwh-pause-cluster';
/** Marks the action as the wizard's (scheduled actions carry no tags). */
export const PAUSE_DESCRIPTION_PREFIX = 'sparkify-dwh';
/** The longest pause delay offered: a week (the cost guard is about forgotten clusters, not schedules). */
export const MAX_PAUSE_HOURS = 168;

/** The scheduled action's name for a cluster. */
export function pauseActionName(clusterIdentifier: string): string {
  return `${clusterIdentifier}-sparkify-dwh-pause`;
}

/**
 * The scheduler role's name for a cluster: "sparkify-dwh-pause-<identifier>", shortened with a hash
 * of the identifier when that would pass IAM's 64 characters (so two long identifiers never share one).
 */
export function schedulerRoleName(clusterIdentifier: string): string {
  const name = `sparkify-dwh-pause-${clusterIdentifier}`;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(clusterIdentifier).digest('hex').slice(0, 8);
  return `sparkify-dwh-pause-${clusterIdentifier.slice(0, 64 - 19 - 9)}-${hash}`;
}

/** Whole hours from 1 to a week, or one line saying what to use. */
export function checkPauseHours(hours: number): true | string {
  if (Number.isInteger(hours) && hours >= 1 && hours <= MAX_PAUSE_HOURS) return true;
  return `${String(hours)} is not a pause delay the wizard offers: use whole hours from 1 to ${MAX_PAUSE_HOURS}`;
}

/** "at(2025-01-02T07:04:05)": `hours` after `fromMs`, in UTC, to the second. Pure. */
export function pauseSchedule(fromMs: number, hours: number): { expression: string; at: Date } {
  const at = new Date(fromMs + hours * 3_600_000);
  return { expression: `at(${at.toISOString().slice(0, 19)})`, at };
}

/** Only the Redshift scheduler may assume the role. */
export function schedulerTrustPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: REDSHIFT_SCHEDULER_PRINCIPAL }, Action: 'sts:AssumeRole' }],
  };
}

/** The cluster's ARN (arn:aws:redshift:region:account:cluster:identifier). Pure. */
export function clusterArn(region: string, account: string, clusterIdentifier: string): string {
  return `arn:${partitionOf(region)}:redshift:${region}:${account}:cluster:${clusterIdentifier}`;
}

/**
 * The account of an IAM ARN (arn:aws:iam::123456789012:role/name): its fifth field, whatever it
 * holds, so a dry run's planned role, whose account is "(known after apply)", plans its policy too.
 */
export function accountOfArn(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]*:[^:]*:([^:]+):/.exec(arn)?.[1];
}

/** The role may pause this one cluster and do nothing else. */
export function pauseClusterPolicy(arnOfCluster: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'PauseThisCluster', Effect: 'Allow', Action: 'redshift:PauseCluster', Resource: arnOfCluster }],
  };
}

export type SchedulerRoleOutcome =
  | { kind: 'created'; roleName: string; arn: string }
  | { kind: 'reused'; roleName: string; arn: string }
  /** A role of that name the wizard did not make for this cluster: not used, never changed. */
  | { kind: 'not-ours'; roleName: string; arn: string };

/** The scheduler role for the cluster, with its one-cluster pause policy (rewritten on every run). */
export async function ensureSchedulerRole(
  iam: IAMClient,
  request: { clusterIdentifier: string; region: string },
): Promise<SchedulerRoleOutcome> {
  const roleName = schedulerRoleName(request.clusterIdentifier);
  const existing = await getRole(iam, roleName);
  let outcome: SchedulerRoleOutcome;
  if (existing) {
    const cluster = existing.tags.find((tag) => tag.Key === CLUSTER_TAG_KEY)?.Value;
    if (!isCreatedByWizard(existing.tags) || cluster !== request.clusterIdentifier) {
      return { kind: 'not-ours', roleName, arn: existing.arn };
    }
    outcome = { kind: 'reused', roleName, arn: existing.arn };
  } else {
    const created = await createRole(iam, {
      name: roleName,
      trustPolicy: schedulerTrustPolicy(),
      description: `Lets the Redshift scheduler pause cluster ${request.clusterIdentifier} (sparkify-dwh cost guard)`,
      tags: wizardTags(request.clusterIdentifier),
    });
    // EntityAlreadyExists: another run made it between our GetRole and CreateRole.
    const arn = 'arn' in created ? created.arn : (await getRole(iam, roleName))?.arn;
    if (!arn) {
      throw new UserError(
        `IAM role ${roleName} could not be created or found: run \`sparkify-dwh cluster create\` again`,
      );
    }
    outcome = { kind: 'created', roleName, arn };
  }
  const account = accountOfArn(outcome.arn);
  if (!account) throw new Error(`not an IAM role ARN: ${outcome.arn}`);
  await putRolePolicy(
    iam,
    roleName,
    PAUSE_POLICY_NAME,
    pauseClusterPolicy(clusterArn(request.region, account, request.clusterIdentifier)),
  );
  return outcome;
}

export interface PauseScheduleInfo {
  name: string;
  /** at(…) or cron(…). */
  schedule: string | undefined;
  /** When it will run (empty once a one-time action has run). */
  nextInvocations: Date[];
  state: string | undefined;
  roleArn: string | undefined;
  /** The cluster its PauseCluster targets, if that is what it does. */
  pausesCluster: string | undefined;
  description: string | undefined;
}

function toPauseScheduleInfo(action: ScheduledAction, name: string): PauseScheduleInfo {
  return {
    name: action.ScheduledActionName ?? name,
    schedule: action.Schedule,
    nextInvocations: action.NextInvocations ?? [],
    state: action.State,
    roleArn: action.IamRole,
    pausesCluster: action.TargetAction?.PauseCluster?.ClusterIdentifier,
    description: action.ScheduledActionDescription,
  };
}

/** Whether the action is the wizard's pause for this cluster (its description and target say so). Pure. */
export function isOurPause(action: PauseScheduleInfo, clusterIdentifier: string): boolean {
  return (action.description ?? '').startsWith(PAUSE_DESCRIPTION_PREFIX) && action.pausesCluster === clusterIdentifier;
}

/** The cluster's pause action, or undefined when there is none. */
export async function findPauseSchedule(
  redshift: RedshiftClient,
  clusterIdentifier: string,
  region?: string,
): Promise<PauseScheduleInfo | undefined> {
  const { DescribeScheduledActionsCommand } = await import('@aws-sdk/client-redshift');
  const name = pauseActionName(clusterIdentifier);
  return callAws(
    {
      action: 'redshift:DescribeScheduledActions',
      doing: `looking up the pause schedule of cluster ${clusterIdentifier}`,
      region,
      clusterIdentifier,
    },
    async () => {
      try {
        const output = await redshift.send(new DescribeScheduledActionsCommand({ ScheduledActionName: name }));
        const action = (output.ScheduledActions ?? []).find((entry) => entry.ScheduledActionName === name);
        return action ? toPauseScheduleInfo(action, name) : undefined;
      } catch (error) {
        if (isAwsError(error, 'ScheduledActionNotFoundFault')) return undefined;
        throw error;
      }
    },
  );
}

/** DeleteScheduledAction; already gone is fine. */
export async function deletePauseSchedule(
  redshift: RedshiftClient,
  name: string,
  region?: string,
): Promise<'deleted' | 'gone'> {
  const { DeleteScheduledActionCommand } = await import('@aws-sdk/client-redshift');
  return callAws(
    { action: 'redshift:DeleteScheduledAction', doing: `deleting scheduled action ${name}`, region },
    async () => {
      try {
        await redshift.send(new DeleteScheduledActionCommand({ ScheduledActionName: name }));
        return 'deleted';
      } catch (error) {
        if (isAwsError(error, 'ScheduledActionNotFoundFault')) return 'gone';
        throw error;
      }
    },
  );
}

export type PauseScheduleOutcome =
  | { kind: 'created' | 'replaced'; name: string; schedule: string; at: Date; role: SchedulerRoleOutcome }
  /** An action or role of the wizard's names that the wizard did not make: left alone, nothing scheduled. */
  | { kind: 'not-ours'; what: 'action' | 'role'; name: string }
  /** Ctrl-C while waiting for a new role to become usable: nothing scheduled (the role is reused next time). */
  | { kind: 'interrupted'; name: string };

export interface PauseScheduleRequest {
  clusterIdentifier: string;
  hours: number;
  /** When the countdown starts (the cluster's creation, or now). */
  fromMs: number;
  region: string;
  /** Retries while a new role is not yet assumable (IAM changes take a moment to reach Redshift). */
  clock: PollClock;
  signal: AbortSignal;
  retryIntervalMs?: number;
  retryTimeoutMs?: number;
}

/**
 * Schedule the pause: the scheduler role, then the one-time PauseCluster action `hours` after
 * `fromMs`. An earlier pause of the wizard's for this cluster is replaced (the latest choice wins,
 * and a one-time action that already ran stays behind with nothing left to do).
 */
export async function ensurePauseSchedule(
  clients: { redshift: RedshiftClient; iam: IAMClient },
  request: PauseScheduleRequest,
): Promise<PauseScheduleOutcome> {
  const hoursOk = checkPauseHours(request.hours);
  if (hoursOk !== true) throw new UserError(hoursOk);
  const name = pauseActionName(request.clusterIdentifier);
  const existing = await findPauseSchedule(clients.redshift, request.clusterIdentifier, request.region);
  if (existing && !isOurPause(existing, request.clusterIdentifier)) return { kind: 'not-ours', what: 'action', name };
  const role = await ensureSchedulerRole(clients.iam, {
    clusterIdentifier: request.clusterIdentifier,
    region: request.region,
  });
  if (role.kind === 'not-ours') return { kind: 'not-ours', what: 'role', name: role.roleName };
  if (existing) await deletePauseSchedule(clients.redshift, name, request.region);
  const { expression, at } = pauseSchedule(request.fromMs, request.hours);
  const { CreateScheduledActionCommand } = await import('@aws-sdk/client-redshift');
  const send = () =>
    clients.redshift.send(
      new CreateScheduledActionCommand({
        ScheduledActionName: name,
        TargetAction: { PauseCluster: { ClusterIdentifier: request.clusterIdentifier } },
        Schedule: expression,
        IamRole: role.arn,
        ScheduledActionDescription:
          `${PAUSE_DESCRIPTION_PREFIX}: pause ${request.clusterIdentifier} ` +
          `${request.hours} h after it was created (cost guard)`,
        Enable: true,
      }),
    );
  const context = {
    action: 'redshift:CreateScheduledAction',
    doing: `scheduling the pause of cluster ${request.clusterIdentifier}`,
    region: request.region,
    clusterIdentifier: request.clusterIdentifier,
  };
  // A role made seconds ago may not be assumable by the scheduler yet: retry that refusal only.
  const notYetAssumable = (error: unknown): boolean =>
    role.kind === 'created' &&
    isAwsError(error, 'InvalidScheduledActionFault') &&
    /role|assume|principal/i.test(error instanceof Error ? error.message : '');
  /** The failure as a one-line UserError (an AbortError passes through, as callAws lets it). */
  const fail = (error: unknown): never => {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    throw awsUserError(error, context);
  };
  let lastRefusal: unknown;
  const attempt = await poll<{ state: 'SUCCESS' } | { state: 'RETRY' }>(
    async () => {
      try {
        await send();
        return { state: 'SUCCESS' };
      } catch (error) {
        if (!notYetAssumable(error)) throw error;
        lastRefusal = error;
        return { state: 'RETRY' };
      }
    },
    {
      clock: request.clock,
      signal: request.signal,
      intervalMs: request.retryIntervalMs ?? 5000,
      timeoutMs: request.retryTimeoutMs ?? 60_000,
    },
  ).catch(fail);
  if (attempt.state === 'ABORTED') return { kind: 'interrupted', name };
  if (attempt.state === 'TIMEOUT') return fail(lastRefusal);
  return { kind: existing ? 'replaced' : 'created', name, schedule: expression, at, role };
}

export interface ScheduleTeardownPlan {
  action: (PauseScheduleInfo & { ours: boolean }) | undefined;
  role: (RoleInfo & { ours: boolean }) | undefined;
}

/** The cluster's pause action and scheduler role, if any, and whether they are the wizard's. */
export async function planScheduleTeardown(
  clients: { redshift: RedshiftClient; iam: IAMClient },
  clusterIdentifier: string,
  region?: string,
): Promise<ScheduleTeardownPlan> {
  const action = await findPauseSchedule(clients.redshift, clusterIdentifier, region);
  const role = await getRole(clients.iam, schedulerRoleName(clusterIdentifier));
  const roleOurs =
    role !== undefined &&
    isCreatedByWizard(role.tags) &&
    role.tags.some((tag) => tag.Key === CLUSTER_TAG_KEY && tag.Value === clusterIdentifier);
  return {
    action: action ? { ...action, ours: isOurPause(action, clusterIdentifier) } : undefined,
    role: role ? { ...role, ours: roleOurs } : undefined,
  };
}

/** Delete the wizard's action, then its role (and the role's policy); what is not ours stays. */
export async function executeScheduleTeardown(
  clients: { redshift: RedshiftClient; iam: IAMClient },
  plan: ScheduleTeardownPlan,
  region?: string,
): Promise<{ action: 'deleted' | 'absent' | 'not-ours'; role: 'deleted' | 'absent' | 'not-ours' }> {
  let action: 'deleted' | 'absent' | 'not-ours' = plan.action ? 'not-ours' : 'absent';
  if (plan.action?.ours) {
    action =
      (await deletePauseSchedule(clients.redshift, plan.action.name, region)) === 'deleted' ? 'deleted' : 'absent';
  }
  let role: 'deleted' | 'absent' | 'not-ours' = plan.role ? 'not-ours' : 'absent';
  if (plan.role?.ours) {
    await deleteRoleAndPolicies(clients.iam, plan.role.name);
    role = 'deleted';
  }
  return { action, role };
}
