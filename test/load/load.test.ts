/**
 * The loaders without the step: which one runs is chosen by the warehouse's capabilities, what
 * they report while they run (the events the step turns into spinners), and that an interrupt
 * leaves the tables as they were.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InterruptedError, UserError } from '../../src/errors.js';
import { loadWarehouse, type LoadSources } from '../../src/load/load.js';
import { s3LoadPlan } from '../../src/load/s3.js';
import type { LoadEvent } from '../../src/load/types.js';
import type { DwhConfig } from '../../src/config/types.js';
import { loadErrorsSql } from '../../src/sql/copy.js';
import { latestLoad } from '../../src/load/history.js';
import { recordS3LoadSql } from '../../src/sql/load-history.js';
import { createTablesSql } from '../../src/sql/ddl.js';
import { openEmbedded } from '../../src/warehouse/embedded.js';
import { openPostgres } from '../../src/warehouse/postgres.js';
import type { SourceFolders } from '../../src/load/local.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { recordingRedshift } from '../support/redshift-double.js';
import { folderWith } from '../source/fixtures.js';

const CONFIG: DwhConfig = {
  aws: { region: 'us-west-2' },
  dwh: { access: 'public', baseRpu: 8 },
  cluster: {},
  iamRole: { arn: 'arn:aws:iam::123456789012:role/dwhRole' },
  s3: {
    logData: 's3://udacity-dend/log_data',
    logJsonPath: 's3://udacity-dend/log_json_path.json',
    songData: 's3://udacity-dend/song_data',
    region: 'us-west-2',
  },
  warehouse: { target: 'redshift', embeddedDir: '.sparkify/warehouse' },
  local: { songData: 'song_data', logData: 'log_data' },
};

function s3Only(): LoadSources {
  return {
    s3: () => s3LoadPlan(CONFIG, 'dwh.cfg'),
    folders: () => {
      throw new Error('an S3 load reads no local folders');
    },
  };
}

/** An event as `kind table [rows]`, to compare sequences at a glance. */
function describeEvent(event: LoadEvent): string {
  return [event.kind, event.table, 'rows' in event ? String(event.rows) : undefined].filter(Boolean).join(' ');
}

describe('choosing the loader', () => {
  test('a warehouse that can neither stream rows in nor read S3 is refused with a clear message', async () => {
    const { warehouse } = recordingRedshift();
    const bare: Warehouse = { ...warehouse, capabilities: {} };
    await expect(
      loadWarehouse(bare, s3Only(), { observe: () => undefined, signal: new AbortController().signal }),
    ).rejects.toThrow(
      new UserError(`${warehouse.description} can load neither from S3 nor from files on this machine`),
    );
  });
});

describe('the S3 loader', () => {
  test('reports each COPY and transform as it starts and ends, with the rows counted', async () => {
    const fake = recordingRedshift();
    const events: string[] = [];
    const result = await loadWarehouse(fake.warehouse, s3Only(), {
      observe: (event) => events.push(describeEvent(event)),
      signal: new AbortController().signal,
    });
    expect(events).toEqual([
      'copy-started staging_songs',
      'copy-finished staging_songs 42',
      'copy-started staging_events',
      'copy-finished staging_events 42',
      ...['songs', 'artists', 'users', 'songplays', 'time'].flatMap((table) => [
        `transform-started ${table}`,
        `transform-finished ${table} 7`,
      ]),
    ]);
    expect(result).toMatchObject({ songs: 42, events: 42, songplays: 7, rejected: [], rejectedTotal: 0 });
    expect(fake.outcome).toEqual({ committed: 1, rolledBack: 0 });
  });

  test('the batch ends by recording its S3 prefixes in the load history, in the same transaction', async () => {
    const fake = recordingRedshift();
    await loadWarehouse(fake.warehouse, s3Only(), { observe: () => undefined, signal: new AbortController().signal });
    expect(fake.statements.slice(-2)).toEqual([
      expect.stringMatching(/^CREATE TABLE IF NOT EXISTS sparkify_load_history \(/),
      recordS3LoadSql('redshift', { songData: 's3://udacity-dend/song_data', logData: 's3://udacity-dend/log_data' }),
    ]);
    expect(fake.outcome).toEqual({ committed: 1, rolledBack: 0 });
  });

  test('Ctrl-C stops before the next statement, rolls back, and does not read the load-error log', async () => {
    const fake = recordingRedshift();
    const controller = new AbortController();
    const events: string[] = [];
    const loading = loadWarehouse(fake.warehouse, s3Only(), {
      observe: (event) => {
        events.push(describeEvent(event));
        if (event.kind === 'copy-finished') controller.abort();
      },
      signal: controller.signal,
    });
    await expect(loading).rejects.toBeInstanceOf(InterruptedError);
    expect(events).toEqual(['copy-started staging_songs', 'copy-finished staging_songs 42']);
    expect(fake.outcome).toEqual({ committed: 0, rolledBack: 1 });
    expect(fake.statements.some((sql) => sql.startsWith('COPY staging_events'))).toBe(false);
    expect(fake.statements).not.toContain(loadErrorsSql());
  });

  test("a rejected COPY fails its spinner, then shows the warehouse's load errors for that table", async () => {
    const fake = recordingRedshift('staging_events');
    const events: LoadEvent[] = [];
    await expect(
      loadWarehouse(fake.warehouse, s3Only(), {
        observe: (event) => events.push(event),
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow(/stl_load_errors/);
    expect(events.slice(-2).map(describeEvent)).toEqual(['copy-failed staging_events', 'load-errors staging_events']);
    const explained = events.at(-1);
    expect(explained?.kind === 'load-errors' && explained.errors.source).toBe('stl_load_errors');
  });
});

/** One song and one play of it (plus a line that is not JSON), in folders of their own. */
async function exampleFolders(): Promise<SourceFolders> {
  const song = {
    num_songs: 1,
    artist_id: 'AR1',
    artist_latitude: null,
    artist_longitude: null,
    artist_location: '',
    artist_name: 'Alpha',
    song_id: 'SO1',
    title: 'First Song',
    duration: 200.5,
    year: 2001,
  };
  const play = {
    artist: 'Alpha',
    auth: 'Logged In',
    firstName: 'Ann',
    gender: 'F',
    itemInSession: 0,
    lastName: 'Lee',
    length: 200.5,
    level: 'free',
    location: 'Here',
    method: 'PUT',
    page: 'NextSong',
    registration: 1540344794796.0,
    sessionId: 1,
    song: 'First Song',
    status: 200,
    ts: 1541106106796,
    userAgent: 'agent',
    userId: '7',
  };
  const songs = await folderWith({ 'A/song.json': JSON.stringify(song) });
  const logs = await folderWith({ '2018-11-01-events.json': `${JSON.stringify(play)}\nnot json\n` });
  return {
    kind: 'local',
    songs: { dir: songs, displayDir: './songs', label: '[LOCAL] SONG_DATA' },
    events: { dir: logs, displayDir: './logs', label: '[LOCAL] LOG_DATA' },
  };
}

/**
 * `warehouse`, with the Ctrl-C fired while the first statement matching `pattern` runs: the
 * statement completes after it, as when a cancel request misses its statement.
 */
function abortingDuring(warehouse: Warehouse, pattern: RegExp, controller: AbortController): Warehouse {
  const wrapped: Warehouse = Object.create(warehouse) as Warehouse;
  wrapped.transaction = (work, options) =>
    warehouse.transaction(
      (tx) =>
        work(
          // A Proxy keeps the real Transaction (copyIn checks it is its own) and wraps its query.
          new Proxy(tx, {
            get(target, property, receiver) {
              if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
              return async (sql: string, params?: readonly unknown[]) => {
                const running = target.query(sql, params);
                if (pattern.test(sql)) controller.abort();
                return running;
              };
            },
          }),
        ),
      options,
    );
  return wrapped;
}

/** The last statements of a local load, where a Ctrl-C used to be heard too late to stop the COMMIT. */
const LAST_STATEMENTS: Array<[string, RegExp]> = [
  ['the last transform', /^INSERT INTO "time"/],
  ['its last statement (the load history record)', /^INSERT INTO sparkify_load_history/],
];

/** A local load interrupted while `pattern`'s statement runs rejects with InterruptedError and commits nothing. */
async function expectNothingCommitted(warehouse: Warehouse, sources: LoadSources, pattern: RegExp): Promise<void> {
  const count = async (table: string) =>
    (await warehouse.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
  // Emptied first, so a load that commits shows.
  await warehouse.query('DELETE FROM songplays');
  const before = { songplays: 0, history: await count('sparkify_load_history') };
  const controller = new AbortController();
  const loading = loadWarehouse(abortingDuring(warehouse, pattern, controller), sources, {
    observe: () => undefined,
    signal: controller.signal,
  });
  await expect(loading).rejects.toBeInstanceOf(InterruptedError);
  expect(controller.signal.aborted).toBe(true);
  expect({ songplays: await count('songplays'), history: await count('sparkify_load_history') }).toEqual(before);
}

describe('the local stream loader (in-memory PGlite)', () => {
  let warehouse: Warehouse;
  let folders: ReturnType<LoadSources['folders']>;

  beforeAll(async () => {
    warehouse = await openEmbedded(undefined);
    for (const sql of createTablesSql('postgres')) await warehouse.query(sql);
    folders = await exampleFolders();
  });

  afterAll(async () => {
    await warehouse.close();
  });

  const local = (): LoadSources => ({
    folders: () => folders,
    s3: () => {
      throw new Error('a local load needs no S3 plan');
    },
  });

  test('streams both staging tables, then rebuilds the star schema, counting the rejected line', async () => {
    const events: string[] = [];
    const result = await loadWarehouse(warehouse, local(), {
      observe: (event) => events.push(describeEvent(event)),
      signal: new AbortController().signal,
    });
    expect(events).toEqual([
      'copy-started staging_songs',
      'copy-progress staging_songs 1',
      'copy-finished staging_songs 1',
      'copy-started staging_events',
      'copy-progress staging_events 1',
      'copy-finished staging_events 1',
      ...['songs', 'artists', 'users', 'songplays', 'time'].flatMap((table) => [
        `transform-started ${table}`,
        `transform-finished ${table} 1`,
      ]),
    ]);
    expect(result).toMatchObject({ songs: 1, events: 1, songplays: 1, rejectedTotal: 1 });
    expect(result.rejected[0]).toMatchObject({ file: 'logs/2018-11-01-events.json', line: 2 });
    // Where the data came from, recorded by the load itself (issue 9).
    const record = await latestLoad(warehouse);
    expect(record).toMatchObject({
      kind: 'local',
      songData: folders.songs.dir,
      logData: folders.events.dir,
      songs: 1,
      events: 1,
      songplays: 1,
    });
    expect(record?.loadedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  });

  test('Ctrl-C before the transforms rolls the whole load back', async () => {
    const before = await warehouse.query<{ n: number }>('SELECT count(*) AS n FROM staging_events');
    const controller = new AbortController();
    const loading = loadWarehouse(warehouse, local(), {
      observe: (event) => {
        if (event.kind === 'copy-finished' && event.table === 'staging_events') controller.abort();
      },
      signal: controller.signal,
    });
    await expect(loading).rejects.toBeInstanceOf(InterruptedError);
    const after = await warehouse.query<{ n: number }>('SELECT count(*) AS n FROM staging_events');
    expect(after.rows).toEqual(before.rows);
    expect((await warehouse.query<{ n: number }>('SELECT count(*) AS n FROM songplays')).rows).toEqual([{ n: 1 }]);
    // Nor did it record a load: the history still ends with the one that committed.
    const history = await warehouse.query<{ n: number }>('SELECT count(*)::int AS n FROM sparkify_load_history');
    expect(history.rows).toEqual([{ n: 1 }]);
  });

  test.each(LAST_STATEMENTS)('Ctrl-C while %s runs: the statement completes, yet nothing commits', (_moment, pattern) =>
    expectNothingCommitted(warehouse, local(), pattern),
  );

  test('Ctrl-C heard from a timer or a signal (a later turn of the event loop) stops an in-process load', async () => {
    // An in-process database answers without real I/O, so nothing else would get a turn: a SIGINT
    // handler would run only when the load is over (events read synchronously, PGlite in this thread).
    const line = (index: number): string =>
      JSON.stringify({ page: 'NextSong', ts: 1541106106796 + index, userId: String(index % 50), song: `S${index}` });
    const logs = await folderWith({
      'a.json': `${Array.from({ length: 20_000 }, (_, index) => line(index)).join('\n')}\n`,
    });
    const controller = new AbortController();
    const before = await warehouse.query<{ n: number }>('SELECT count(*)::int AS n FROM staging_events');
    const loading = loadWarehouse(
      warehouse,
      { ...local(), folders: () => ({ ...folders, events: { ...folders.events, dir: logs } }) },
      { observe: () => undefined, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 0);
    await expect(loading).rejects.toBeInstanceOf(InterruptedError);
    expect((await warehouse.query<{ n: number }>('SELECT count(*)::int AS n FROM staging_events')).rows).toEqual(
      before.rows,
    );
  });

  test('a load into tables made before the load history existed makes it and records itself', async () => {
    await warehouse.query('DROP TABLE sparkify_load_history');
    expect(await latestLoad(warehouse)).toBeUndefined();
    await loadWarehouse(warehouse, local(), { observe: () => undefined, signal: new AbortController().signal });
    expect(await latestLoad(warehouse)).toMatchObject({ kind: 'local', songs: 1, events: 1, songplays: 1 });
  });
});

describe('the local stream loader on PostgreSQL', () => {
  let database: TestDatabase;
  let warehouse: Warehouse;
  let sources: LoadSources;

  beforeAll(async () => {
    database = await createTestDatabase();
    warehouse = await openPostgres(database.url);
    for (const sql of createTablesSql('postgres')) await warehouse.query(sql);
    const folders = await exampleFolders();
    sources = {
      folders: () => folders,
      s3: () => {
        throw new Error('a local load needs no S3 plan');
      },
    };
    await loadWarehouse(warehouse, sources, { observe: () => undefined, signal: new AbortController().signal });
  });

  afterAll(async () => {
    await warehouse.close();
    await database.drop();
  });

  test.each(LAST_STATEMENTS)('Ctrl-C while %s runs: the statement completes, yet nothing commits', (_moment, pattern) =>
    expectNothingCommitted(warehouse, sources, pattern),
  );
});
