/**
 * What a namespace's and a workgroup's states mean for someone waiting on them, in the shape of the
 * SDK's waiters (SUCCESS, FAILURE or RETRY; the Serverless client has no waiters of its own). The
 * checks are pure; the waits run them under src/aws/poll.ts, and showing the wait is the caller's
 * business.
 *
 * NamespaceStatus is AVAILABLE | MODIFYING | DELETING and WorkgroupStatus is CREATING | AVAILABLE |
 * MODIFYING | DELETING (the Namespace and Workgroup types,
 * https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_Namespace.html and
 * API_Workgroup.html). No status means "failed": a namespace or workgroup that cannot become
 * available simply never says AVAILABLE, so the wait's time-out is the only way out of that.
 */
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { poll, type Checked, type PollOptions, type PollResult } from './poll.js';
import { getNamespace, getWorkgroup, type NamespaceInfo, type WorkgroupInfo } from './serverless.js';

export type ServerlessGoal = 'available' | 'gone';

/** Why waiting for `available` cannot succeed. */
export type ServerlessFailureReason =
  /** It disappeared while we waited for it to be available. */
  | 'vanished'
  /** Someone is deleting it. */
  | 'being-deleted';

export type NamespaceCheck =
  | { state: 'SUCCESS'; namespace: NamespaceInfo | undefined }
  | { state: 'FAILURE'; reason: ServerlessFailureReason; status: string | undefined }
  | { state: 'RETRY'; status: string };

export type WorkgroupCheck =
  | { state: 'SUCCESS'; workgroup: WorkgroupInfo | undefined }
  | { state: 'FAILURE'; reason: ServerlessFailureReason; status: string | undefined }
  | { state: 'RETRY'; status: string };

/** One GetNamespace answer (undefined: ResourceNotFound) judged against the goal. Pure. */
export function checkNamespaceState(namespace: NamespaceInfo | undefined, goal: ServerlessGoal): NamespaceCheck {
  if (!namespace) {
    return goal === 'gone'
      ? { state: 'SUCCESS', namespace: undefined }
      : { state: 'FAILURE', reason: 'vanished', status: undefined };
  }
  const status = namespace.status;
  if (goal === 'available') {
    if (status === 'AVAILABLE') return { state: 'SUCCESS', namespace };
    if (status === 'DELETING') return { state: 'FAILURE', reason: 'being-deleted', status };
  }
  return { state: 'RETRY', status };
}

/**
 * One GetWorkgroup answer judged against the goal. Pure. AVAILABLE counts only with an endpoint
 * address: that is what the wizard writes back as [CLUSTER] HOST.
 */
export function checkWorkgroupState(workgroup: WorkgroupInfo | undefined, goal: ServerlessGoal): WorkgroupCheck {
  if (!workgroup) {
    return goal === 'gone'
      ? { state: 'SUCCESS', workgroup: undefined }
      : { state: 'FAILURE', reason: 'vanished', status: undefined };
  }
  const status = workgroup.status;
  if (goal === 'available') {
    if (status === 'AVAILABLE' && workgroup.endpoint) return { state: 'SUCCESS', workgroup };
    if (status === 'DELETING') return { state: 'FAILURE', reason: 'being-deleted', status };
  }
  return { state: 'RETRY', status };
}

export type ServerlessCheck =
  | { state: 'SUCCESS'; namespace: NamespaceInfo; workgroup: WorkgroupInfo }
  | {
      state: 'FAILURE';
      which: 'namespace' | 'workgroup';
      reason: ServerlessFailureReason;
      status: string | undefined;
    }
  | { state: 'RETRY'; namespaceStatus: string; workgroupStatus: string };

/** Both available (SUCCESS), either beyond hope (FAILURE, the namespace's verdict first), else RETRY. Pure. */
export function checkServerlessState(
  namespace: NamespaceInfo | undefined,
  workgroup: WorkgroupInfo | undefined,
): ServerlessCheck {
  const ns = checkNamespaceState(namespace, 'available');
  const wg = checkWorkgroupState(workgroup, 'available');
  if (ns.state === 'FAILURE') return { state: 'FAILURE', which: 'namespace', reason: ns.reason, status: ns.status };
  if (wg.state === 'FAILURE') return { state: 'FAILURE', which: 'workgroup', reason: wg.reason, status: wg.status };
  if (ns.state === 'SUCCESS' && wg.state === 'SUCCESS' && ns.namespace && wg.workgroup) {
    return { state: 'SUCCESS', namespace: ns.namespace, workgroup: wg.workgroup };
  }
  return {
    state: 'RETRY',
    namespaceStatus: namespace?.status ?? 'unknown',
    workgroupStatus: workgroup?.status ?? 'unknown',
  };
}

/** How to wait: the poller's options; progress ticks every second between two checks. */
export type ServerlessWaitOptions<C extends Checked> = Omit<PollOptions<C>, 'tickMs'>;

/** GetNamespace and GetWorkgroup every interval until both are available (or cannot be). */
export async function waitForServerless(
  client: RedshiftServerlessClient,
  name: string,
  region: string,
  options: ServerlessWaitOptions<ServerlessCheck>,
): Promise<PollResult<ServerlessCheck>> {
  return poll(
    async () =>
      checkServerlessState(await getNamespace(client, name, region), await getWorkgroup(client, name, region)),
    { ...options, tickMs: 1000 },
  );
}

/** GetWorkgroup every interval until the workgroup is gone. */
export async function waitForWorkgroupGone(
  client: RedshiftServerlessClient,
  name: string,
  region: string,
  options: ServerlessWaitOptions<WorkgroupCheck>,
): Promise<PollResult<WorkgroupCheck>> {
  return poll(async () => checkWorkgroupState(await getWorkgroup(client, name, region), 'gone'), {
    ...options,
    tickMs: 1000,
  });
}

/** GetNamespace every interval until the namespace is gone. */
export async function waitForNamespaceGone(
  client: RedshiftServerlessClient,
  name: string,
  region: string,
  options: ServerlessWaitOptions<NamespaceCheck>,
): Promise<PollResult<NamespaceCheck>> {
  return poll(async () => checkNamespaceState(await getNamespace(client, name, region), 'gone'), {
    ...options,
    tickMs: 1000,
  });
}
