/**
 * A call that names an IAM role made a moment ago (CreateCluster, CreateNamespace), asked again
 * while AWS refuses the role for not being usable yet. IAM is eventually consistent: a new role,
 * or its trust policy, may not be visible to Redshift for a few seconds ("Changes that I make are
 * not always immediately visible",
 * docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
 * Each service says so in its own words: the caller says which error means it.
 */
import { poll, type PollClock } from './poll.js';

/** How long to keep asking while a new role propagates: usually seconds; a minute covers the slow cases. */
export const ROLE_PROPAGATION = { intervalMs: 5_000, timeoutMs: 60_000 } as const;

export interface RolePropagationWait {
  clock: PollClock;
  signal: AbortSignal;
  intervalMs: number;
  timeoutMs: number;
  /** Before each wait between two attempts: how long so far, and when the next attempt is. */
  onWait?: (elapsedMs: number, nextAttemptInMs: number) => void;
}

export type RoleRetryOutcome<T> =
  | { kind: 'done'; value: T }
  /** AWS still refused the new role when the time was up. */
  | { kind: 'role-not-usable'; elapsedMs: number }
  /** The signal fired while waiting between two attempts. */
  | { kind: 'aborted' };

/**
 * `request`, asked again every `propagation.intervalMs` while it fails with an error that
 * `isRoleNotYetUsable` recognises, until it answers, fails otherwise (thrown at once), the time is
 * up or the signal fires. Without `propagation` (the role is not new) it is asked once: a refused
 * role is then a real problem, said at once.
 */
export async function retryWhileRoleNotUsable<T>(
  request: () => Promise<T>,
  isRoleNotYetUsable: (error: unknown) => boolean,
  propagation: RolePropagationWait | undefined,
): Promise<RoleRetryOutcome<T>> {
  if (!propagation) return { kind: 'done', value: await request() };
  type Attempt = { state: 'SUCCESS'; value: T } | { state: 'RETRY' };
  const result = await poll<Attempt>(
    async () => {
      try {
        return { state: 'SUCCESS', value: await request() };
      } catch (error) {
        if (isRoleNotYetUsable(error)) return { state: 'RETRY' };
        throw error;
      }
    },
    {
      clock: propagation.clock,
      signal: propagation.signal,
      intervalMs: propagation.intervalMs,
      timeoutMs: propagation.timeoutMs,
      // The spinner counts down the seconds to the next attempt.
      tickMs: 1000,
      onProgress: ({ elapsedMs, nextCheckInMs }) => propagation.onWait?.(elapsedMs, nextCheckInMs),
    },
  );
  if (result.state === 'SUCCESS') return { kind: 'done', value: result.value };
  if (result.state === 'TIMEOUT') return { kind: 'role-not-usable', elapsedMs: result.elapsedMs };
  return { kind: 'aborted' };
}
