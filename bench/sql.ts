/**
 * The benchmark's own administrative statements (a fresh database per run). The benchmark is a
 * development tool, not part of the product, so these few lines live beside it rather than in
 * src/sql; every statement of the load itself (COPY, transforms) comes from src/sql.
 */
import { quoteIdent } from '../src/sql/identifiers.js';
import { ALL_TABLES, tableSql } from '../src/sql/tables.js';

export function createDatabaseSql(name: string): string {
  return `CREATE DATABASE ${quoteIdent(name)}`;
}

export function dropDatabaseSql(name: string): string {
  return `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`;
}

export const SERVER_VERSION_SQL = 'SHOW server_version';

/** Where the server keeps its files (postmaster.pid names its process). Superusers only. */
export const DATA_DIRECTORY_SQL = 'SHOW data_directory';

/**
 * Rows per table after a load and one MD5 over the content of every star table, in key order, to
 * check that both variants built the very same tables (not only as many rows).
 */
export const STAR_COUNTS_SQL = `SELECT
  (SELECT count(*) FROM staging_events) AS staging_events,
  (SELECT count(*) FROM staging_songs) AS staging_songs,
  (SELECT count(*) FROM songplays) AS songplays,
  (SELECT count(*) FROM users) AS users,
  (SELECT count(*) FROM "time") AS time_rows,
  md5(concat_ws('/',
    (SELECT md5(string_agg(concat_ws('|', songplay_id, start_time, user_id, level, song_id, artist_id, session_id,
       location, user_agent), ',' ORDER BY songplay_id)) FROM songplays),
    (SELECT md5(string_agg(concat_ws('|', user_id, first_name, last_name, gender, level), ',' ORDER BY user_id))
       FROM users),
    (SELECT md5(string_agg(concat_ws('|', song_id, title, artist_id, year, duration), ',' ORDER BY song_id))
       FROM songs),
    (SELECT md5(string_agg(concat_ws('|', artist_id, name, location, latitude, longitude), ',' ORDER BY artist_id))
       FROM artists),
    (SELECT md5(string_agg(concat_ws('|', start_time, hour, day, week, month, year, weekday), ',' ORDER BY start_time))
       FROM "time"))) AS digest`;

/** The benchmark connection's own server process. */
export const BACKEND_PID_SQL = 'SELECT pg_backend_pid() AS pid';

/** Other connections to the current database (the load's, until it has ended). */
export const OTHER_CONNECTIONS_SQL = `SELECT count(*) AS others FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()`;

/** No autovacuum on the benchmark's tables: a background ANALYZE would land in some other measurement. */
export function noAutovacuumSql(): string[] {
  return ALL_TABLES.map((table) => `ALTER TABLE ${tableSql(table)} SET (autovacuum_enabled = false)`);
}
