/**
 * Lock waits on PostgreSQL (the LockWaits capability): while this session's statement waits for
 * another session's lock it cannot be asked anything, so a second connection, opened on the first
 * question and closed with the warehouse, asks the server who blocks it (pg_blocking_pids) and can
 * cancel the wait (pg_cancel_backend on our own backend, which needs no privilege).
 */
import type pg from 'pg';
import { cancelBackendSql, lockHoldersSql, lockTimeoutSql } from '../sql/locks.js';
import type { LockWaits, LockWaitState, Queryable } from './types.js';

export interface PgLockWaitsOptions {
  /** The backend pid of the warehouse's own session. */
  ownPid: number;
  /** The warehouse's own session, for settings that must apply to it. */
  session: Queryable;
  /** Makes and connects the second connection. */
  connect: () => Promise<pg.Client>;
}

interface HolderRow {
  pid: number;
  application_name: string;
  user_name: string | null;
  held_for_ms: number | string | null;
  relation: string | null;
  waited_ms: number | string | null;
}

function optionalNumber(value: number | string | null): number | undefined {
  if (value === null) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** A second connection, connected on the first question and again after a failed attempt; closed with the warehouse. */
export function lazyConnection(connect: () => Promise<pg.Client>): {
  client(): Promise<pg.Client>;
  close(): Promise<void>;
} {
  let probe: Promise<pg.Client> | undefined;
  let closed = false;
  return {
    client() {
      if (closed) return Promise.reject(new Error('the warehouse is closed'));
      probe ??= connect().catch((error: unknown) => {
        probe = undefined; // try again at the next question
        throw error;
      });
      return probe;
    },
    async close() {
      closed = true;
      const open = probe;
      probe = undefined;
      if (open) await (await open.catch(() => undefined))?.end().catch(() => undefined);
    },
  };
}

export function pgLockWaits(options: PgLockWaitsOptions): LockWaits & { close(): Promise<void> } {
  const connection = lazyConnection(options.connect);
  const client = (): Promise<pg.Client> => connection.client();
  return {
    async limitWait(ms) {
      await options.session.query(lockTimeoutSql(ms));
    },
    async currentWait(): Promise<LockWaitState | undefined> {
      const { rows } = await (await client()).query<HolderRow>(lockHoldersSql(), [options.ownPid]);
      const first = rows[0];
      if (first === undefined) return undefined;
      return {
        holders: rows.map((row) => ({
          pid: Number(row.pid),
          application: row.application_name,
          user: row.user_name ?? undefined,
          heldForMs: optionalNumber(row.held_for_ms),
        })),
        relation: first.relation ?? undefined,
        waitedMs: optionalNumber(first.waited_ms),
      };
    },
    async cancelWait() {
      await (await client()).query(cancelBackendSql(), [options.ownPid]);
    },
    close: () => connection.close(),
  };
}
