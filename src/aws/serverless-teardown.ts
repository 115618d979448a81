/**
 * Teardown for Redshift Serverless: what exists under DWH_CLUSTER_IDENTIFIER, and deleting it in
 * the only order AWS accepts: the workgroup, wait until it is gone, then the namespace ("If you want
 * to delete a namespace with an associated workgroup, you have to first delete the workgroup",
 * https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-console-namespace-delete.html), with
 * an optional final snapshot of the namespace (DeleteNamespace finalSnapshotName,
 * https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_DeleteNamespace.html).
 * Only resources tagged by the wizard for this identifier are deleted. Prints and asks nothing.
 */
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { IAMClient } from '@aws-sdk/client-iam';
import { isAwsError } from './errors.js';
import { getRole } from './iam.js';
import { poll, type PollClock, type PollProgress } from './poll.js';
import {
  deleteNamespace,
  deleteWorkgroup,
  getNamespace,
  getWorkgroup,
  listServerlessTags,
  type NamespaceInfo,
  type WorkgroupInfo,
} from './serverless.js';
import { ownership } from './serverless-provision.js';
import {
  waitForNamespaceGone,
  waitForWorkgroupGone,
  type NamespaceCheck,
  type WorkgroupCheck,
} from './serverless-state.js';
import { ownershipOf } from './tags.js';

export interface ServerlessTeardownPlan {
  identifier: string;
  workgroup: (WorkgroupInfo & { ours: boolean }) | undefined;
  namespace: (NamespaceInfo & { ours: boolean }) | undefined;
  /**
   * Why the namespace stays although it is ours: a workgroup the wizard did not make serves it (it
   * would block DeleteNamespace, and the wizard never deletes what it did not make).
   */
  namespaceBlockedBy: string | undefined;
}

/** What exists under `identifier`, and which of it the wizard made. */
export async function planServerlessTeardown(
  client: RedshiftServerlessClient,
  identifier: string,
  region: string,
): Promise<ServerlessTeardownPlan> {
  const workgroup = await getWorkgroup(client, identifier, region);
  const namespace = await getNamespace(client, identifier, region);
  const oursIf = async (arn: string | undefined): Promise<boolean> =>
    arn !== undefined && ownership(await listServerlessTags(client, arn, region), identifier) === 'ours';
  const workgroupOurs = workgroup !== undefined && (await oursIf(workgroup.arn));
  const namespaceOurs = namespace !== undefined && (await oursIf(namespace.arn));
  const blocking = workgroup && !workgroupOurs && workgroup.namespaceName === identifier ? workgroup.name : undefined;
  return {
    identifier,
    workgroup: workgroup ? { ...workgroup, ours: workgroupOurs } : undefined,
    namespace: namespace ? { ...namespace, ours: namespaceOurs } : undefined,
    namespaceBlockedBy: namespaceOurs ? blocking : undefined,
  };
}

/** What happened to one resource. */
export type DeletionOutcome =
  /** Deleted and waited for until gone. */
  | 'deleted'
  /** There was nothing to delete. */
  | 'absent'
  /** Not the wizard's: left alone. */
  | 'not-ours'
  /** Ours, but a workgroup someone else made still serves it: left alone. */
  | 'blocked';

export type ServerlessTeardownPhase = 'workgroup' | 'namespace';

export type ServerlessTeardownResult =
  | {
      state: 'DONE';
      workgroup: DeletionOutcome;
      namespace: DeletionOutcome;
      /** The final snapshot's name, when one was asked for and the namespace was deleted. */
      finalSnapshot: string | undefined;
    }
  /** The wait ran out of time or Ctrl-C stopped it: AWS carries on deleting; run teardown again. */
  | { state: 'TIMEOUT' | 'ABORTED'; phase: ServerlessTeardownPhase; workgroup: DeletionOutcome | 'deleting' };

export interface ServerlessTeardownOptions {
  /** Keep a snapshot of the namespace's data (billed for its storage until deleted). */
  finalSnapshotName?: string | undefined;
  clock: PollClock;
  signal: AbortSignal;
  intervalMs: number;
  /** For each of the two waits. */
  timeoutMs: number;
  onProgress?: (
    phase: ServerlessTeardownPhase,
    progress: PollProgress<WorkgroupCheck> | PollProgress<NamespaceCheck> | PollProgress<NamespaceDeletion>,
  ) => void;
}

export type NamespaceDeletion = { state: 'SUCCESS'; outcome: 'deleting' | 'gone' } | { state: 'RETRY'; status: string };

/**
 * DeleteNamespace, retried while ConflictException says the namespace is still busy: right after
 * its workgroup is gone, a namespace can still be MODIFYING for a moment.
 */
async function deleteNamespaceWhenFree(
  client: RedshiftServerlessClient,
  name: string,
  finalSnapshotName: string | undefined,
  region: string,
  options: ServerlessTeardownOptions,
) {
  return poll<NamespaceDeletion>(
    async () => {
      try {
        return { state: 'SUCCESS', outcome: await deleteNamespace(client, name, finalSnapshotName, region) };
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        if (isAwsError(cause, 'ConflictException')) return { state: 'RETRY', status: 'busy' };
        throw error;
      }
    },
    {
      clock: options.clock,
      signal: options.signal,
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
      tickMs: 1000,
      onProgress: (progress) => options.onProgress?.('namespace', progress),
    },
  );
}

/**
 * DeleteWorkgroup, retried while ConflictException says the workgroup is busy (still being created
 * or modified: a Ctrl-C during `cluster create` leaves one CREATING), so teardown waits that out.
 * One already being deleted counts as deleting (deleteWorkgroup).
 */
async function deleteWorkgroupWhenFree(
  client: RedshiftServerlessClient,
  name: string,
  region: string,
  options: ServerlessTeardownOptions,
) {
  return poll<NamespaceDeletion>(
    async () => {
      try {
        return { state: 'SUCCESS', outcome: await deleteWorkgroup(client, name, region) };
      } catch (error) {
        const cause = (error as { cause?: unknown }).cause;
        if (isAwsError(cause, 'ConflictException')) return { state: 'RETRY', status: 'busy' };
        throw error;
      }
    },
    {
      clock: options.clock,
      signal: options.signal,
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
      tickMs: 1000,
      onProgress: (progress) => options.onProgress?.('workgroup', progress),
    },
  );
}

/** Delete what the plan marks as ours: the workgroup, wait, then the namespace, wait. */
export async function executeServerlessTeardown(
  client: RedshiftServerlessClient,
  plan: ServerlessTeardownPlan,
  region: string,
  options: ServerlessTeardownOptions,
): Promise<ServerlessTeardownResult> {
  const wait = { clock: options.clock, signal: options.signal, intervalMs: options.intervalMs };
  let workgroup: DeletionOutcome = plan.workgroup ? 'not-ours' : 'absent';
  if (plan.workgroup?.ours) {
    const request = await deleteWorkgroupWhenFree(client, plan.workgroup.name, region, options);
    if (request.state === 'TIMEOUT' || request.state === 'ABORTED') {
      return { state: request.state, phase: 'workgroup', workgroup: 'deleting' };
    }
    if (request.outcome === 'deleting') {
      const gone = await waitForWorkgroupGone(client, plan.workgroup.name, region, {
        ...wait,
        timeoutMs: options.timeoutMs,
        onProgress: (progress) => options.onProgress?.('workgroup', progress),
      });
      if (gone.state === 'TIMEOUT' || gone.state === 'ABORTED') {
        return { state: gone.state, phase: 'workgroup', workgroup: 'deleting' };
      }
      workgroup = 'deleted';
    } else {
      workgroup = 'absent';
    }
  }
  if (!plan.namespace) return { state: 'DONE', workgroup, namespace: 'absent', finalSnapshot: undefined };
  if (!plan.namespace.ours) return { state: 'DONE', workgroup, namespace: 'not-ours', finalSnapshot: undefined };
  if (plan.namespaceBlockedBy) return { state: 'DONE', workgroup, namespace: 'blocked', finalSnapshot: undefined };
  const deletion = await deleteNamespaceWhenFree(
    client,
    plan.namespace.name,
    options.finalSnapshotName,
    region,
    options,
  );
  if (deletion.state === 'TIMEOUT' || deletion.state === 'ABORTED') {
    return { state: deletion.state, phase: 'namespace', workgroup };
  }
  if (deletion.outcome === 'gone') return { state: 'DONE', workgroup, namespace: 'absent', finalSnapshot: undefined };
  const gone = await waitForNamespaceGone(client, plan.namespace.name, region, {
    ...wait,
    timeoutMs: options.timeoutMs,
    onProgress: (progress) => options.onProgress?.('namespace', progress),
  });
  if (gone.state === 'TIMEOUT' || gone.state === 'ABORTED') return { state: gone.state, phase: 'namespace', workgroup };
  return { state: 'DONE', workgroup, namespace: 'deleted', finalSnapshot: options.finalSnapshotName };
}

/** The IAM role `cluster create` made for the namespace, and whether teardown may delete it. */
export interface ServerlessRolePlan {
  name: string;
  arn: string;
  /** Tagged by the wizard for this identifier and region. */
  ours: boolean;
  /** Why it stays: the user's own role, or one the wizard made for another identifier or region. */
  owner: 'not-ours' | { cluster: string; region: string | undefined } | undefined;
}

/**
 * The role [DWH] DWH_IAM_ROLE_NAME names, judged by its tags (undefined when there is none). A role
 * tagged for this identifier and region was made for this namespace; any other one stays.
 */
export async function planServerlessRole(
  iam: IAMClient,
  roleName: string,
  identifier: string,
  region: string,
): Promise<ServerlessRolePlan | undefined> {
  const role = await getRole(iam, roleName);
  if (!role) return undefined;
  const owner = ownershipOf(role.tags, identifier, region);
  if (owner.kind === 'this-cluster') return { name: roleName, arn: role.arn, ours: true, owner: undefined };
  return {
    name: roleName,
    arn: role.arn,
    ours: false,
    owner: owner.kind === 'not-ours' ? 'not-ours' : { cluster: owner.cluster, region: owner.region },
  };
}
