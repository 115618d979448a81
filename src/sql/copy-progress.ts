/**
 * What Redshift reports about a COPY from S3 while it runs, asked on a second session (the one
 * running the COPY cannot be asked anything until it ends). docs/redshift.md, "Live progress".
 *
 * Provisioned clusters: STV_LOAD_STATE, one row per slice of each COPY in progress, refreshed by
 * COPY after every million records (columns session, query, lines, num_files, num_files_complete,
 * bytes_loaded, bytes_to_load; https://docs.aws.amazon.com/redshift/latest/dg/r_STV_LOAD_STATE.html).
 * A regular user sees only their own rows, which are the ones we want.
 *
 * Redshift Serverless cannot query STV tables: they are listed under "System monitoring
 * (provisioned only)" (https://docs.aws.amazon.com/redshift/latest/dg/c_intro_system_views.html,
 * and https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-monitoring.html); SYS_LOAD_HISTORY has
 * one row per COPY, running ones included (status 'running'; loaded_rows, loaded_bytes,
 * file_count_scanned, source_file_count, session_id;
 * https://docs.aws.amazon.com/redshift/latest/dg/SYS_LOAD_HISTORY.html).
 */

/** One row: the newest COPY of session $1, summed over its slices; no row when none is running. */
export function stvLoadStateSql(): string {
  return `SELECT COUNT(*) AS slices,
  SUM(num_files) AS files,
  SUM(num_files_complete) AS files_done,
  SUM(lines) AS rows_loaded,
  SUM(bytes_loaded) AS bytes_loaded,
  SUM(bytes_to_load) AS bytes_to_load
FROM stv_load_state
WHERE session = $1
  AND query = (SELECT MAX(query) FROM stv_load_state WHERE session = $1)
HAVING COUNT(*) > 0`;
}

/** One row: the running COPY of session $1 in SYS_LOAD_HISTORY (Serverless); no row when none runs. */
export function sysLoadHistoryProgressSql(): string {
  return `SELECT source_file_count AS files,
  file_count_scanned AS files_done,
  loaded_rows AS rows_loaded,
  loaded_bytes AS bytes_loaded,
  source_file_bytes AS bytes_to_load
FROM sys_load_history
WHERE session_id = $1
  AND status = 'running'
ORDER BY start_time DESC
LIMIT 1`;
}

/** A row of either query, as a driver hands it over (bigint may come as text). */
export interface LoadStateRow {
  files: number | string | null;
  files_done: number | string | null;
  rows_loaded: number | string | null;
  bytes_loaded: number | string | null;
  bytes_to_load: number | string | null;
}
