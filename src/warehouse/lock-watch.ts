/**
 * Never wait in silence (docs/safety.md): while `work` runs, look every few seconds whether the
 * warehouse's session waits for another session's lock, and say so (`onWaiting`) with who holds
 * it. Unattended, give up after a bounded wait with that explanation; on Ctrl-C during a wait,
 * cancel the waiting statement so the step stops at once. Warehouses without the lockWaits
 * capability (embedded, one process; Redshift) run `work` as it is.
 */
import { InterruptedError, UserError } from '../errors.js';
import { WarehouseQueryError } from './errors.js';
import type { LockHolder, LockWaitState, Warehouse } from './types.js';

/** SQLSTATE of a statement that gave up waiting for a lock (lock_timeout). */
const LOCK_NOT_AVAILABLE = '55P03';
/** SQLSTATE of a cancelled statement. */
const QUERY_CANCELED = '57014';

export interface WatchLockOptions {
  signal: AbortSignal;
  /** Give up after waiting this long for one lock (unattended runs); undefined waits as long as it takes. */
  giveUpAfterMs: number | undefined;
  /** Told at every look while the session waits. */
  onWaiting(wait: LockWaitState): void;
  /** Told once a wait that was reported is over (the lock was granted). */
  onWaitOver(): void;
  /** Appended to the time-out's hint: how to wait longer (the caller knows its setting). */
  waitLongerHint?: string | undefined;
  /** First look after this long (default 1 s), then every `checkEveryMs` (default 2 s). */
  firstCheckMs?: number;
  checkEveryMs?: number;
}

/** A bounded wait ran out: says who held the lock and what to do. */
export class LockWaitTimeoutError extends UserError {
  constructor(message: string, hint: string, cause: unknown) {
    super(message, { hint, cause });
    this.name = 'LockWaitTimeoutError';
  }
}

/** "12:01:05", local time, from how long ago it was. */
function clockTimeAgo(ms: number, now: number): string {
  const date = new Date(now - ms);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `pid 4242 (psql, user alice, in a transaction since 10:32:05)` */
export function describeHolder(holder: LockHolder, now = Date.now()): string {
  const parts = [holder.application === '' ? 'no application name' : holder.application];
  if (holder.user !== undefined) parts.push(`user ${holder.user}`);
  if (holder.heldForMs !== undefined) parts.push(`since ${clockTimeAgo(holder.heldForMs, now)}`);
  return `pid ${holder.pid} (${parts.join(', ')})`;
}

/** `a lock on songplays held by pid 4242 (psql, user alice, since 10:32:05)` */
export function describeLockWait(wait: LockWaitState, now = Date.now()): string {
  const on = wait.relation === undefined ? 'a lock' : `a lock on ${wait.relation}`;
  const holders = wait.holders.map((holder) => describeHolder(holder, now));
  const by = holders.length <= 1 ? holders.join('') : `${holders.slice(0, -1).join(', ')} and ${holders.at(-1)!}`;
  return `${on} held by ${by || 'another session'}`;
}

function seconds(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}

function codeOf(error: unknown): string | undefined {
  return error instanceof WarehouseQueryError ? error.code : undefined;
}

/** Run `work`, watching for lock waits as the module comment says. */
export async function watchLockWaits<T>(
  warehouse: Warehouse,
  options: WatchLockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const waits = warehouse.capabilities.lockWaits;
  if (waits === undefined) return work();
  const { signal, giveUpAfterMs } = options;
  if (giveUpAfterMs !== undefined) await waits.limitWait(giveUpAfterMs);

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** The last wait seen, while it lasts; kept after a time-out to explain it. */
  let current: LockWaitState | undefined;
  let lastSeen: LockWaitState | undefined;
  const look = async (): Promise<void> => {
    let wait: LockWaitState | undefined;
    try {
      wait = await waits.currentWait();
    } catch {
      wait = undefined; // A failed look must never fail the step; the next one may work.
    }
    if (stopped) return;
    if (wait !== undefined) {
      current = wait;
      lastSeen = wait;
      options.onWaiting(wait);
    } else if (current !== undefined) {
      current = undefined;
      options.onWaitOver();
    }
    schedule(options.checkEveryMs ?? 2000);
  };
  const schedule = (ms: number): void => {
    timer = setTimeout(() => void look(), ms);
    timer.unref();
  };
  const onAbort = (): void => {
    // Ctrl-C while waiting: the statement would wait on regardless, so cancel it.
    if (current !== undefined) void waits.cancelWait().catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort);
  schedule(options.firstCheckMs ?? 1000);
  try {
    return await work();
  } catch (error) {
    const code = codeOf(error);
    if (code === QUERY_CANCELED && signal.aborted) throw new InterruptedError();
    if (code === LOCK_NOT_AVAILABLE && giveUpAfterMs !== undefined) {
      const held = lastSeen === undefined ? 'a lock held by another session' : describeLockWait(lastSeen);
      const pid = lastSeen?.holders[0]?.pid;
      const stop = pid === undefined ? '' : ` (or stop it: SELECT pg_terminate_backend(${pid}))`;
      const longer = options.waitLongerHint === undefined ? '' : `; ${options.waitLongerHint}`;
      throw new LockWaitTimeoutError(
        `gave up after ${seconds(giveUpAfterMs)} waiting for ${held}; nothing was changed`,
        `end that session's transaction${stop}, then run this again${longer}`,
        error,
      );
    }
    throw error;
  } finally {
    stopped = true;
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
