/**
 * The whole local pipeline — files → staging → star schema — through the real steps, on real
 * PGlite and on a real PostgreSQL server, against a small hand-written fixture whose right
 * answers were worked out by hand (see the comments next to each expected row).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { runLoad } from '../../src/steps/load.js';
import { runTablesCreate } from '../../src/steps/tables.js';
import { runCheck } from '../../src/steps/check.js';
import { runAnalytics } from '../../src/steps/analytics.js';
import { openEmbedded } from '../../src/warehouse/embedded.js';
import { makeTestContext } from '../support/context.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const SONG_FILES: Record<string, object> = {
  'song_data/A/A/A/TRAAAAA128F93F1A1A.json': {
    num_songs: 1,
    artist_id: 'AR1',
    artist_latitude: 35.5,
    artist_longitude: -97.1,
    artist_location: 'Oklahoma',
    artist_name: 'Alpha',
    song_id: 'SO1',
    title: 'First Song',
    duration: 200.5,
    year: 2001,
  },
  'song_data/A/A/B/TRAABBB128F93F1A1B.json': {
    num_songs: 1,
    artist_id: 'AR1',
    artist_latitude: null,
    artist_longitude: null,
    artist_location: '',
    artist_name: 'Alpha',
    song_id: 'SO2',
    title: 'Second Song',
    duration: 180.25,
    year: 0,
  },
  // A hidden folder is read, as an S3 prefix COPY would read it.
  'song_data/.hidden/TRHIDDEN128F93F1A1.json': {
    num_songs: 1,
    artist_id: 'AR2',
    artist_latitude: null,
    artist_longitude: null,
    artist_location: '',
    artist_name: 'Beta',
    song_id: 'SO3',
    title: 'Hidden Track',
    duration: 99,
    year: 1999,
  },
};

function event(fields: Record<string, unknown>): string {
  const base = {
    artist: null,
    auth: 'Logged In',
    firstName: null,
    gender: null,
    itemInSession: 0,
    lastName: null,
    length: null,
    level: 'free',
    location: null,
    method: 'PUT',
    page: 'NextSong',
    registration: 1540344794796.0,
    sessionId: 1,
    song: null,
    status: 200,
    ts: 0,
    userAgent: null,
    userId: '',
  };
  return JSON.stringify({ ...base, ...fields });
}

const ann = {
  firstName: 'Ann',
  lastName: 'Lee',
  gender: 'F',
  location: 'Austin, TX',
  userAgent: 'UA-ann',
  userId: '10',
};
const bob = {
  firstName: 'Bob',
  lastName: 'Ray',
  gender: 'M',
  location: 'Boise, ID',
  userAgent: 'UA-bob',
  userId: '20',
};
const cy = { firstName: 'Cy', lastName: 'Dee', gender: 'F', location: 'Camden, NJ', userAgent: 'UA-cy', userId: '30' };

const LOG_LINES = [
  // 1: Ann plays a catalog song exactly (title, artist, duration) → songplay 1, SO1/AR1.
  event({
    ...ann,
    artist: 'Alpha',
    song: 'First Song',
    length: 200.5,
    ts: 1541106106796,
    sessionId: 5,
    itemInSession: 0,
  }),
  // 2: Ann on Home: a user event, not a songplay.
  event({ ...ann, page: 'Home', method: 'GET', ts: 1541106107000, sessionId: 5, itemInSession: 1 }),
  // 3: Ann, now paid, plays a song not in the catalog → songplay 2 with NULL song/artist.
  event({
    ...ann,
    level: 'paid',
    artist: 'Nobody',
    song: 'Unknown',
    length: 123.4,
    ts: 1541109600000,
    sessionId: 5,
    itemInSession: 2,
  }),
  // 4: a logged-out visitor (userId "") → no songplay, no user.
  event({
    auth: 'Logged Out',
    artist: 'Alpha',
    song: 'Second Song',
    length: 180.25,
    ts: 1541110000000,
    sessionId: 6,
    itemInSession: 0,
  }),
  // 5 and 6: Bob plays two catalog songs in the same millisecond → songplays 3 and 4 (by itemInSession), one time row.
  event({
    ...bob,
    level: 'paid',
    artist: 'Alpha',
    song: 'Second Song',
    length: 180.25,
    ts: 1541203200123,
    sessionId: 9,
    itemInSession: 0,
  }),
  event({
    ...bob,
    level: 'paid',
    artist: 'Beta',
    song: 'Hidden Track',
    length: 99,
    ts: 1541203200123,
    sessionId: 9,
    itemInSession: 1,
  }),
  // 7: Bob logs out: his latest event, still paid.
  event({ ...bob, level: 'paid', page: 'Logout', ts: 1541203300000, sessionId: 9, itemInSession: 2 }),
  // 8: Cy only visits Settings… then 9: plays "First Song" by Alpha with a length off by 0.00001 → no match.
  event({ ...cy, page: 'Settings', method: 'GET', ts: 1541300000000, sessionId: 11, itemInSession: 0 }),
  event({
    ...cy,
    artist: 'Alpha',
    song: 'First Song',
    length: 200.50001,
    ts: 1541300100000,
    sessionId: 11,
    itemInSession: 1,
  }),
];

async function writeFixture(dir: string, extraLogLines: string[] = []): Promise<void> {
  for (const [path, song] of Object.entries(SONG_FILES)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), JSON.stringify(song)); // real song files have no trailing newline
  }
  const logPath = join(dir, 'log_data/2018/11/2018-11-01-events.json');
  await mkdir(dirname(logPath), { recursive: true });
  await writeFile(logPath, [...LOG_LINES, ...extraLogLines].join('\n') + '\n');
}

const CONFIG = (warehouse: string) =>
  `[WAREHOUSE]\n${warehouse}\n\n[LOCAL]\nSONG_DATA = song_data\nLOG_DATA = log_data\n`;

const EXPECTED = {
  songplays: [
    {
      songplay_id: 1,
      start_time: '2018-11-01 21:01:46.796',
      user_id: '10',
      level: 'free',
      song_id: 'SO1',
      artist_id: 'AR1',
      session_id: 5,
      location: 'Austin, TX',
      user_agent: 'UA-ann',
    },
    {
      songplay_id: 2,
      start_time: '2018-11-01 22:00:00',
      user_id: '10',
      level: 'paid',
      song_id: null,
      artist_id: null,
      session_id: 5,
      location: 'Austin, TX',
      user_agent: 'UA-ann',
    },
    {
      songplay_id: 3,
      start_time: '2018-11-03 00:00:00.123',
      user_id: '20',
      level: 'paid',
      song_id: 'SO2',
      artist_id: 'AR1',
      session_id: 9,
      location: 'Boise, ID',
      user_agent: 'UA-bob',
    },
    {
      songplay_id: 4,
      start_time: '2018-11-03 00:00:00.123',
      user_id: '20',
      level: 'paid',
      song_id: 'SO3',
      artist_id: 'AR2',
      session_id: 9,
      location: 'Boise, ID',
      user_agent: 'UA-bob',
    },
    {
      songplay_id: 5,
      start_time: '2018-11-04 02:55:00',
      user_id: '30',
      level: 'free',
      song_id: null,
      artist_id: null,
      session_id: 11,
      location: 'Camden, NJ',
      user_agent: 'UA-cy',
    },
  ],
  users: [
    // Latest event of each user wins: Ann upgraded to paid; Cy's Settings visit makes her a user.
    { user_id: '10', first_name: 'Ann', last_name: 'Lee', gender: 'F', level: 'paid' },
    { user_id: '20', first_name: 'Bob', last_name: 'Ray', gender: 'M', level: 'paid' },
    { user_id: '30', first_name: 'Cy', last_name: 'Dee', gender: 'F', level: 'free' },
  ],
  songs: [
    { song_id: 'SO1', title: 'First Song', artist_id: 'AR1', year: 2001, duration: 200.5 },
    { song_id: 'SO2', title: 'Second Song', artist_id: 'AR1', year: null, duration: 180.25 }, // year 0 = unknown
    { song_id: 'SO3', title: 'Hidden Track', artist_id: 'AR2', year: 1999, duration: 99 },
  ],
  artists: [
    // AR1 from its lowest song_id (SO1); "" location becomes NULL.
    { artist_id: 'AR1', name: 'Alpha', location: 'Oklahoma', latitude: 35.5, longitude: -97.1 },
    { artist_id: 'AR2', name: 'Beta', location: null, latitude: null, longitude: null },
  ],
  time: [
    // 2018-11-01 was a Thursday (4), 11-03 a Saturday (6), 11-04 a Sunday (0); all ISO week 44.
    { start_time: '2018-11-01 21:01:46.796', hour: 21, day: 1, week: 44, month: 11, year: 2018, weekday: 4 },
    { start_time: '2018-11-01 22:00:00', hour: 22, day: 1, week: 44, month: 11, year: 2018, weekday: 4 },
    { start_time: '2018-11-03 00:00:00.123', hour: 0, day: 3, week: 44, month: 11, year: 2018, weekday: 6 },
    { start_time: '2018-11-04 02:55:00', hour: 2, day: 4, week: 44, month: 11, year: 2018, weekday: 0 },
  ],
};

const ORDER: Record<string, string> = {
  songplays: 'songplay_id',
  users: 'user_id',
  songs: 'song_id',
  artists: 'artist_id',
  time: 'start_time',
};

type Made = Awaited<ReturnType<typeof makeTestContext>>;

async function starTables(made: Made): Promise<Record<string, unknown[]>> {
  const warehouse = await made.ctx.warehouse();
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(ORDER)) {
    out[table] = (await warehouse.query(`SELECT * FROM "${table}" ORDER BY ${order}`)).rows;
  }
  return out;
}

const engines: Array<{ name: string; make: () => Promise<{ made: Made; db?: TestDatabase }> }> = [
  {
    name: 'embedded PGlite',
    make: async () => ({
      made: await makeTestContext({ config: CONFIG('TARGET = embedded'), warehouse: await openEmbedded(undefined) }),
    }),
  },
  {
    name: 'PostgreSQL',
    make: async () => {
      const db = await createTestDatabase();
      return { made: await makeTestContext({ config: CONFIG(`TARGET = postgres\nPOSTGRES_URL = ${db.url}`) }), db };
    },
  },
];

describe.each(engines)('the local pipeline on $name', ({ make }) => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const fn of cleanup.reverse()) await fn();
    cleanup = [];
  });

  async function setup(extraLogLines: string[] = []): Promise<Made> {
    const { made, db } = await make();
    cleanup.push(made.cleanup);
    if (db) cleanup.push(() => db.drop());
    await writeFixture(made.dir, extraLogLines);
    return made;
  }

  test('tables create → load gives exactly the hand-worked star schema, and a rerun the same', async () => {
    const made = await setup();
    expect((await runTablesCreate(made.ctx)).ok).toBe(true);
    const first = await runLoad(made.ctx);
    expect(first).toMatchObject({ ok: true });
    expect(await starTables(made)).toEqual(EXPECTED);
    const staged = await (
      await made.ctx.warehouse()
    ).query<{ n: number }>('SELECT count(*)::int AS n FROM staging_events');
    expect(staged.rows[0]!.n).toBe(LOG_LINES.length); // one staging row per source record, nothing dropped

    // Rerunning the load gives the same tables, never duplicates.
    expect((await runLoad(made.ctx)).ok).toBe(true);
    expect(await starTables(made)).toEqual(EXPECTED);
    expect(made.ui.text()).toMatch(/songplays: 5 rows/);
    // The load drops the primary keys while it fills the tables and adds them back.
    const keys = await (
      await made.ctx.warehouse()
    ).query<{ table_name: string; column_name: string }>(
      `SELECT CAST(usage.table_name AS VARCHAR) AS table_name, CAST(usage.column_name AS VARCHAR) AS column_name
       FROM information_schema.table_constraints AS tc
       JOIN information_schema.key_column_usage AS usage ON usage.constraint_name = tc.constraint_name
       WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema()
         AND tc.table_name IN ('songs', 'artists', 'users', 'songplays', 'time')
       ORDER BY 1`,
    );
    expect(keys.rows).toEqual([
      { table_name: 'artists', column_name: 'artist_id' },
      { table_name: 'songplays', column_name: 'songplay_id' },
      { table_name: 'songs', column_name: 'song_id' },
      { table_name: 'time', column_name: 'start_time' },
      { table_name: 'users', column_name: 'user_id' },
    ]);
  });

  test('check passes and analytics show tables on the loaded fixture', async () => {
    const made = await setup();
    await runTablesCreate(made.ctx);
    await runLoad(made.ctx);
    expect((await runCheck(made.ctx)).ok).toBe(true);
    expect(made.ui.text()).toMatch(/Catalog match rate: 3 of 5 songplays \(60\.0 %\)/);
    expect((await runAnalytics(made.ctx, { query: 'top-songs' })).ok).toBe(true);
    // Results are the user's data, written through Ui.data (never redacted).
    expect(made.ui.of('data').join('\n')).toMatch(/First Song|Second Song|Hidden Track|Unknown/);
  });

  test('a malformed line is named with file and line, every good record loads, and the load fails', async () => {
    const made = await setup(['{"artist":"Alpha","auth":"Logged In"', '[1,2,3]']);
    await runTablesCreate(made.ctx);
    const result = await runLoad(made.ctx);
    expect(result.ok).toBe(false);
    const text = made.ui.text();
    expect(text).toMatch(/2 rejected records/);
    // Named as the user knows it: under the folder in dwh.cfg, relative to where they are.
    expect(text).toMatch(/\(first: log_data\/2018\/11\/2018-11-01-events\.json line 10: /);
    expect(text).toMatch(/log_data\/2018\/11\/2018-11-01-events\.json \| 11 \| not a JSON object/);
    expect(await starTables(made)).toEqual(EXPECTED);
  });
});
