/**
 * The statements behind lock waits on PostgreSQL (src/warehouse/pg-lock-waits.ts): who blocks a
 * session, bounding how long a session waits, and cancelling its waiting statement. PostgreSQL
 * only: Redshift has no pg_blocking_pids and no lock_timeout.
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
