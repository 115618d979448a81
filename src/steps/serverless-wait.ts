/**
 * Waiting on a Redshift Serverless namespace and workgroup, shown: a spinner with both statuses, the
 * elapsed time and a countdown to the next check, and one clear line for every way the wait can end.
 * What a status means is src/aws/serverless-state.ts. Ctrl-C stops the waiting, not AWS.
 */
import type { AwsClients } from '../aws/clients.js';
import type { PollProgress } from '../aws/poll.js';
import type { NamespaceInfo, WorkgroupInfo } from '../aws/serverless.js';
import { waitForServerless, type ServerlessCheck } from '../aws/serverless-state.js';
import type { Context } from '../context.js';
import { InterruptedError, UserError } from '../errors.js';
import { formatDuration } from '../ui/format.js';

export interface ServerlessDeps {
  /** Time between two GetNamespace/GetWorkgroup rounds while waiting. */
  pollIntervalMs: number;
  /** Give up waiting for creation after this long; AWS carries on. */
  createTimeoutMs: number;
  /** Give up waiting for each deletion (workgroup, then namespace) after this long. */
  deleteTimeoutMs: number;
}

export const defaultServerlessDeps: ServerlessDeps = {
  pollIntervalMs: 10_000,
  createTimeoutMs: 30 * 60_000,
  deleteTimeoutMs: 30 * 60_000,
};

/** The spinner's line for one poll. */
export function progressLine(
  what: string,
  status: string,
  progress: { elapsedMs: number; nextCheckInMs: number },
): string {
  return (
    `${what}: ${status} · ${formatDuration(progress.elapsedMs)} elapsed · ` +
    `next check in ${Math.ceil(progress.nextCheckInMs / 1000)} s`
  );
}

/** Poll until both are available; the spinner ends with the outcome, and every other end throws. */
export async function waitUntilServerlessAvailable(
  ctx: Context,
  clients: AwsClients,
  identifier: string,
  deps: ServerlessDeps,
): Promise<{ namespace: NamespaceInfo; workgroup: WorkgroupInfo }> {
  const spinner = ctx.ui.spinner(`Namespace and workgroup ${identifier}: checking…`);
  const result = await waitForServerless(clients.redshiftServerless, identifier, clients.region, {
    clock: ctx.clock,
    signal: ctx.signal,
    intervalMs: deps.pollIntervalMs,
    timeoutMs: deps.createTimeoutMs,
    onProgress: (progress: PollProgress<ServerlessCheck>) =>
      spinner.update(
        progressLine(
          `Workgroup ${identifier}`,
          `namespace ${progress.last.namespaceStatus}, workgroup ${progress.last.workgroupStatus}`,
          progress,
        ),
      ),
  });
  const elapsed = formatDuration(result.elapsedMs);
  switch (result.state) {
    case 'SUCCESS':
      spinner.succeed(`Namespace and workgroup ${identifier} are available (${elapsed})`);
      return { namespace: result.namespace, workgroup: result.workgroup };
    case 'FAILURE': {
      const which = `${result.which} ${identifier}`;
      spinner.fail(result.reason === 'vanished' ? `The ${which} disappeared` : `The ${which} is being deleted`);
      throw new UserError(
        result.reason === 'vanished'
          ? `the ${which} no longer exists (someone deleted it while we waited): ` +
              'run `sparkify-dwh cluster create` to make it again'
          : `the ${which} is being deleted: wait until \`sparkify-dwh cluster status\` shows it gone, ` +
              'then run `sparkify-dwh cluster create`',
      );
    }
    case 'TIMEOUT':
      spinner.warn(`Workgroup ${identifier} is still ${result.last.workgroupStatus} after ${elapsed}`);
      throw new UserError(
        `workgroup ${identifier} is still ${result.last.workgroupStatus} after ${elapsed}; AWS carries on: ` +
          'run `sparkify-dwh cluster create` to keep waiting, or look at it in the Redshift console',
      );
    case 'ABORTED':
      spinner.stop();
      ctx.ui.warn(
        `Stopped waiting; namespace and workgroup ${identifier} are still being created. ` +
          'Run `sparkify-dwh cluster create` to pick up the wait.',
      );
      throw new InterruptedError();
  }
}
