/** Every statement rendered for both dialects: exact text for the important ones, invariants for all. */
import { describe, expect, test } from 'vitest';
import { ANALYTICS_QUERIES, findAnalyticsQuery } from '../../src/sql/analytics.js';
import { DATA_CHECKS, matchRateSql } from '../../src/sql/checks.js';
import { copyEventsFromS3Sql, copySongsFromS3Sql, loadErrorsSql } from '../../src/sql/copy.js';
import {
  addStarKeysSql,
  createLoadHistoryIfMissingSql,
  createTableSql,
  createTablesSql,
  dropStarKeysSql,
  dropTablesSql,
} from '../../src/sql/ddl.js';
import { latestLoadSql, loadHistoryExistsSql, recordLoadSql, recordS3LoadSql } from '../../src/sql/load-history.js';
import { existingTablesSql, rowCountsSql } from '../../src/sql/status.js';
import {
  ALL_TABLES,
  STAGING_EVENTS_COLUMNS,
  STAGING_SONGS_COLUMNS,
  STAR_TABLES,
  TABLES,
} from '../../src/sql/tables.js';
import { clearStagingSql, clearStarSql, insertStarSql, starPlanSettingsSql } from '../../src/sql/transform.js';
import type { Dialect } from '../../src/sql/dialect.js';

const S3 = {
  s3Url: 's3://udacity-dend/log_data',
  jsonPathsUrl: 's3://udacity-dend/log_json_path.json',
  iamRoleArn: 'arn:aws:iam::123456789012:role/dwhRole',
  region: 'us-west-2',
};

/** Every statement the product can send for a dialect, labelled for failure messages. */
function allStatements(dialect: Dialect): Array<[string, string]> {
  const statements: Array<[string, string]> = [
    ...dropTablesSql().map((sql, i): [string, string] => [`drop ${i}`, sql]),
    ...createTablesSql(dialect).map((sql, i): [string, string] => [`create ${ALL_TABLES[i] ?? 'load history'}`, sql]),
    ['create load history if missing', createLoadHistoryIfMissingSql(dialect)],
    ['record a local load', recordLoadSql(dialect, { songs: 1, events: 2, songplays: 3 })],
    ['load history exists', loadHistoryExistsSql()],
    ['latest load', latestLoadSql()],
    ...clearStagingSql(dialect).map((sql, i): [string, string] => [`clear staging ${i}`, sql]),
    ...clearStarSql(dialect).map((sql, i): [string, string] => [`clear star ${i}`, sql]),
    ...starPlanSettingsSql(dialect).map((sql, i): [string, string] => [`plan setting ${i}`, sql]),
    ...dropStarKeysSql(dialect).map((sql, i): [string, string] => [`drop key ${i}`, sql]),
    ...addStarKeysSql(dialect).map((sql, i): [string, string] => [`add key ${i}`, sql]),
    ...insertStarSql().map((step): [string, string] => [`insert ${step.table}`, step.sql]),
    ...DATA_CHECKS.map((check): [string, string] => [`check ${check.name}`, check.sql]),
    ['match rate', matchRateSql()],
    ...ANALYTICS_QUERIES.map((query): [string, string] => [`analytics ${query.name}`, query.sql]),
    ['existing tables', existingTablesSql()],
    ['row counts', rowCountsSql(ALL_TABLES)],
  ];
  if (dialect === 'redshift') {
    statements.push(
      ['copy events', copyEventsFromS3Sql(S3)],
      ['copy songs', copySongsFromS3Sql(S3)],
      ['load errors', loadErrorsSql()],
      ['record an S3 load', recordS3LoadSql('redshift', { songData: S3.s3Url, logData: S3.s3Url })],
    );
  }
  return statements;
}

function withoutLiterals(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''");
}

describe('invariants of every statement', () => {
  test.each(allStatements('postgres'))('postgres: %s uses nothing Redshift-only', (_label, sql) => {
    expect(sql).not.toMatch(/DISTKEY|SORTKEY|DISTSTYLE|IDENTITY\(0,\s*1\)|s3:\/\/|IAM_ROLE|stl_load_errors/i);
    // "time" is a reserved-ish word: never used bare as a table name.
    expect(sql).not.toMatch(/\b(FROM|JOIN|INTO|TABLE|EXISTS)\s+time\b/i);
  });

  test.each(allStatements('redshift'))('redshift: %s uses nothing PostgreSQL-only', (_label, sql) => {
    // Ignore string literals (an ARN contains "::", which is not a cast there).
    expect(withoutLiterals(sql)).not.toMatch(
      /ON\s+CONFLICT|GENERATED|UNLOGGED|DISTINCT\s+ON|to_timestamp|\bTRUNCATE\s+TABLE|RESTART\s+IDENTITY|::|\bTEXT\b|\bILIKE\b/i,
    );
    expect(sql).not.toMatch(/\b(FROM|JOIN|INTO|TABLE|EXISTS)\s+time\b/i);
  });

  test('no statement carries a statement separator', () => {
    for (const dialect of ['postgres', 'redshift'] as const) {
      for (const [label, sql] of allStatements(dialect))
        expect({ label, semicolon: sql.includes(';') }).toEqual({ label, semicolon: false });
    }
  });
});

describe('DDL', () => {
  test('drop lists all seven tables, "time" quoted, then the load history', () => {
    expect(dropTablesSql()).toEqual([
      'DROP TABLE IF EXISTS songplays',
      'DROP TABLE IF EXISTS users',
      'DROP TABLE IF EXISTS songs',
      'DROP TABLE IF EXISTS artists',
      'DROP TABLE IF EXISTS "time"',
      'DROP TABLE IF EXISTS staging_events',
      'DROP TABLE IF EXISTS staging_songs',
      'DROP TABLE IF EXISTS sparkify_load_history',
    ]);
  });

  test('create covers staging then star tables in load order, then the load history', () => {
    const names = (dialect: Dialect) =>
      createTablesSql(dialect).map((sql) => /^CREATE (?:UNLOGGED )?TABLE (\S+) \(/.exec(sql)?.[1]);
    expect(names('postgres')).toEqual([
      'staging_events',
      'staging_songs',
      'songs',
      'artists',
      'users',
      'songplays',
      '"time"',
      'sparkify_load_history',
    ]);
    expect(names('redshift')).toEqual(names('postgres'));
  });

  test('staging_events on postgres', () => {
    expect(createTableSql('staging_events', 'postgres')).toBe(`CREATE UNLOGGED TABLE staging_events (
  event_id BIGINT GENERATED ALWAYS AS IDENTITY,
  artist TEXT,
  auth VARCHAR,
  first_name VARCHAR,
  gender VARCHAR,
  item_in_session INTEGER,
  last_name VARCHAR,
  length DOUBLE PRECISION,
  level VARCHAR,
  location TEXT,
  method VARCHAR,
  page VARCHAR,
  registration DOUBLE PRECISION,
  session_id INTEGER,
  song TEXT,
  status INTEGER,
  ts BIGINT,
  user_agent TEXT,
  user_id VARCHAR
)`);
  });

  test('staging_events on redshift', () => {
    expect(createTableSql('staging_events', 'redshift')).toBe(`CREATE TABLE staging_events (
  event_id BIGINT IDENTITY(0,1),
  artist VARCHAR(65535),
  auth VARCHAR(256),
  first_name VARCHAR(256),
  gender VARCHAR(256),
  item_in_session INTEGER,
  last_name VARCHAR(256),
  length DOUBLE PRECISION,
  level VARCHAR(256),
  location VARCHAR(65535),
  method VARCHAR(256),
  page VARCHAR(256),
  registration DOUBLE PRECISION,
  session_id INTEGER,
  song VARCHAR(65535),
  status INTEGER,
  ts BIGINT,
  user_agent VARCHAR(65535),
  user_id VARCHAR(256)
)
DISTSTYLE EVEN`);
  });

  test('songplays on postgres', () => {
    expect(createTableSql('songplays', 'postgres')).toBe(`CREATE TABLE songplays (
  songplay_id BIGINT NOT NULL,
  start_time TIMESTAMP NOT NULL,
  user_id VARCHAR NOT NULL,
  level VARCHAR,
  song_id VARCHAR,
  artist_id VARCHAR,
  session_id INTEGER,
  location TEXT,
  user_agent TEXT,
  PRIMARY KEY (songplay_id)
)`);
  });

  test('songplays on redshift', () => {
    expect(createTableSql('songplays', 'redshift')).toBe(`CREATE TABLE songplays (
  songplay_id BIGINT NOT NULL,
  start_time TIMESTAMP NOT NULL,
  user_id VARCHAR(256) NOT NULL,
  level VARCHAR(256),
  song_id VARCHAR(256),
  artist_id VARCHAR(256),
  session_id INTEGER,
  location VARCHAR(65535),
  user_agent VARCHAR(65535),
  PRIMARY KEY (songplay_id)
)
DISTKEY (start_time)
SORTKEY (start_time)`);
  });

  test('the other tables: keys and Redshift distribution', () => {
    expect(createTableSql('time', 'redshift')).toBe(`CREATE TABLE "time" (
  start_time TIMESTAMP NOT NULL,
  hour SMALLINT,
  day SMALLINT,
  week SMALLINT,
  month SMALLINT,
  year SMALLINT,
  weekday SMALLINT,
  PRIMARY KEY (start_time)
)
DISTKEY (start_time)
SORTKEY (start_time)`);
    expect(createTableSql('users', 'redshift')).toMatch(
      /PRIMARY KEY \(user_id\)\n\)\nDISTSTYLE ALL\nSORTKEY \(user_id\)$/,
    );
    expect(createTableSql('artists', 'redshift')).toMatch(
      /PRIMARY KEY \(artist_id\)\n\)\nDISTSTYLE ALL\nSORTKEY \(artist_id\)$/,
    );
    expect(createTableSql('songs', 'redshift')).toMatch(
      /PRIMARY KEY \(song_id\)\n\)\nDISTKEY \(song_id\)\nSORTKEY \(song_id\)$/,
    );
    expect(createTableSql('staging_songs', 'redshift')).toMatch(/\n\)\nDISTSTYLE EVEN$/);
    // Staging is scratch, refilled by every load: PostgreSQL need not write it to its WAL first.
    expect(createTableSql('staging_songs', 'postgres')).toMatch(/^CREATE UNLOGGED TABLE staging_songs \(/);
    for (const table of STAR_TABLES) expect(createTableSql(table, 'postgres')).toMatch(/^CREATE TABLE /);
    for (const table of STAR_TABLES) expect(createTableSql(table, 'postgres')).toMatch(/PRIMARY KEY \(\w+\)\n\)$/);
  });

  const HISTORY_COLUMNS =
    'load_number, source_kind, song_data, log_data, loaded_at, staging_songs, staging_events, songplays';

  test('the load history (issue 9): made on Redshift too, with its own distribution', () => {
    expect(createTableSql('sparkify_load_history', 'redshift')).toBe(`CREATE TABLE sparkify_load_history (
  load_number INTEGER NOT NULL,
  source_kind VARCHAR(256) NOT NULL,
  song_data VARCHAR(65535) NOT NULL,
  log_data VARCHAR(65535) NOT NULL,
  loaded_at TIMESTAMP NOT NULL,
  staging_songs BIGINT NOT NULL,
  staging_events BIGINT NOT NULL,
  songplays BIGINT NOT NULL,
  PRIMARY KEY (load_number)
)
DISTSTYLE ALL`);
    expect(createLoadHistoryIfMissingSql('redshift')).toBe(
      createTableSql('sparkify_load_history', 'redshift').replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS'),
    );
    expect(createTableSql('sparkify_load_history', 'postgres')).toMatch(/^ {2}song_data TEXT NOT NULL,$/m);
  });

  test('an S3 load records its prefixes and counts the rows in its own transaction (Redshift SYSDATE)', () => {
    expect(
      recordS3LoadSql('redshift', {
        songData: 's3://udacity-dend/song_data/A/',
        logData: 's3://udacity-dend/log_data',
      }),
    ).toBe(
      [
        `INSERT INTO sparkify_load_history (${HISTORY_COLUMNS})`,
        "SELECT previous.n + 1, 's3', 's3://udacity-dend/song_data/A/', 's3://udacity-dend/log_data', SYSDATE, " +
          'songs.n, events.n, plays.n',
        'FROM (SELECT COALESCE(MAX(load_number), 0) AS n FROM sparkify_load_history) previous',
        'CROSS JOIN (SELECT COUNT(*) AS n FROM staging_songs) songs',
        'CROSS JOIN (SELECT COUNT(*) AS n FROM staging_events) events',
        'CROSS JOIN (SELECT COUNT(*) AS n FROM songplays) plays',
      ].join('\n'),
    );
  });

  test('a local load records its folders as parameters and the counts it knows', () => {
    expect(recordLoadSql('postgres', { songs: 10, events: 20, songplays: 5 })).toBe(
      [
        `INSERT INTO sparkify_load_history (${HISTORY_COLUMNS})`,
        "SELECT previous.n + 1, $1, $2, $3, CURRENT_TIMESTAMP AT TIME ZONE 'UTC', 10, 20, 5",
        'FROM (SELECT COALESCE(MAX(load_number), 0) AS n FROM sparkify_load_history) previous',
      ].join('\n'),
    );
  });

  test('COPY column lists are the staging columns after event_id', () => {
    expect(TABLES.staging_events.columns.map((column) => column.name)).toEqual(['event_id', ...STAGING_EVENTS_COLUMNS]);
    expect(TABLES.staging_songs.columns.map((column) => column.name)).toEqual([...STAGING_SONGS_COLUMNS]);
    expect(STAGING_EVENTS_COLUMNS).toHaveLength(18);
    expect(STAGING_SONGS_COLUMNS).toHaveLength(10);
  });
});

describe('transform plan', () => {
  test('clearing uses TRUNCATE on postgres and DELETE on redshift (TRUNCATE would commit there)', () => {
    expect(clearStagingSql('postgres')).toEqual(['TRUNCATE TABLE staging_events, staging_songs RESTART IDENTITY']);
    expect(clearStarSql('postgres')).toEqual([
      'TRUNCATE TABLE songs, artists, users, songplays, "time" RESTART IDENTITY',
    ]);
    expect(clearStagingSql('redshift')).toEqual(['DELETE FROM staging_events', 'DELETE FROM staging_songs']);
    expect(clearStarSql('redshift')).toEqual([
      'DELETE FROM songs',
      'DELETE FROM artists',
      'DELETE FROM users',
      'DELETE FROM songplays',
      'DELETE FROM "time"',
    ]);
  });

  test('postgres sets the star primary keys aside during the inserts; redshift has no index to spare', () => {
    expect(dropStarKeysSql('postgres')).toEqual([
      'ALTER TABLE songs DROP CONSTRAINT IF EXISTS songs_pkey',
      'ALTER TABLE artists DROP CONSTRAINT IF EXISTS artists_pkey',
      'ALTER TABLE users DROP CONSTRAINT IF EXISTS users_pkey',
      'ALTER TABLE songplays DROP CONSTRAINT IF EXISTS songplays_pkey',
      'ALTER TABLE "time" DROP CONSTRAINT IF EXISTS time_pkey',
    ]);
    expect(addStarKeysSql('postgres')).toEqual([
      'ALTER TABLE songs ADD CONSTRAINT songs_pkey PRIMARY KEY (song_id)',
      'ALTER TABLE artists ADD CONSTRAINT artists_pkey PRIMARY KEY (artist_id)',
      'ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY (user_id)',
      'ALTER TABLE songplays ADD CONSTRAINT songplays_pkey PRIMARY KEY (songplay_id)',
      'ALTER TABLE "time" ADD CONSTRAINT time_pkey PRIMARY KEY (start_time)',
    ]);
    expect(dropStarKeysSql('redshift')).toEqual([]);
    expect(addStarKeysSql('redshift')).toEqual([]);
  });

  test('postgres plans the star inserts without nested loops; redshift is left to its statistics', () => {
    expect(starPlanSettingsSql('postgres')).toEqual(['SET LOCAL enable_nestloop = off']);
    expect(starPlanSettingsSql('redshift')).toEqual([]);
  });

  test('inserts run in dependency order, time last', () => {
    expect(insertStarSql().map((step) => step.table)).toEqual(['songs', 'artists', 'users', 'songplays', 'time']);
  });

  test('start_time keeps milliseconds through interval arithmetic, not to_timestamp', () => {
    const songplays = insertStarSql().find((step) => step.table === 'songplays')?.sql ?? '';
    expect(songplays).toContain("TIMESTAMP 'epoch' + play.ts * INTERVAL '1 millisecond' AS start_time");
    // songplay_id in time order; load order (event_id) last, after every column that reaches the row.
    expect(songplays).toMatch(
      /ORDER BY play\.ts, play\.user_id, play\.session_id, play\.item_in_session,\s+play\.level, play\.song, play\.artist, play\.length, play\.location, play\.user_agent,\s+play\.event_id\s/,
    );
  });
});

describe('status, checks and analytics', () => {
  test('existing tables names exactly our seven', () => {
    expect(existingTablesSql()).toBe(`SELECT CAST(table_name AS VARCHAR) AS table_name
FROM information_schema.tables
WHERE table_schema = current_schema()
  AND table_name IN ('staging_events', 'staging_songs', 'songs', 'artists', 'users', 'songplays', 'time')
ORDER BY table_name`);
  });

  test('row counts: one UNION ALL query over known tables only', () => {
    expect(rowCountsSql(['songplays', 'time'])).toBe(
      `SELECT CAST('songplays' AS VARCHAR(32)) AS table_name, COUNT(*) AS row_count FROM songplays
UNION ALL
SELECT CAST('time' AS VARCHAR(32)) AS table_name, COUNT(*) AS row_count FROM "time"`,
    );
    expect(() => rowCountsSql(['songplays', 'pg_user; DROP TABLE users'])).toThrow(
      'not one of the warehouse tables: "pg_user; DROP TABLE users"',
    );
    expect(() => rowCountsSql([])).toThrow('at least one table');
  });

  test('checks have unique names and point at star tables', () => {
    const names = DATA_CHECKS.map((check) => check.name);
    expect(new Set(names).size).toBe(names.length);
    for (const check of DATA_CHECKS) expect(STAR_TABLES as readonly string[]).toContain(check.table);
    expect(names).toEqual([
      'not-empty-songplays',
      'not-empty-users',
      'not-empty-songs',
      'not-empty-artists',
      'not-empty-time',
      'not-null-songplays-songplay_id',
      'not-null-songplays-start_time',
      'not-null-songplays-user_id',
      'not-null-users-user_id',
      'not-null-songs-song_id',
      'not-null-artists-artist_id',
      'not-null-time-start_time',
      'unique-songplays-songplay_id',
      'unique-users-user_id',
      'unique-songs-song_id',
      'unique-artists-artist_id',
      'unique-time-start_time',
      'relationship-songplays-user_id-users',
      'relationship-songplays-start_time-time',
      'relationship-songplays-song_id-songs',
      'relationship-songplays-artist_id-artists',
      'complete-songplays',
      'complete-users',
    ]);
  });

  test('analytics: the documented names (docs/commands.md), found by name, top lists limited to 10', () => {
    expect(ANALYTICS_QUERIES.map((query) => query.name)).toEqual([
      'plays-by-hour',
      'top-songs',
      'top-artists',
      'free-vs-paid',
      'top-locations',
      'plays-by-weekday',
      'busiest-users',
      'match-rate',
    ]);
    expect(findAnalyticsQuery('top-songs')?.title).toBe('Top 10 songs');
    expect(findAnalyticsQuery('nope')).toBeUndefined();
    for (const query of ANALYTICS_QUERIES) {
      const sql = query.sql;
      expect({ name: query.name, limited: /LIMIT 10$/.test(sql) }).toEqual({
        name: query.name,
        limited: /^(top|busiest)-/.test(query.name),
      });
      if (query.chart) expect(sql).toMatch(new RegExp(`\\b${query.chart.value}\\b`));
    }
  });

  test('load errors come from the latest COPY of this session (by session: a rolled-back COPY has no id)', () => {
    expect(loadErrorsSql()).toBe(`SELECT
  TRIM(filename) AS filename,
  line_number,
  TRIM(colname) AS colname,
  TRIM(raw_field_value) AS raw_field_value,
  TRIM(err_reason) AS err_reason
FROM stl_load_errors
WHERE session = pg_backend_pid()
  AND query = (SELECT MAX(query) FROM stl_load_errors WHERE session = pg_backend_pid())
ORDER BY filename, line_number, colname
LIMIT 20`);
    // pg_last_copy_id() is not updated when the COPY's transaction rolls back, as the loader's does.
    expect(loadErrorsSql()).not.toContain('pg_last_copy_id');
  });
});
