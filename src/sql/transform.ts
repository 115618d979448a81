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
export const SONGPLAY_EVENT_CONDITION = `page = 'NextSong'
    AND user_id IS NOT NULL
    AND user_id <> ''`;

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
const INSERT_USERS = `INSERT INTO users (user_id, first_name, last_name, gender, level)
SELECT user_id, first_name, last_name, gender, level
FROM (
  SELECT
    user_id,
    first_name,
    last_name,
    gender,
    level,
    ROW_NUMBER() OVER (
      PARTITION BY user_id
      ORDER BY ts DESC NULLS LAST,
        item_in_session DESC NULLS LAST,
        session_id DESC NULLS LAST,
        level,
        first_name,
        last_name,
        gender,
        event_id DESC
    ) AS recency_rank
  FROM staging_events
  WHERE user_id IS NOT NULL
    AND user_id <> ''
) AS ranked_events
WHERE recency_rank = 1`;

// songplays: one row per NextSong event with a user id; never dropped, never duplicated.
// The catalog song is the one whose title, artist name and duration equal the event's song,
// artist and length; when several catalog records match, the lowest song_id (then artist_id)
// wins, and when none does song_id and artist_id stay NULL. songplay_id numbers the plays in
// time order with ROW_NUMBER (not an IDENTITY column, which Redshift numbers in no set order and
// DELETE does not reset), so a reload gives the same ids on every target. Plays that tie on time,
// user, session and item are ordered by every other column that reaches the row; event_id (load
// order, which on Redshift is not stable between loads) decides only between plays whose rows
// are identical, where swapping the ids changes nothing.
function insertSongplaysSql(): string {
  return `INSERT INTO songplays (
  songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
)
WITH song_plays AS (
  SELECT event_id, ts, user_id, level, song, artist, length, session_id, item_in_session, location, user_agent
  FROM staging_events
  WHERE ${SONGPLAY_EVENT_CONDITION}
),
catalog_matches AS (
  SELECT
    play.event_id,
    song.song_id,
    song.artist_id,
    ROW_NUMBER() OVER (
      PARTITION BY play.event_id
      ORDER BY song.song_id, song.artist_id
    ) AS match_rank
  FROM song_plays AS play
  JOIN staging_songs AS song
    ON song.title = play.song
    AND song.artist_name = play.artist
    AND song.duration = play.length
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
FROM song_plays AS play
LEFT JOIN catalog_matches AS best_match
  ON best_match.event_id = play.event_id
  AND best_match.match_rank = 1`;
}

// time: one row per distinct songplays.start_time. EXTRACT(WEEK) is the ISO 8601 week and
// EXTRACT(DOW) counts from Sunday = 0 on both engines.
const INSERT_TIME = `INSERT INTO "time" (start_time, hour, day, week, month, year, weekday)
SELECT
  start_time,
  CAST(EXTRACT(HOUR FROM start_time) AS SMALLINT) AS hour,
  CAST(EXTRACT(DAY FROM start_time) AS SMALLINT) AS day,
  CAST(EXTRACT(WEEK FROM start_time) AS SMALLINT) AS week,
  CAST(EXTRACT(MONTH FROM start_time) AS SMALLINT) AS month,
  CAST(EXTRACT(YEAR FROM start_time) AS SMALLINT) AS year,
  CAST(EXTRACT(DOW FROM start_time) AS SMALLINT) AS weekday
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
