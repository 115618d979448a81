/**
 * Never wait in silence (docs/safety.md): while `work` runs, look every few seconds whether the
 * warehouse's session waits for another session's lock, and say so (`onWaiting`) with who holds
 * it. Unattended, give up after a bounded wait with that explanation; on Ctrl-C during a wait,
 * cancel the waiting statement so the step stops at once. A bounded wait ends by the server's own
 * lock timeout where it has one (PostgreSQL), otherwise by cancelling the waiting statement once
 * it has been seen waiting that long (Redshift, and reads that must not change the session's
 * settings, such as the menu's statuses). Warehouses without the lockWaits capability (embedded:
 * one process) run `work` as it is.
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
  /**
   * How a bounded wait ends: 'lock-timeout', the server's own (PostgreSQL's lock_timeout, set for
   * the rest of the session), or 'cancel', the waiting statement cancelled once a look has seen it
   * wait `giveUpAfterMs`. Default: the server's own where it has one (limitWait), else 'cancel'.
   */
  giveUpBy?: 'lock-timeout' | 'cancel';
}

/** A bounded wait ran out: says who held the lock and what to do. */
export class LockWaitTimeoutError extends UserError {
  constructor(
    message: string,
    hint: string,
    cause: unknown,
    /** The wait as last seen, when a look saw it. */
    readonly wait?: LockWaitState | undefined,
  ) {
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
  const parts: string[] = [];
  if (holder.application !== undefined)
    parts.push(holder.application === '' ? 'no application name' : holder.application);
  if (holder.user !== undefined) parts.push(`user ${holder.user}`);
  if (holder.heldForMs !== undefined) parts.push(`since ${clockTimeAgo(holder.heldForMs, now)}`);
  return parts.length === 0 ? `pid ${holder.pid}` : `pid ${holder.pid} (${parts.join(', ')})`;
}

/** `a lock on songplays held by pid 4242 (psql, user alice, since 10:32:05)` */
export function describeLockWait(wait: LockWaitState, now = Date.now()): string {
  const on = wait.relation === undefined ? 'a lock' : `a lock on ${wait.relation}`;
  const holders = wait.holders.map((holder) => describeHolder(holder, now));
  const by = holders.length <= 1 ? holders.join('') : `${holders.slice(0, -1).join(', ')} and ${holders.at(-1)!}`;
  if (by !== '') return `${on} held by ${by}`;
  const hidden = wait.hiddenHolder;
  if (hidden === undefined) return `${on} held by another session`;
  const to = hidden.user === undefined ? 'to this user' : `to user ${hidden.user}`;
  return `${on} held by another session (the cluster shows who only to a superuser, not ${to})`;
}

/** What to do about a wait that ran out: end the holder's transaction (how, when it is known). */
function whatToDo(wait: LockWaitState | undefined): string {
  const pid = wait?.holders[0]?.pid;
  if (pid !== undefined) return `end that session's transaction (or stop it: SELECT pg_terminate_backend(${pid}))`;
  const hidden = wait?.hiddenHolder;
  if (hidden !== undefined) {
    return (
      `a superuser can find that session (${hidden.findWith}) ` + 'and end it (SELECT pg_terminate_backend(<pid>))'
    );
  }
  return "end that session's transaction";
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
  const byCancel = giveUpAfterMs !== undefined && (options.giveUpBy === 'cancel' || waits.limitWait === undefined);
  if (giveUpAfterMs !== undefined && !byCancel) await waits.limitWait?.(giveUpAfterMs);
  const checkEveryMs = options.checkEveryMs ?? 2000;

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** The last wait seen, while it lasts; kept after a time-out to explain it. */
  let current: LockWaitState | undefined;
  let lastSeen: LockWaitState | undefined;
  /** When the current wait began, as far as the looks know (by this machine's clock). */
  let waitingSince: number | undefined;
  /** The bound was reached and the waiting statement cancelled: its failure is the time-out. */
  let gaveUp = false;
  const look = async (): Promise<void> => {
    let wait: LockWaitState | undefined;
    try {
      wait = await waits.currentWait();
    } catch {
      wait = undefined; // A failed look must never fail the step; the next one may work.
    }
    if (stopped) return;
    let next = checkEveryMs;
    if (wait !== undefined) {
      current = wait;
      lastSeen = wait;
      waitingSince ??= Date.now() - (wait.waitedMs ?? 0);
      if (byCancel) {
        const left = giveUpAfterMs - (Date.now() - waitingSince);
        if (left <= 0) {
          gaveUp = true;
          void waits.cancelWait().catch(() => undefined);
          return; // no further look: the statement ends now
        }
        next = Math.min(next, left);
      }
      options.onWaiting(wait);
    } else if (current !== undefined) {
      current = undefined;
      waitingSince = undefined;
      options.onWaitOver();
    }
    schedule(next);
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
    if (signal.aborted && (error instanceof InterruptedError || codeOf(error) === QUERY_CANCELED)) {
      throw new InterruptedError();
    }
    if (giveUpAfterMs !== undefined && (gaveUp || codeOf(error) === LOCK_NOT_AVAILABLE)) {
      const held = lastSeen === undefined ? 'a lock held by another session' : describeLockWait(lastSeen);
      const longer = options.waitLongerHint === undefined ? '' : `; ${options.waitLongerHint}`;
      throw new LockWaitTimeoutError(
        `gave up after ${seconds(giveUpAfterMs)} waiting for ${held}; nothing was changed`,
        `${whatToDo(lastSeen)}, then run this again${longer}`,
        error,
        lastSeen,
      );
    }
    throw error;
  } finally {
    stopped = true;
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
