/**
 * The load plan once staging is filled: staging → star schema (docs/data.md, Tables), as ordered statements
 * that are all safe inside one transaction, so a failed load leaves the previous tables intact.
 *
 * Every choice between duplicate rows is made by an ORDER BY with a full set of tie-breakers, so
 * reloading the same files gives the same tables, row for row. Only constructs that PostgreSQL and
 * Redshift both accept are used: window functions instead of DISTINCT ON, DELETE/INSERT instead of
 * ON CONFLICT, interval arithmetic instead of to_timestamp().
 */
import { forDialect, type Dialect } from './dialect.js';
import { STAGING_TABLES, STAR_TABLES, tableSql, type StarTableName, type TableName } from './tables.js';

/** Epoch milliseconds → TIMESTAMP (UTC), milliseconds kept. */
export function epochMillisToTimestampSql(expression: string): string {
  return `TIMESTAMP 'epoch' + ${expression} * INTERVAL '1 millisecond'`;
}

/** The staging events that become songplays: NextSong by a logged-in user (checks count them too). */
function songplayEventCondition(alias: string): string {
  return `${alias}page = 'NextSong'
    AND ${alias}user_id IS NOT NULL
    AND ${alias}user_id <> ''`;
}

export const SONGPLAY_EVENT_CONDITION = songplayEventCondition('');

function clearTablesSql(tables: readonly TableName[], dialect: Dialect): string[] {
  return forDialect(dialect, {
    // PostgreSQL's TRUNCATE is transactional and much faster than DELETE. RESTART IDENTITY numbers
    // staging_events.event_id from 1 again, so a reload assigns the same tie-breakers.
    default: [`TRUNCATE TABLE ${tables.map(tableSql).join(', ')} RESTART IDENTITY`],
    // Redshift's TRUNCATE commits the open transaction, which would publish half a load;
    // DELETE stays inside it (the space is reclaimed by Redshift's automatic vacuum).
    redshift: tables.map((table) => `DELETE FROM ${tableSql(table)}`),
  });
}

/** Empty both staging tables before a new COPY. */
export function clearStagingSql(dialect: Dialect): string[] {
  return clearTablesSql(STAGING_TABLES, dialect);
}

/**
 * Planner settings for the rest of the load's transaction. The star inserts run right after
 * staging was filled, before PostgreSQL has statistics on it: guessing a few dozen rows a table,
 * its planner picks nested loops that compare every play with every catalog song (600,000 events
 * and 1,000 songs: 45 s instead of under 2 on PGlite). Hash and merge joins are right for every
 * statement here, at every size; ANALYZE would cost a tenth of the transforms to say so
 * (docs/performance.md). Redshift plans on its own statistics and has no such setting.
 */
export function starPlanSettingsSql(dialect: Dialect): string[] {
  return forDialect(dialect, { default: ['SET LOCAL enable_nestloop = off'], redshift: [] });
}

/** Empty the star schema before it is rebuilt from staging (a rerun never duplicates rows). */
export function clearStarSql(dialect: Dialect): string[] {
  return clearTablesSql(STAR_TABLES, dialect);
}

export interface StarInsert {
  table: StarTableName;
  sql: string;
}

// songs: one row per song_id. When the catalog holds several records with the same song_id, the
// first by title, artist_id, duration, year wins (NULLs last); year 0 means "unknown" → NULL.
const INSERT_SONGS = `INSERT INTO songs (song_id, title, artist_id, year, duration)
SELECT song_id, title, artist_id, year, duration
FROM (
  SELECT
    song_id,
    title,
    artist_id,
    NULLIF(year, 0) AS year,
    duration,
    ROW_NUMBER() OVER (
      PARTITION BY song_id
      ORDER BY title, artist_id, duration, year
    ) AS record_rank
  FROM staging_songs
  WHERE song_id IS NOT NULL
) AS ranked_songs
WHERE record_rank = 1`;

// artists: one row per artist_id, described by that artist's record with the lowest song_id
// (then the remaining columns, for duplicated song_ids); an empty location → NULL.
const INSERT_ARTISTS = `INSERT INTO artists (artist_id, name, location, latitude, longitude)
SELECT artist_id, name, location, latitude, longitude
FROM (
  SELECT
    artist_id,
    artist_name AS name,
    NULLIF(artist_location, '') AS location,
    artist_latitude AS latitude,
    artist_longitude AS longitude,
    ROW_NUMBER() OVER (
      PARTITION BY artist_id
      ORDER BY song_id, artist_name, artist_location, artist_latitude, artist_longitude
    ) AS record_rank
  FROM staging_songs
  WHERE artist_id IS NOT NULL
) AS ranked_artists
WHERE record_rank = 1`;

// users: one row per user id seen in any event (not only NextSong), with name, gender and level
// from the user's latest event: by ts, then itemInSession, then sessionId. Events that tie on
// those are ordered by the values they would give (so the pick does not depend on load order),
// and event_id decides only between events that give the same row: on Redshift it is an
// IDENTITY that a parallel COPY does not number in file order and DELETE does not reset.
// Only the events at each user's latest ts are ranked (all of them when the user's ts are all
// NULL): a hash aggregate finds that ts, so the events are not all sorted (docs/performance.md).
const INSERT_USERS = `INSERT INTO users (user_id, first_name, last_name, gender, level)
SELECT user_id, first_name, last_name, gender, level
FROM (
  SELECT
    event.user_id,
    event.first_name,
    event.last_name,
    event.gender,
    event.level,
    ROW_NUMBER() OVER (
      PARTITION BY event.user_id
      ORDER BY event.ts DESC NULLS LAST,
        event.item_in_session DESC NULLS LAST,
        event.session_id DESC NULLS LAST,
        event.level,
        event.first_name,
        event.last_name,
        event.gender,
        event.event_id DESC
    ) AS recency_rank
  FROM staging_events AS event
  JOIN (
    SELECT user_id, MAX(ts) AS ts
    FROM staging_events
    WHERE user_id IS NOT NULL
      AND user_id <> ''
    GROUP BY user_id
  ) AS latest
    ON latest.user_id = event.user_id
    AND (event.ts = latest.ts OR latest.ts IS NULL)
) AS ranked_events
WHERE recency_rank = 1`;

// songplays: one row per NextSong event with a user id; never dropped, never duplicated.
// The catalog song is the one whose title, artist name and duration equal the event's song,
// artist and length; when several catalog records match, the lowest song_id (then artist_id)
// wins, and when none does song_id and artist_id stay NULL. The records an event matches are
// exactly one (title, artist_name, duration) group of the catalog, so the winner is chosen once
// per group, in the small catalog, and the plays meet it in one hash join (docs/performance.md).
// songplay_id numbers the plays in time order with ROW_NUMBER (not an IDENTITY column, which
// Redshift numbers in no set order and DELETE does not reset), so a reload gives the same ids on
// every target. Plays that tie on time, user, session and item are ordered by every other column
// that reaches the row; event_id (load order, which on Redshift is not stable between loads)
// decides only between plays whose rows are identical, where swapping the ids changes nothing.
function insertSongplaysSql(): string {
  return `INSERT INTO songplays (
  songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
)
SELECT
  ROW_NUMBER() OVER (
    ORDER BY play.ts, play.user_id, play.session_id, play.item_in_session,
      play.level, play.song, play.artist, play.length, play.location, play.user_agent,
      play.event_id
  ) AS songplay_id,
  ${epochMillisToTimestampSql('play.ts')} AS start_time,
  play.user_id,
  play.level,
  best_match.song_id,
  best_match.artist_id,
  play.session_id,
  play.location,
  play.user_agent
FROM staging_events AS play
LEFT JOIN (
  SELECT
    title,
    artist_name,
    duration,
    song_id,
    artist_id,
    ROW_NUMBER() OVER (
      PARTITION BY title, artist_name, duration
      ORDER BY song_id, artist_id
    ) AS match_rank
  FROM staging_songs
) AS best_match
  ON best_match.match_rank = 1
  AND best_match.title = play.song
  AND best_match.artist_name = play.artist
  AND best_match.duration = play.length
WHERE ${songplayEventCondition('play.')}`;
}

// time: one row per distinct songplays.start_time. DATE_PART rather than EXTRACT: the same
// values, but a double instead of PostgreSQL's (since 14) slower numeric. On both engines 'week'
// is the ISO 8601 week and 'dow' counts from Sunday = 0 (Redshift:
// https://docs.aws.amazon.com/redshift/latest/dg/r_DATE_PART_function.html).
const INSERT_TIME = `INSERT INTO "time" (start_time, hour, day, week, month, year, weekday)
SELECT
  start_time,
  CAST(DATE_PART('hour', start_time) AS SMALLINT) AS hour,
  CAST(DATE_PART('day', start_time) AS SMALLINT) AS day,
  CAST(DATE_PART('week', start_time) AS SMALLINT) AS week,
  CAST(DATE_PART('month', start_time) AS SMALLINT) AS month,
  CAST(DATE_PART('year', start_time) AS SMALLINT) AS year,
  CAST(DATE_PART('dow', start_time) AS SMALLINT) AS weekday
FROM (
  SELECT DISTINCT start_time
  FROM songplays
) AS play_times`;

/**
 * Fill the (emptied) star schema from staging, in dependency order: songs, artists, users,
 * songplays, then time (which is derived from songplays). The same text on both dialects.
 */
export function insertStarSql(): StarInsert[] {
  return [
    { table: 'songs', sql: INSERT_SONGS },
    { table: 'artists', sql: INSERT_ARTISTS },
    { table: 'users', sql: INSERT_USERS },
    { table: 'songplays', sql: insertSongplaysSql() },
    { table: 'time', sql: INSERT_TIME },
  ];
}
