/**
 * The benchmark's own administrative statements (a fresh database per run). The benchmark is a
 * development tool, not part of the product, so these few lines live beside it rather than in
 * src/sql; every statement of the load itself (COPY, transforms) comes from src/sql.
 */
import { quoteIdent } from '../src/sql/identifiers.js';

export function createDatabaseSql(name: string): string {
  return `CREATE DATABASE ${quoteIdent(name)}`;
}

export function dropDatabaseSql(name: string): string {
  return `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`;
}

export const SERVER_VERSION_SQL = 'SHOW server_version';

/** Rows per star table after a load, to check that both variants did the same work. */
export const STAR_COUNTS_SQL = `SELECT
  (SELECT count(*) FROM staging_events) AS staging_events,
  (SELECT count(*) FROM staging_songs) AS staging_songs,
  (SELECT count(*) FROM songplays) AS songplays,
  (SELECT count(*) FROM users) AS users,
  (SELECT count(*) FROM "time") AS time_rows`;
