/**
 * Data-quality checks on the loaded star schema, in the spirit of dbt tests: each is one query
 * returning a single row `{ failures, detail }`, where failures = 0 means the check passed and
 * detail (NULL when it passed) shows an offending value or the numbers that disagree.
 */
import { SONGPLAY_EVENT_CONDITION } from './transform.js';
import { tableSql, type TableName } from './tables.js';

export interface DataCheck {
  /** Stable kebab-case id, e.g. `unique-songs-song_id`. */
  name: string;
  description: string;
  /** The table the check is about (the one a failure points at). */
  table: TableName;
  sql: string;
}

function rowCountCheck(table: TableName): DataCheck {
  return {
    name: `not-empty-${table}`,
    description: `${table} has at least one row`,
    table,
    sql: `SELECT
  CASE WHEN COUNT(*) > 0 THEN 0 ELSE 1 END AS failures,
  CASE WHEN COUNT(*) > 0 THEN NULL ELSE '${table} is empty' END AS detail
FROM ${tableSql(table)}`,
  };
}

function notNullCheck(table: TableName, column: string): DataCheck {
  return {
    name: `not-null-${table}-${column}`,
    description: `${table}.${column} is never NULL`,
    table,
    sql: `SELECT
  CAST(COUNT(*) AS INTEGER) AS failures,
  CASE WHEN COUNT(*) > 0 THEN CAST(COUNT(*) AS VARCHAR) || ' rows with NULL ${column}' END AS detail
FROM ${tableSql(table)}
WHERE ${column} IS NULL`,
  };
}

function uniqueCheck(table: TableName, column: string): DataCheck {
  return {
    name: `unique-${table}-${column}`,
    description: `${table}.${column} is unique`,
    table,
    sql: `SELECT
  CAST(COUNT(*) AS INTEGER) AS failures,
  'first duplicate: ' || CAST(MIN(key_value) AS VARCHAR) AS detail
FROM (
  SELECT ${column} AS key_value
  FROM ${tableSql(table)}
  GROUP BY ${column}
  HAVING COUNT(*) > 1
) AS duplicated_keys`,
  };
}

/** Every non-NULL songplays.<column> exists in <dimension>.<column>. */
function relationshipCheck(column: string, dimension: TableName): DataCheck {
  return {
    name: `relationship-songplays-${column}-${dimension}`,
    description: `every songplays.${column} that is not NULL exists in ${dimension}`,
    table: 'songplays',
    sql: `SELECT
  CAST(COUNT(*) AS INTEGER) AS failures,
  'first orphan: ' || CAST(MIN(play.${column}) AS VARCHAR) AS detail
FROM songplays AS play
LEFT JOIN ${tableSql(dimension)} AS dimension
  ON dimension.${column} = play.${column}
WHERE play.${column} IS NOT NULL
  AND dimension.${column} IS NULL`,
  };
}

const songplaysComplete: DataCheck = {
  name: 'complete-songplays',
  description: 'one songplay for every NextSong event with a user id in staging',
  table: 'songplays',
  sql: `SELECT
  CAST(ABS(expected.plays - loaded.plays) AS INTEGER) AS failures,
  CASE WHEN expected.plays <> loaded.plays
    THEN 'staging has ' || CAST(expected.plays AS VARCHAR)
      || ' NextSong events with a user id, songplays has ' || CAST(loaded.plays AS VARCHAR)
  END AS detail
FROM (
  SELECT COUNT(*) AS plays
  FROM staging_events
  WHERE ${SONGPLAY_EVENT_CONDITION}
) AS expected
CROSS JOIN (
  SELECT COUNT(*) AS plays
  FROM songplays
) AS loaded`,
};

const usersComplete: DataCheck = {
  name: 'complete-users',
  description: 'one user for every distinct user id in staging',
  table: 'users',
  sql: `SELECT
  CAST(ABS(expected.users - loaded.users) AS INTEGER) AS failures,
  CASE WHEN expected.users <> loaded.users
    THEN 'staging has ' || CAST(expected.users AS VARCHAR) || ' user ids, users has ' || CAST(loaded.users AS VARCHAR)
  END AS detail
FROM (
  SELECT COUNT(DISTINCT user_id) AS users
  FROM staging_events
  WHERE user_id IS NOT NULL
    AND user_id <> ''
) AS expected
CROSS JOIN (
  SELECT COUNT(*) AS users
  FROM users
) AS loaded`,
};

export const DATA_CHECKS: readonly DataCheck[] = [
  rowCountCheck('songplays'),
  rowCountCheck('users'),
  rowCountCheck('songs'),
  rowCountCheck('artists'),
  rowCountCheck('time'),
  notNullCheck('songplays', 'songplay_id'),
  notNullCheck('songplays', 'start_time'),
  notNullCheck('songplays', 'user_id'),
  notNullCheck('users', 'user_id'),
  notNullCheck('songs', 'song_id'),
  notNullCheck('artists', 'artist_id'),
  notNullCheck('time', 'start_time'),
  uniqueCheck('songplays', 'songplay_id'),
  uniqueCheck('users', 'user_id'),
  uniqueCheck('songs', 'song_id'),
  uniqueCheck('artists', 'artist_id'),
  uniqueCheck('time', 'start_time'),
  relationshipCheck('user_id', 'users'),
  relationshipCheck('start_time', 'time'),
  relationshipCheck('song_id', 'songs'),
  relationshipCheck('artist_id', 'artists'),
  songplaysComplete,
  usersComplete,
];

/**
 * How many songplays found their song in the catalog. Informational, never a failure: the
 * sample event logs are generated independently of the catalog and most plays do not match.
 * One row: `matched`, `total`, and `rate` = matched / total (0…1, NULL when there are no songplays).
 */
export function matchRateSql(): string {
  return `SELECT
  CAST(COUNT(song_id) AS INTEGER) AS matched,
  CAST(COUNT(*) AS INTEGER) AS total,
  CAST(COUNT(song_id) AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0) AS rate
FROM songplays`;
}
