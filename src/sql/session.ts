/**
 * The few statements the warehouse layer itself sends: transaction control, bulk COPY and the
 * server version probe. Everything else the steps run is rendered by the other modules of src/sql.
 */
import { quoteIdent } from './identifiers.js';

export const BEGIN_SQL = 'BEGIN';
/** A read-only transaction: the database itself refuses writes (SQLSTATE 25006). */
export const BEGIN_READ_ONLY_SQL = 'BEGIN READ ONLY';
export const COMMIT_SQL = 'COMMIT';
export const ROLLBACK_SQL = 'ROLLBACK';
export const SERVER_VERSION_SQL = 'SELECT version() AS version';
/** The cheapest statement that proves the Data API reaches the database as the configured user. */
export const CONNECTION_TEST_SQL = 'SELECT 1 AS ok';
/**
 * Ends another session of ours (its transaction rolls back): the last resort when a cancelled
 * statement runs on. PostgreSQL and Redshift both let a user end their own sessions.
 */
export const TERMINATE_BACKEND_SQL = 'SELECT pg_terminate_backend($1)';

/**
 * A table name for COPY: each dot-separated part quoted, so `staging_events` and
 * `public.staging_events` both work and no name can break out of the statement.
 */
export function copyTableName(table: string): string {
  return table.split('.').map(quoteIdent).join('.');
}

function columnList(columns: readonly string[]): string {
  if (columns.length === 0) throw new Error('COPY needs at least one column');
  return columns.map(quoteIdent).join(', ');
}

/** COPY from the client connection (node-postgres + pg-copy-streams), text format. */
export function copyFromStdinSql(table: string, columns: readonly string[]): string {
  return `COPY ${copyTableName(table)} (${columnList(columns)}) FROM STDIN`;
}

/** COPY from the Blob PGlite exposes as the virtual file /dev/blob (query option `blob`). */
export function copyFromBlobSql(table: string, columns: readonly string[]): string {
  return `COPY ${copyTableName(table)} (${columnList(columns)}) FROM '/dev/blob'`;
}
