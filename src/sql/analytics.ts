/**
 * The sample analytics (docs/commands.md): named read-only queries over the star schema. Every ORDER BY
 * ends in a unique tie-breaker so the same data always prints the same table, and every count is
 * cast to INTEGER so drivers return JS numbers (PostgreSQL's BIGINT arrives as a string).
 */
export type AnalyticsQueryName =
  | 'plays-by-hour'
  | 'top-songs'
  | 'top-artists'
  | 'free-vs-paid'
  | 'top-locations'
  | 'plays-by-weekday'
  | 'busiest-users'
  | 'match-rate';

export interface AnalyticsQuery {
  name: AnalyticsQueryName;
  /** Heading above the table. */
  title: string;
  /** One sentence: what the numbers mean. */
  description: string;
  /** The same text on both dialects. */
  sql: string;
  /**
   * Where a bar chart reads faster than the table: the column with the labels and the one with the
   * values, and a column shown after each label where labels alone may repeat (two songs called "Home").
   */
  chart?: { label: string; value: string; labelDetail?: string | readonly string[] };
}

const PLAYS_BY_HOUR = `SELECT
  t.hour,
  CAST(COUNT(*) AS INTEGER) AS plays
FROM songplays AS p
JOIN "time" AS t
  ON t.start_time = p.start_time
GROUP BY t.hour
ORDER BY t.hour`;

const TOP_SONGS = `SELECT
  s.title AS song,
  a.name AS artist,
  CAST(COUNT(*) AS INTEGER) AS plays
FROM songplays AS p
JOIN songs AS s
  ON s.song_id = p.song_id
LEFT JOIN artists AS a
  ON a.artist_id = p.artist_id
GROUP BY p.song_id, s.title, p.artist_id, a.name
ORDER BY COUNT(*) DESC, s.title, a.name, p.song_id, p.artist_id
LIMIT 10`;

const TOP_ARTISTS = `SELECT
  a.name AS artist,
  CAST(COUNT(*) AS INTEGER) AS plays,
  CAST(COUNT(DISTINCT p.user_id) AS INTEGER) AS listeners
FROM songplays AS p
JOIN artists AS a
  ON a.artist_id = p.artist_id
GROUP BY a.artist_id, a.name
ORDER BY COUNT(*) DESC, a.name, a.artist_id
LIMIT 10`;

// By the level recorded on each play, so a user who upgraded during the month is counted
// under both levels.
const FREE_VS_PAID = `SELECT
  p.level,
  CAST(COUNT(*) AS INTEGER) AS plays,
  CAST(COUNT(DISTINCT p.user_id) AS INTEGER) AS users
FROM songplays AS p
GROUP BY p.level
ORDER BY p.level`;

const TOP_LOCATIONS = `SELECT
  p.location,
  CAST(COUNT(*) AS INTEGER) AS plays,
  CAST(COUNT(DISTINCT p.user_id) AS INTEGER) AS users
FROM songplays AS p
WHERE p.location IS NOT NULL
GROUP BY p.location
ORDER BY COUNT(*) DESC, p.location
LIMIT 10`;

const PLAYS_BY_WEEKDAY = `SELECT
  CASE t.weekday
    WHEN 0 THEN 'Sunday'
    WHEN 1 THEN 'Monday'
    WHEN 2 THEN 'Tuesday'
    WHEN 3 THEN 'Wednesday'
    WHEN 4 THEN 'Thursday'
    WHEN 5 THEN 'Friday'
    WHEN 6 THEN 'Saturday'
  END AS weekday,
  CAST(COUNT(*) AS INTEGER) AS plays
FROM songplays AS p
JOIN "time" AS t
  ON t.start_time = p.start_time
GROUP BY t.weekday
ORDER BY t.weekday`;

const BUSIEST_USERS = `SELECT
  p.user_id,
  u.first_name,
  u.last_name,
  u.level,
  CAST(COUNT(*) AS INTEGER) AS plays,
  CAST(COUNT(DISTINCT p.session_id) AS INTEGER) AS sessions
FROM songplays AS p
LEFT JOIN users AS u
  ON u.user_id = p.user_id
GROUP BY p.user_id, u.first_name, u.last_name, u.level
ORDER BY COUNT(*) DESC, p.user_id
LIMIT 10`;

// match_rate_pct is a percentage with one decimal, NULL when there are no songplays.
const MATCH_RATE = `SELECT
  CAST(COUNT(song_id) AS INTEGER) AS matched_plays,
  CAST(COUNT(*) AS INTEGER) AS total_plays,
  CAST(ROUND(100.0 * COUNT(song_id) / NULLIF(COUNT(*), 0), 1) AS DOUBLE PRECISION) AS match_rate_pct
FROM songplays`;

export const ANALYTICS_QUERIES: readonly AnalyticsQuery[] = [
  {
    name: 'plays-by-hour',
    title: 'Plays by hour of day (UTC)',
    description: 'Songs played in each hour of the day, over the whole period loaded.',
    sql: PLAYS_BY_HOUR,
    chart: { label: 'hour', value: 'plays' },
  },
  {
    name: 'top-songs',
    title: 'Top 10 songs',
    description: 'The most played songs among plays that matched the catalog.',
    sql: TOP_SONGS,
    chart: { label: 'song', labelDetail: 'artist', value: 'plays' },
  },
  {
    name: 'top-artists',
    title: 'Top 10 artists',
    description: 'The most played artists among plays that matched the catalog, with how many users played them.',
    sql: TOP_ARTISTS,
    chart: { label: 'artist', value: 'plays' },
  },
  {
    name: 'free-vs-paid',
    title: 'Free vs paid',
    description: 'Plays and distinct users by subscription level at the time of the play.',
    sql: FREE_VS_PAID,
    chart: { label: 'level', value: 'plays' },
  },
  {
    name: 'top-locations',
    title: 'Top 10 locations',
    description: 'Where the most plays come from, with how many users play there.',
    sql: TOP_LOCATIONS,
    chart: { label: 'location', value: 'plays' },
  },
  {
    name: 'plays-by-weekday',
    title: 'Plays by day of the week',
    description: 'Songs played on each day of the week (UTC), Sunday first.',
    sql: PLAYS_BY_WEEKDAY,
    chart: { label: 'weekday', value: 'plays' },
  },
  {
    name: 'busiest-users',
    title: 'Top 10 users',
    description: 'The users with the most plays, their current level and how many sessions they played in.',
    sql: BUSIEST_USERS,
    chart: { label: 'user_id', labelDetail: ['first_name', 'last_name'], value: 'plays' },
  },
  {
    name: 'match-rate',
    title: 'Catalog match rate',
    description: 'How many plays found their song in the catalog (same title, artist and duration).',
    sql: MATCH_RATE,
  },
];

export function findAnalyticsQuery(name: string): AnalyticsQuery | undefined {
  return ANALYTICS_QUERIES.find((query) => query.name === name);
}
