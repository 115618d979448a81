/**
 * The statements behind lock waits (docs/safety.md, Never wait in silence): who blocks a session,
 * bounding how long a session waits, and cancelling its waiting statement. On PostgreSQL
 * (src/warehouse/pg-lock-waits.ts) and on Redshift (src/warehouse/redshift-lock-waits.ts), which
 * has no pg_blocking_pids and no lock_timeout and says who waits for what in SVV_TRANSACTIONS.
 */

/**
 * One row per session that blocks backend $1 (pg_blocking_pids, PostgreSQL 9.6+): its pid,
 * application_name, user and how long its transaction has run (`held_for_ms`), plus, on every
 * row, the table $1 waits for (`relation`) and for how long (`waited_ms`, pg_locks.waitstart,
 * PostgreSQL 14+). Durations are measured by the server's clock, so a skewed client clock cannot
 * distort them. Another user's session shows its pid and application name but may hide the rest.
 */
export function lockHoldersSql(): string {
  return `SELECT blocker.pid,
  COALESCE(blocker.application_name, '') AS application_name,
  blocker.usename AS user_name,
  CAST(
    EXTRACT(EPOCH FROM (clock_timestamp() - COALESCE(blocker.xact_start, blocker.backend_start))) * 1000 AS BIGINT
  ) AS held_for_ms,
  waiting.relation,
  waiting.waited_ms
FROM pg_stat_activity blocker
LEFT JOIN (
  SELECT CAST(CAST(relation AS regclass) AS TEXT) AS relation,
    CAST(EXTRACT(EPOCH FROM (clock_timestamp() - waitstart)) * 1000 AS BIGINT) AS waited_ms
  FROM pg_locks
  WHERE pid = $1 AND NOT granted
  ORDER BY relation IS NULL
  LIMIT 1
) waiting ON TRUE
WHERE blocker.pid = ANY (pg_blocking_pids($1))
ORDER BY blocker.pid`;
}

/** From now on, in this session, a statement that has waited `ms` for a lock fails (SQLSTATE 55P03). */
export function lockTimeoutSql(ms: number): string {
  if (!Number.isFinite(ms) || ms < 1) throw new Error(`lock_timeout must be at least 1 ms, got ${ms}`);
  return `SET lock_timeout = ${Math.round(ms)}`;
}

/** Cancel the statement backend $1 is running (our own session's: no privilege needed). */
export function cancelBackendSql(): string {
  return 'SELECT pg_cancel_backend($1)';
}

/**
 * Redshift: the table session $1 waits for and who holds it, from SVV_TRANSACTIONS, the view AWS
 * gives "to identify open transactions and lock contention issues"
 * (https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_TRANSACTIONS.html): one row per lock a
 * process holds (`granted`) or waits for (not `granted`), with the transaction's owner and start.
 * One row per session holding a granted lock on the table $1 waits for; no row at all when $1
 * waits for nothing. The view is "visible to all users. Superusers can see all rows; regular
 * users can see only their own data", so an ordinary user always sees its own waiting row, but a
 * holder of another user only as a superuser: then `pid` is NULL on the one row (the LEFT JOIN).
 * STV_LOCKS, which names the lock owners too, is "visible only to superusers"
 * (https://docs.aws.amazon.com/redshift/latest/dg/r_STV_LOCKS.html), so it would tell no more.
 * The times come as text, read against the server's own GETDATE(), so a skewed client clock
 * cannot distort how long the holder has held it.
 */
export function redshiftLockWaitSql(): string {
  return `SELECT waiting.relation AS relation_id,
  CAST(rel.relname AS VARCHAR) AS relation,
  CAST(waiting.txn_owner AS VARCHAR) AS own_user,
  holder.pid,
  CAST(holder.txn_owner AS VARCHAR) AS user_name,
  CAST(holder.txn_start AS VARCHAR) AS held_since,
  CAST(GETDATE() AS VARCHAR) AS server_now
FROM svv_transactions waiting
LEFT JOIN pg_class rel ON rel.oid = waiting.relation
LEFT JOIN svv_transactions holder
  ON holder.relation = waiting.relation AND holder.granted AND holder.pid <> waiting.pid
    AND holder.txn_db = waiting.txn_db
WHERE waiting.pid = $1 AND NOT waiting.granted AND waiting.relation IS NOT NULL
ORDER BY holder.pid`;
}

/**
 * What a Redshift superuser runs to see who holds a lock on table `relationId` (its id in
 * SVV_TRANSACTIONS), for the hint when the holder is hidden from an ordinary user.
 */
export function redshiftLockHoldersLookup(relationId: number): string {
  if (!Number.isInteger(relationId)) throw new Error(`a table id is an integer, not ${relationId}`);
  return `SELECT pid, txn_owner, txn_start FROM svv_transactions WHERE relation = ${relationId} AND granted`;
}
