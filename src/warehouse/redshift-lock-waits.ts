/**
 * Lock waits on Redshift (the LockWaits capability), over the PostgreSQL wire and through the
 * Data API alike: Redshift has no pg_blocking_pids and no lock_timeout, so who our session waits
 * for is read from SVV_TRANSACTIONS (src/sql/locks.ts says what each kind of user sees there), and
 * a bounded wait is ended by cancelling our own statement (no limitWait: src/warehouse/lock-watch.ts
 * gives up itself). The waiting session is busy, so the question goes another way: a second
 * connection on a cluster reached directly, a statement of its own through the Data API.
 */
import { redshiftLockHoldersLookup, redshiftLockWaitSql } from '../sql/locks.js';
import type { LockHolder, LockWaits, LockWaitState } from './types.js';

export interface RedshiftLockWaitsOptions {
  /** The Redshift process id of our statement's session now; undefined while none runs (or it is not known yet). */
  ownPid(): number | undefined;
  /** Runs a query elsewhere than the waiting session, answering its rows keyed by column name. */
  ask(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Cancels our running statement (a cancel request; the Data API's CancelStatement). */
  cancel(): Promise<void>;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' ? String(value).trim() : undefined;

const optionalNumber = (value: unknown): number | undefined => {
  if (value === null || value === undefined || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
};

/** `2026-11-30 23:57:04.862254` (a Redshift timestamp as text, no zone) in ms; undefined when unreadable. */
function timestampMs(value: unknown): number | undefined {
  const match = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d{1,3})?\d*$/.exec(text(value) ?? '');
  if (match === null) return undefined;
  // Both times are read the same way (as UTC): only their difference is used.
  const ms = Date.parse(`${match[1]}T${match[2]}${match[3] ?? ''}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The rows of redshiftLockWaitSql as a LockWaitState; undefined when they say our session waits for nothing. */
export function toRedshiftLockWait(rows: readonly Record<string, unknown>[]): LockWaitState | undefined {
  const first = rows[0];
  if (first === undefined) return undefined;
  const holders = new Map<number, LockHolder>();
  for (const row of rows) {
    const pid = optionalNumber(row.pid);
    if (pid === undefined || holders.has(pid)) continue; // a holder of several locks on the table: once
    const since = timestampMs(row.held_since);
    const now = timestampMs(row.server_now);
    holders.set(pid, {
      pid,
      // SVV_TRANSACTIONS shows no application name.
      application: undefined,
      user: text(row.user_name),
      heldForMs: since === undefined || now === undefined ? undefined : Math.max(0, now - since),
    });
  }
  const relationId = optionalNumber(first.relation_id);
  return {
    holders: [...holders.values()],
    relation: text(first.relation) ?? (relationId === undefined ? undefined : `table id ${relationId}`),
    // SVV_TRANSACTIONS does not say since when a lock is waited for.
    waitedMs: undefined,
    hiddenHolder:
      holders.size > 0 || relationId === undefined
        ? undefined
        : { user: text(first.own_user), findWith: redshiftLockHoldersLookup(relationId) },
  };
}

export function redshiftLockWaits(options: RedshiftLockWaitsOptions): LockWaits {
  return {
    async currentWait() {
      const pid = options.ownPid();
      if (pid === undefined) return undefined;
      return toRedshiftLockWait(await options.ask(redshiftLockWaitSql(), [pid]));
    },
    cancelWait: () => options.cancel(),
  };
}
