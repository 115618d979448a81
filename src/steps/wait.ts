/**
 * Waiting on a cluster, shown: a spinner with the status, the elapsed time and a countdown to the
 * next check, and one clear line for every way the wait can end. The waiting itself (when to
 * check, what a state means) is src/aws/cluster-state.ts. Ctrl-C stops the waiting, not the cluster.
 */
import type { AwsClients } from '../aws/clients.js';
import {
  failedStatusAdvice,
  waitForClusterState,
  type ClusterWaitResult,
  type WaitGoal,
} from '../aws/cluster-state.js';
import type { ClusterInfo } from '../aws/redshift.js';
import type { Context } from '../context.js';
import { InterruptedError, UserError } from '../errors.js';
import { formatDuration } from '../ui/format.js';

export interface WaitOptions {
  goal: WaitGoal;
  /** The command that picks the wait up again, for the Ctrl-C and time-out messages. */
  resumeCommand: string;
  /** "being created", "pausing"…: what the cluster keeps doing if we stop waiting. */
  activity: string;
  intervalMs: number;
  timeoutMs: number;
  /** The cluster as the call that started the change answered (see ClusterWaitOptions.initial). */
  initial?: ClusterInfo | undefined;
  /** Answers contradicting that call to tolerate once each (see ClusterWaitOptions.staleAnswers). */
  staleAnswers?: number | undefined;
}

/** Poll the cluster until it reaches `goal`. Returns the cluster (undefined for 'gone'). */
export async function waitForCluster(
  ctx: Context,
  clients: AwsClients,
  identifier: string,
  options: WaitOptions,
): Promise<ClusterInfo | undefined> {
  const spinner = ctx.ui.spinner(`Cluster ${identifier}: checking…`);
  const result = await waitForClusterState(clients.redshift, identifier, clients.region, {
    goal: options.goal,
    clock: ctx.clock,
    signal: ctx.signal,
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs,
    initial: options.initial,
    staleAnswers: options.staleAnswers,
    onProgress: ({ last, elapsedMs, nextCheckInMs }) =>
      spinner.update(
        `Cluster ${identifier}: ${last.status} · ${formatDuration(elapsedMs)} elapsed · ` +
          `next check in ${Math.ceil(nextCheckInMs / 1000)} s`,
      ),
  });
  const elapsed = formatDuration(result.elapsedMs);
  if (result.state === 'SUCCESS') {
    spinner.succeed(
      result.cluster
        ? `Cluster ${identifier} is ${result.cluster.status} (${elapsed})`
        : `Cluster ${identifier} deleted (${elapsed})`,
    );
    return result.cluster;
  }
  if (result.state === 'FAILURE') {
    const { shown, error } = describeFailure(identifier, result);
    spinner.fail(shown);
    throw error;
  }
  if (result.state === 'TIMEOUT') {
    spinner.warn(`Cluster ${identifier} is still ${result.last.status} after ${elapsed}`);
    throw new UserError(
      `cluster ${identifier} is still ${result.last.status} after ${elapsed}; AWS is sometimes slow and it is ` +
        `still ${options.activity}: run \`${options.resumeCommand}\` to keep waiting, ` +
        'or look at it in the Redshift console',
    );
  }
  spinner.stop();
  ctx.ui.warn(
    `Stopped waiting; cluster ${identifier} is still ${options.activity}. ` +
      `Run \`${options.resumeCommand}\` to pick up the wait.`,
  );
  throw new InterruptedError();
}

/** The spinner's last line and the error for a wait that cannot succeed. */
function describeFailure(
  identifier: string,
  failure: Extract<ClusterWaitResult, { state: 'FAILURE' }>,
): { shown: string; error: UserError } {
  const status = failure.status ?? 'gone';
  switch (failure.reason) {
    case 'vanished':
      return {
        shown: `Cluster ${identifier} disappeared`,
        error: new UserError(
          `cluster ${identifier} no longer exists (someone deleted it while we waited): ` +
            'run `sparkify-dwh cluster create` to make it again',
        ),
      };
    case 'failed-status': {
      const event = failure.event ? ` (${failure.event})` : '';
      return {
        shown: `Cluster ${identifier} is ${status}`,
        error: new UserError(`cluster ${identifier} is ${status}${event}: ${failedStatusAdvice(status)}`),
      };
    }
    case 'being-deleted':
      return {
        shown: `Cluster ${identifier} is ${status}`,
        error: new UserError(
          `cluster ${identifier} is being deleted: wait until \`sparkify-dwh cluster status\` shows it gone, ` +
            'then run `sparkify-dwh cluster create`',
        ),
      };
    case 'paused':
      return {
        shown: `Cluster ${identifier} is paused`,
        error: new UserError(`cluster ${identifier} is paused: run \`sparkify-dwh cluster resume\``),
      };
  }
}
