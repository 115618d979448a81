/**
 * Waiting on AWS, shaped like the SDK's waiters (`createWaiter` calling a `checkState` that answers
 * SUCCESS, FAILURE or RETRY), with three things a terminal wizard needs and the SDK's lacks: an
 * injectable clock (tests wait no real time), a fixed interval, and a progress callback that ticks
 * between two checks so a spinner can count down. The check decides; this file only sleeps.
 */

/** The SDK's WaiterState names for a check's answer. */
export type CheckState = 'SUCCESS' | 'FAILURE' | 'RETRY';

/** What a check returns: a state, plus whatever the caller wants to know about it. */
export interface Checked {
  state: CheckState;
}

/** The time source: `sleep` rejects (an AbortError) when `signal` fires. */
export interface PollClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface PollProgress<C extends Checked> {
  /** The last check's answer (a RETRY). */
  last: Extract<C, { state: 'RETRY' }>;
  elapsedMs: number;
  nextCheckInMs: number;
}

export interface PollOptions<C extends Checked> {
  clock: PollClock;
  signal: AbortSignal;
  /** Time between two checks. */
  intervalMs: number;
  /** Stop with TIMEOUT once a RETRY comes this long after the first check started. */
  timeoutMs: number;
  /** How often `onProgress` runs between two checks (default: once, for the whole interval). */
  tickMs?: number;
  onProgress?: (progress: PollProgress<C>) => void;
}

/** The final check's answer (SUCCESS or FAILURE), or why polling stopped without one. */
export type PollResult<C extends Checked> =
  | (C extends { state: 'RETRY' } ? never : C & { elapsedMs: number })
  | { state: 'TIMEOUT'; last: Extract<C, { state: 'RETRY' }>; elapsedMs: number }
  | { state: 'ABORTED'; elapsedMs: number };

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Run `check` until it answers SUCCESS or FAILURE, the time is up, or the signal fires. */
export async function poll<C extends Checked>(
  check: () => Promise<C>,
  options: PollOptions<C>,
): Promise<PollResult<C>> {
  const { clock, signal } = options;
  const started = clock.now();
  const elapsed = (): number => clock.now() - started;
  const aborted = (): PollResult<C> => ({ state: 'ABORTED', elapsedMs: elapsed() });
  const tickMs = options.tickMs ?? options.intervalMs;
  for (;;) {
    if (signal.aborted) return aborted();
    let answer: C;
    try {
      answer = await check();
    } catch (error) {
      if (signal.aborted || isAbort(error)) return aborted();
      throw error;
    }
    if (answer.state !== 'RETRY') return { ...answer, elapsedMs: elapsed() } as PollResult<C>;
    const last = answer as Extract<C, { state: 'RETRY' }>;
    const waited = elapsed();
    if (waited >= options.timeoutMs) return { state: 'TIMEOUT', last, elapsedMs: waited };
    for (let remaining = options.intervalMs; remaining > 0; remaining -= tickMs) {
      options.onProgress?.({ last, elapsedMs: elapsed(), nextCheckInMs: remaining });
      try {
        await clock.sleep(Math.min(tickMs, remaining), signal);
      } catch (error) {
        if (signal.aborted || isAbort(error)) return aborted();
        throw error;
      }
    }
  }
}
