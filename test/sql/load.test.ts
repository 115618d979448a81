/**
 * The postgres-dialect DDL, transforms, checks and analytics run for real, on PGlite and on a
 * PostgreSQL server, against the hand-written fixture in fixture.ts.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ANALYTICS_QUERIES } from '../../src/sql/analytics.js';
import { DATA_CHECKS, matchRateSql } from '../../src/sql/checks.js';
import { createTablesSql, dropTablesSql } from '../../src/sql/ddl.js';
import { existingTablesSql, rowCountsSql } from '../../src/sql/status.js';
import { ALL_TABLES } from '../../src/sql/tables.js';
import { clearStagingSql, clearStarSql, insertStarSql } from '../../src/sql/transform.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import {
  EXPECTED_ANALYTICS,
  EXPECTED_STAR_TABLES,
  INSERT_STAGING_EVENTS,
  INSERT_STAGING_SONGS,
  READ_STAR_TABLES,
} from './fixture.js';

type Row = Record<string, unknown>;

interface Engine {
  query(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

async function openPglite(): Promise<Engine> {
  const db = new PGlite();
  return {
    query: async (sql) => (await db.query<Row>(sql)).rows,
    close: () => db.close(),
  };
}

async function openPostgres(): Promise<Engine> {
  const database: TestDatabase = await createTestDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  return {
    query: async (sql) => (await client.query<Row>(sql)).rows,
    close: async () => {
      await client.end();
      await database.drop();
    },
  };
}

async function runAll(engine: Engine, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await engine.query(statement);
}

/** One load as the load step does it: everything in a single transaction. */
async function loadStagingAndStar(engine: Engine): Promise<void> {
  await engine.query('BEGIN');
  await runAll(engine, clearStagingSql('postgres'));
  await engine.query(INSERT_STAGING_SONGS);
  await engine.query(INSERT_STAGING_EVENTS);
  await runAll(engine, clearStarSql('postgres'));
  await runAll(
    engine,
    insertStarSql().map((step) => step.sql),
  );
  await engine.query('COMMIT');
}

async function transformOnly(engine: Engine): Promise<void> {
  await engine.query('BEGIN');
  await runAll(engine, clearStarSql('postgres'));
  await runAll(
    engine,
    insertStarSql().map((step) => step.sql),
  );
  await engine.query('COMMIT');
}

async function readStar(engine: Engine): Promise<Record<string, unknown[][]>> {
  const contents: Record<string, unknown[][]> = {};
  for (const [table, sql] of Object.entries(READ_STAR_TABLES)) {
    contents[table] = (await engine.query(sql)).map((row) => Object.values(row));
  }
  return contents;
}

describe.each([
  ['PGlite', openPglite],
  ['PostgreSQL', openPostgres],
] as const)('postgres dialect on %s', (_name, open) => {
  let engine: Engine;

  beforeAll(async () => {
    engine = await open();
  });
  afterAll(async () => {
    await engine.close();
  });

  test('tables are created (and re-created) with the documented columns in order (docs/data.md)', async () => {
    await runAll(engine, dropTablesSql());
    await runAll(engine, createTablesSql('postgres'));
    await runAll(engine, dropTablesSql());
    await runAll(engine, createTablesSql('postgres'));
    const tables = await engine.query(existingTablesSql());
    expect(tables.map((row) => row.table_name)).toEqual([
      'artists',
      'songplays',
      'songs',
      'staging_events',
      'staging_songs',
      'time',
      'users',
    ]);
    const columns = await engine.query(`SELECT CAST(table_name AS VARCHAR) AS t, CAST(column_name AS VARCHAR) AS c
      FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`);
    const byTable = (table: string) => columns.filter((row) => row.t === table).map((row) => row.c);
    expect(byTable('songplays')).toEqual([
      'songplay_id',
      'start_time',
      'user_id',
      'level',
      'song_id',
      'artist_id',
      'session_id',
      'location',
      'user_agent',
    ]);
    expect(byTable('users')).toEqual(['user_id', 'first_name', 'last_name', 'gender', 'level']);
    expect(byTable('songs')).toEqual(['song_id', 'title', 'artist_id', 'year', 'duration']);
    expect(byTable('artists')).toEqual(['artist_id', 'name', 'location', 'latitude', 'longitude']);
    expect(byTable('time')).toEqual(['start_time', 'hour', 'day', 'week', 'month', 'year', 'weekday']);
    expect(byTable('staging_events')[0]).toBe('event_id');
    expect(byTable('staging_events')).toHaveLength(19);
    expect(byTable('staging_songs')).toHaveLength(10);
    const counts = await engine.query(rowCountsSql(ALL_TABLES));
    expect(counts.map((row) => [row.table_name, Number(row.row_count)])).toEqual(ALL_TABLES.map((table) => [table, 0]));
  });

  test('the load gives exactly the hand-worked star schema', async () => {
    await loadStagingAndStar(engine);
    expect(await readStar(engine)).toEqual(EXPECTED_STAR_TABLES);
    const counts = await engine.query(rowCountsSql(['staging_events', 'staging_songs', 'songplays', 'time']));
    expect(counts.map((row) => [row.table_name, Number(row.row_count)])).toEqual([
      ['staging_events', 14],
      ['staging_songs', 6],
      ['songplays', 7],
      ['time', 6],
    ]);
  });

  test('rerunning the transform, or the whole load, gives identical tables', async () => {
    await transformOnly(engine);
    expect(await readStar(engine)).toEqual(EXPECTED_STAR_TABLES);
    await loadStagingAndStar(engine);
    expect(await readStar(engine)).toEqual(EXPECTED_STAR_TABLES);
    const staged = await engine.query(
      'SELECT CAST(MIN(event_id) AS INTEGER) AS lo, CAST(MAX(event_id) AS INTEGER) AS hi FROM staging_events',
    );
    expect(staged).toEqual([{ lo: 1, hi: 14 }]);
  });

  test('milliseconds are kept and EXTRACT(WEEK) is the ISO week on this engine', async () => {
    const rows = await engine.query(`SELECT
      CAST(TIMESTAMP 'epoch' + CAST(1541106106796 AS BIGINT) * INTERVAL '1 millisecond' AS VARCHAR) AS start_time,
      CAST(EXTRACT(WEEK FROM TIMESTAMP '2018-12-31 12:00:00') AS INTEGER) AS iso_week_of_monday_dec_31,
      CAST(EXTRACT(WEEK FROM TIMESTAMP '2021-01-03 12:00:00') AS INTEGER) AS iso_week_of_sunday_jan_3`);
    expect(rows).toEqual([
      { start_time: '2018-11-01 21:01:46.796', iso_week_of_monday_dec_31: 1, iso_week_of_sunday_jan_3: 53 },
    ]);
  });

  test('every data-quality check passes on the fixture', async () => {
    for (const check of DATA_CHECKS) {
      expect({ check: check.name, rows: await engine.query(check.sql) }).toEqual({
        check: check.name,
        rows: [{ failures: 0, detail: null }],
      });
    }
    expect(await engine.query(matchRateSql())).toEqual([{ matched: 5, total: 7, rate: 5 / 7 }]);
  });

  test('every analytics query gives its exact result', async () => {
    expect(ANALYTICS_QUERIES.map((query) => query.name).sort()).toEqual(Object.keys(EXPECTED_ANALYTICS).sort());
    for (const query of ANALYTICS_QUERIES) {
      expect({ query: query.name, rows: await engine.query(query.sql) }).toEqual({
        query: query.name,
        rows: EXPECTED_ANALYTICS[query.name],
      });
    }
  });

  test('the checks catch orphans, missing rows, empty tables and duplicates', async () => {
    const failuresOf = async (name: string) => {
      const check = DATA_CHECKS.find((candidate) => candidate.name === name);
      if (!check) throw new Error(`no check ${name}`);
      return engine.query(check.sql);
    };
    await engine.query("DELETE FROM users WHERE user_id = '15'");
    expect(await failuresOf('relationship-songplays-user_id-users')).toEqual([
      { failures: 2, detail: 'first orphan: 15' },
    ]);
    expect(await failuresOf('complete-users')).toEqual([
      { failures: 1, detail: 'staging has 4 user ids, users has 3' },
    ]);
    await engine.query('DELETE FROM songplays WHERE songplay_id = 7');
    expect(await failuresOf('complete-songplays')).toEqual([
      { failures: 1, detail: 'staging has 7 NextSong events with a user id, songplays has 6' },
    ]);
    await engine.query("DELETE FROM songs WHERE song_id = 'SOCCC1'");
    expect(await failuresOf('relationship-songplays-song_id-songs')).toEqual([
      { failures: 1, detail: 'first orphan: SOCCC1' },
    ]);
    await engine.query('DELETE FROM artists');
    expect(await failuresOf('not-empty-artists')).toEqual([{ failures: 1, detail: 'artists is empty' }]);
    expect(await failuresOf('relationship-songplays-artist_id-artists')).toEqual([
      { failures: 4, detail: 'first orphan: ARA' },
    ]);
    await engine.query('DELETE FROM "time" WHERE hour = 21');
    expect(await failuresOf('relationship-songplays-start_time-time')).toEqual([
      { failures: 5, detail: 'first orphan: 2018-11-01 21:01:46.796' },
    ]);
    // PostgreSQL enforces the keys the checks also test; drop them to let bad rows in.
    await engine.query('ALTER TABLE songs DROP CONSTRAINT songs_pkey');
    await engine.query('ALTER TABLE songs ALTER COLUMN song_id DROP NOT NULL');
    await engine.query("INSERT INTO songs (song_id, title) VALUES ('SOBBB', 'Beta again'), (NULL, 'No id')");
    expect(await failuresOf('unique-songs-song_id')).toEqual([{ failures: 1, detail: 'first duplicate: SOBBB' }]);
    expect(await failuresOf('not-null-songs-song_id')).toEqual([{ failures: 1, detail: '1 rows with NULL song_id' }]);
  });
});
