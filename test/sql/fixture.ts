/**
 * A small hand-written staging fixture and the star schema it must produce, worked out by hand.
 *
 * Songs (staging_songs, 6 records):
 *   SOAAA   "You Gotta Be" by Des'ree (ARA), 246.30812 s, 2001
 *   SOBBB   "Beta" by Artist B (ARB), year 0 (→ NULL), location '' (→ NULL)
 *   SOCCC2  "Gamma" by Artist C (ARC), 150 s, 2005, location 'Chicago' — loaded before SOCCC1
 *   SOCCC1  "Gamma" by Artist C (ARC), 150 s, 1999, location 'Chicago, IL'
 *           → a catalog duplicate: an event for Gamma matches both; SOCCC1 (lowest id) wins,
 *             and artist ARC is described by its lowest-song_id record (SOCCC1).
 *   SODDD   twice: "Delta (Remastered)" (2015, 241 s, 'Denver, CO') and "Delta" (2010, 240 s,
 *           'Denver') → songs keeps the first by title ("Delta"); artists keeps the first by
 *           song_id, then name, then location ('Denver').
 *
 * Events (staging_events, 14 records, in load order):
 *   e1  user 8   NextSong  ts …106796 item 1  free  You Gotta Be/Des'ree/246.30812 → matched
 *   e2  user 8   Submit Upgrade                item 2  free
 *   e3  user 8   NextSong  ts …120000 item 4  paid  Unknown Song → unmatched
 *   e4  user 8   Home      ts …120000 item 3  free  (same ms as e3, loaded after it: the latest
 *                                                   event is e3 by itemInSession → user 8 is paid)
 *   e5  user 15  NextSong  ts …130000              Gamma → catalog duplicate → SOCCC1
 *   e6  user 10  NextSong  ts …130000 (same ms as e5, loaded after it; user '10' < '15' → lower id)
 *                                                   Beta → SOBBB
 *   e7  user ''  NextSong  logged out → no songplay, no user
 *   e8  user ''  Home      logged out
 *   e9  user 15  Home
 *   e10 user 15  NextSong  2018-11-04 (Sunday, ISO week 44) Delta → SODDD
 *   e11 user 15  Logout    (latest event of user 15)
 *   e12 user 26  Home      (a user with no songplays)
 *   e13 user 10  NextSong  Beta with length 180.26 ≠ 180.25 → unmatched
 *   e14 user 10  NextSong  2018-11-05 23:59:59.999 (Monday, ISO week 45) You Gotta Be → matched
 */

export const INSERT_STAGING_SONGS = `INSERT INTO staging_songs
  (num_songs, artist_id, artist_latitude, artist_longitude, artist_location, artist_name, song_id, title, duration,
   year)
VALUES
  (1, 'ARA', 30.25, -97.75, 'Austin, TX', 'Des''ree', 'SOAAA', 'You Gotta Be', 246.30812, 2001),
  (1, 'ARB', NULL, NULL, '', 'Artist B', 'SOBBB', 'Beta', 180.25, 0),
  (1, 'ARC', NULL, NULL, 'Chicago', 'Artist C', 'SOCCC2', 'Gamma', 150.0, 2005),
  (1, 'ARC', 41.88, -87.63, 'Chicago, IL', 'Artist C', 'SOCCC1', 'Gamma', 150.0, 1999),
  (1, 'ARD', 39.74, -104.99, 'Denver, CO', 'Artist D', 'SODDD', 'Delta (Remastered)', 241.0, 2015),
  (1, 'ARD', 39.7392, -104.9903, 'Denver', 'Artist D', 'SODDD', 'Delta', 240.0, 2010)`;

const UA8 = 'Mozilla/5.0 (Windows NT 6.1; WOW64)';
const UA10 = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4)';
const UA15 = 'Mozilla/5.0 (X11; Linux x86_64)';
const UA26 = 'Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X)';
const PHOENIX = 'Phoenix-Mesa-Scottsdale, AZ';
const WASHINGTON = 'Washington-Arlington-Alexandria, DC-VA-MD-WV';
const CHICAGO = 'Chicago-Naperville-Elgin, IL-IN-WI';
const SAN_JOSE = 'San Jose-Sunnyvale-Santa Clara, CA';

export const INSERT_STAGING_EVENTS = `INSERT INTO staging_events
  (artist, auth, first_name, gender, item_in_session, last_name, length, level, location, method, page,
   registration, session_id, song, status, ts, user_agent, user_id)
VALUES
  ('Des''ree', 'Logged In', 'Kaylee', 'F', 1, 'Summers', 246.30812, 'free', '${PHOENIX}', 'PUT', 'NextSong',
   1540344794796.0, 139, 'You Gotta Be', 200, 1541106106796, '${UA8}', '8'),
  (NULL, 'Logged In', 'Kaylee', 'F', 2, 'Summers', NULL, 'free', '${PHOENIX}', 'PUT', 'Submit Upgrade',
   1540344794796.0, 139, NULL, 307, 1541106110000, '${UA8}', '8'),
  ('Nobody', 'Logged In', 'Kaylee', 'F', 4, 'Summers', 123.4, 'paid', '${PHOENIX}', 'PUT', 'NextSong',
   1540344794796.0, 139, 'Unknown Song', 200, 1541106120000, '${UA8}', '8'),
  (NULL, 'Logged In', 'Kaylee', 'F', 3, 'Summers', NULL, 'free', '${PHOENIX}', 'GET', 'Home',
   1540344794796.0, 139, NULL, 200, 1541106120000, '${UA8}', '8'),
  ('Artist C', 'Logged In', 'Lily', 'F', 0, 'Koch', 150.0, 'paid', '${CHICAGO}', 'PUT', 'NextSong',
   1540758289796.0, 172, 'Gamma', 200, 1541106130000, '${UA15}', '15'),
  ('Artist B', 'Logged In', 'Sylvie', 'F', 5, 'Cruz', 180.25, 'free', '${WASHINGTON}', 'PUT', 'NextSong',
   1540266185796.0, 9, 'Beta', 200, 1541106130000, '${UA10}', '10'),
  ('Des''ree', 'Logged Out', NULL, NULL, 0, NULL, 246.30812, 'free', NULL, 'PUT', 'NextSong',
   NULL, 200, 'You Gotta Be', 200, 1541106140000, NULL, ''),
  (NULL, 'Logged Out', NULL, NULL, 1, NULL, NULL, 'free', NULL, 'GET', 'Home',
   NULL, 200, NULL, 200, 1541106141000, NULL, ''),
  (NULL, 'Logged In', 'Lily', 'F', 1, 'Koch', NULL, 'paid', '${CHICAGO}', 'GET', 'Home',
   1540758289796.0, 172, NULL, 200, 1541106150000, '${UA15}', '15'),
  ('Artist D', 'Logged In', 'Lily', 'F', 0, 'Koch', 240.0, 'paid', '${CHICAGO}', 'PUT', 'NextSong',
   1540758289796.0, 180, 'Delta', 200, 1541325600123, '${UA15}', '15'),
  (NULL, 'Logged In', 'Lily', 'F', 1, 'Koch', NULL, 'paid', '${CHICAGO}', 'PUT', 'Logout',
   1540758289796.0, 180, NULL, 307, 1541325700000, '${UA15}', '15'),
  (NULL, 'Logged In', 'Ryan', 'M', 0, 'Smith', NULL, 'free', '${SAN_JOSE}', 'GET', 'Home',
   1541016707796.0, 50, NULL, 200, 1541200000000, '${UA26}', '26'),
  ('Artist B', 'Logged In', 'Sylvie', 'F', 6, 'Cruz', 180.26, 'free', '${WASHINGTON}', 'PUT', 'NextSong',
   1540266185796.0, 9, 'Beta', 200, 1541106200000, '${UA10}', '10'),
  ('Des''ree', 'Logged In', 'Sylvie', 'F', 0, 'Cruz', 246.30812, 'free', '${WASHINGTON}', 'PUT', 'NextSong',
   1540266185796.0, 300, 'You Gotta Be', 200, 1541462399999, '${UA10}', '10')`;

/** Reads of the star tables, every column in the order of docs/data.md, Tables, values made driver-independent. */
export const READ_STAR_TABLES = {
  songplays: `SELECT CAST(songplay_id AS INTEGER) AS songplay_id, CAST(start_time AS VARCHAR) AS start_time,
  user_id, level, song_id, artist_id, session_id, location, user_agent
FROM songplays ORDER BY songplay_id`,
  users: 'SELECT user_id, first_name, last_name, gender, level FROM users ORDER BY user_id',
  songs: 'SELECT song_id, title, artist_id, year, duration FROM songs ORDER BY song_id',
  artists: 'SELECT artist_id, name, location, latitude, longitude FROM artists ORDER BY artist_id',
  time: `SELECT CAST(start_time AS VARCHAR) AS start_time, hour, day, week, month, year, weekday
FROM "time" ORDER BY start_time`,
} as const;

export const EXPECTED_STAR_TABLES: Record<keyof typeof READ_STAR_TABLES, unknown[][]> = {
  songplays: [
    [1, '2018-11-01 21:01:46.796', '8', 'free', 'SOAAA', 'ARA', 139, PHOENIX, UA8],
    [2, '2018-11-01 21:02:00', '8', 'paid', null, null, 139, PHOENIX, UA8],
    [3, '2018-11-01 21:02:10', '10', 'free', 'SOBBB', 'ARB', 9, WASHINGTON, UA10],
    [4, '2018-11-01 21:02:10', '15', 'paid', 'SOCCC1', 'ARC', 172, CHICAGO, UA15],
    [5, '2018-11-01 21:03:20', '10', 'free', null, null, 9, WASHINGTON, UA10],
    [6, '2018-11-04 10:00:00.123', '15', 'paid', 'SODDD', 'ARD', 180, CHICAGO, UA15],
    [7, '2018-11-05 23:59:59.999', '10', 'free', 'SOAAA', 'ARA', 300, WASHINGTON, UA10],
  ],
  users: [
    ['10', 'Sylvie', 'Cruz', 'F', 'free'],
    ['15', 'Lily', 'Koch', 'F', 'paid'],
    ['26', 'Ryan', 'Smith', 'M', 'free'],
    ['8', 'Kaylee', 'Summers', 'F', 'paid'],
  ],
  songs: [
    ['SOAAA', 'You Gotta Be', 'ARA', 2001, 246.30812],
    ['SOBBB', 'Beta', 'ARB', null, 180.25],
    ['SOCCC1', 'Gamma', 'ARC', 1999, 150],
    ['SOCCC2', 'Gamma', 'ARC', 2005, 150],
    ['SODDD', 'Delta', 'ARD', 2010, 240],
  ],
  artists: [
    ['ARA', "Des'ree", 'Austin, TX', 30.25, -97.75],
    ['ARB', 'Artist B', null, null, null],
    ['ARC', 'Artist C', 'Chicago, IL', 41.88, -87.63],
    ['ARD', 'Artist D', 'Denver', 39.7392, -104.9903],
  ],
  time: [
    ['2018-11-01 21:01:46.796', 21, 1, 44, 11, 2018, 4],
    ['2018-11-01 21:02:00', 21, 1, 44, 11, 2018, 4],
    ['2018-11-01 21:02:10', 21, 1, 44, 11, 2018, 4],
    ['2018-11-01 21:03:20', 21, 1, 44, 11, 2018, 4],
    ['2018-11-04 10:00:00.123', 10, 4, 44, 11, 2018, 0],
    ['2018-11-05 23:59:59.999', 23, 5, 45, 11, 2018, 1],
  ],
};

/** The analytics queries' exact results on the fixture. */
export const EXPECTED_ANALYTICS: Record<string, unknown[]> = {
  'plays-by-hour': [
    { hour: 10, plays: 1 },
    { hour: 21, plays: 5 },
    { hour: 23, plays: 1 },
  ],
  'top-songs': [
    { song: 'You Gotta Be', artist: "Des'ree", plays: 2 },
    { song: 'Beta', artist: 'Artist B', plays: 1 },
    { song: 'Delta', artist: 'Artist D', plays: 1 },
    { song: 'Gamma', artist: 'Artist C', plays: 1 },
  ],
  'top-artists': [
    { artist: "Des'ree", plays: 2, listeners: 2 },
    { artist: 'Artist B', plays: 1, listeners: 1 },
    { artist: 'Artist C', plays: 1, listeners: 1 },
    { artist: 'Artist D', plays: 1, listeners: 1 },
  ],
  'free-vs-paid': [
    { level: 'free', plays: 4, users: 2 },
    { level: 'paid', plays: 3, users: 2 },
  ],
  'top-locations': [
    { location: WASHINGTON, plays: 3, users: 1 },
    { location: CHICAGO, plays: 2, users: 1 },
    { location: PHOENIX, plays: 2, users: 1 },
  ],
  'plays-by-weekday': [
    { weekday: 'Sunday', plays: 1 },
    { weekday: 'Monday', plays: 1 },
    { weekday: 'Thursday', plays: 5 },
  ],
  'busiest-users': [
    { user_id: '10', first_name: 'Sylvie', last_name: 'Cruz', level: 'free', plays: 3, sessions: 2 },
    { user_id: '15', first_name: 'Lily', last_name: 'Koch', level: 'paid', plays: 2, sessions: 2 },
    { user_id: '8', first_name: 'Kaylee', last_name: 'Summers', level: 'paid', plays: 2, sessions: 1 },
  ],
  'match-rate': [{ matched_plays: 5, total_plays: 7, match_rate_pct: 71.4 }],
};
