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

/**
 * The embedded warehouse's template (src/warehouse/embedded-template.ts) drops the databases that
 * initdb makes and nothing uses: PGlite connects to `postgres` only, and only CREATE DATABASE,
 * which nothing here runs, copies a template database.
 */
export const DROP_UNUSED_DATABASES_SQL: readonly string[] = [
  'ALTER DATABASE template1 IS_TEMPLATE false',
  'DROP DATABASE template1',
  'ALTER DATABASE template0 IS_TEMPLATE false',
  'DROP DATABASE template0',
  'CHECKPOINT',
];

/**
 * The cursor a streamed result is read through where the channel has no protocol-level portal
 * (the embedded warehouse): DECLARE inside the read-only transaction, FETCH a page at a time.
 */
const ROWS_CURSOR = 'sparkify_rows';

/** Whether `sql` is a query DECLARE … CURSOR FOR accepts (SELECT, WITH, VALUES, TABLE), after comments. */
export function cursorCanRead(sql: string): boolean {
  const start = sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/, '');
  return /^(?:select|with|values|table)\b/i.test(start);
}

export function declareRowsCursorSql(sql: string): string {
  return `DECLARE ${ROWS_CURSOR} NO SCROLL CURSOR FOR ${sql}`;
}

export function fetchRowsSql(rows: number): string {
  if (!Number.isSafeInteger(rows) || rows <= 0) throw new Error(`a page holds at least one row, not ${rows}`);
  return `FETCH FORWARD ${rows} FROM ${ROWS_CURSOR}`;
}

export const CLOSE_ROWS_CURSOR_SQL = `CLOSE ${ROWS_CURSOR}`;
