/**
 * Live progress of a COPY from S3 (docs/redshift.md, "Live progress"): while the COPY runs, a
 * second session reads STV_LOAD_STATE for the COPY's session and the load reports what it says;
 * the load ends with each COPY's rows, files and time. The second session here is a fake pg client
 * answering as a cluster does (bigint columns as text, one row summed over the slices).
 */
import type pg from 'pg';
import { expect, test } from 'vitest';
import { loadFromS3, s3LoadPlan } from '../../src/load/s3.js';
import type { LoadEvent } from '../../src/load/types.js';
import type { DwhConfig } from '../../src/config/types.js';
import { stvLoadStateSql, sysLoadHistoryProgressSql } from '../../src/sql/copy-progress.js';
import { copyProgressText, copySummaryRows } from '../../src/ui/progress.js';
import { pgLoadState } from '../../src/warehouse/pg-load-state.js';
import type { QueryResult } from '../../src/sql/result.js';
import type { BatchOptions, Warehouse } from '../../src/warehouse/types.js';

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

const OWN_PID = 1073915;

/** STV_LOAD_STATE summed over four slices, as node-postgres hands Redshift's bigints over: text. */
const SONGS_SO_FAR = [
  {
    slices: '4',
    files: '14896',
    files_done: '3120',
    rows_loaded: '3120',
    bytes_loaded: '752640',
    bytes_to_load: '3593216',
  },
  {
    slices: '4',
    files: '14896',
    files_done: '9800',
    rows_loaded: '9800',
    bytes_loaded: '2364416',
    bytes_to_load: '3593216',
  },
];
const EVENTS_SO_FAR = [
  { slices: '4', files: '30', files_done: '7', rows_loaded: '1874', bytes_loaded: '1838592', bytes_to_load: '7812096' },
];

/** A second session: answers the progress query for our pid with the next row of `answers`. */
function secondSession(answers: () => Array<Record<string, string>>) {
  const asked: Array<{ sql: string; params: unknown[] }> = [];
  let ended = false;
  const client = {
    query: (sql: string, params: unknown[]) => {
      asked.push({ sql, params });
      return Promise.resolve({ rows: answers() });
    },
    end: () => {
      ended = true;
      return Promise.resolve();
    },
  };
  return { client: client as unknown as pg.Client, asked, ended: () => ended };
}

/** A warehouse whose batch runs each statement only when `gate` lets it (a COPY takes a while). */
function slowWarehouse(gate: (sql: string) => Promise<void>): Warehouse {
  const result = (rows: Array<Record<string, unknown>>, rowCount = rows.length): QueryResult => ({
    rows,
    fields: rows[0] ? Object.keys(rows[0]) : [],
    rowCount,
  });
  return {
    target: 'redshift',
    dialect: 'redshift',
    description: 'Redshift (test)',
    capabilities: {},
    query: () => Promise.reject(new Error('not used')),
    readOnlyQuery: () => Promise.reject(new Error('not used')),
    transaction: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(),
    batch: async (statements: readonly string[], options: BatchOptions = {}) => {
      const results: QueryResult[] = [];
      for (const [index, sql] of statements.entries()) {
        options.progress?.started?.(index);
        await gate(sql);
        const counted = /FROM staging_(\w+)/.exec(sql)?.[1];
        const answer = /COUNT\(\*\) AS row_count/.test(sql)
          ? result([{ table_name: `staging_${counted ?? ''}`, row_count: counted === 'songs' ? '14896' : '8056' }])
          : result([], 0);
        results.push(answer);
        options.progress?.finished?.(index, answer);
      }
      return results;
    },
  };
}

test('while each COPY runs, the load reports files, rows and bytes from STV_LOAD_STATE, then a summary', async () => {
  let answers = SONGS_SO_FAR.slice(0, 1);
  const session = secondSession(() => answers);
  const state = pgLoadState({ ownPid: OWN_PID, connect: () => Promise.resolve(session.client) });
  const events: LoadEvent[] = [];
  let clock = 1_000_000;
  const copyAsked = async (times: number) => {
    const before = session.asked.length;
    while (session.asked.length < before + times) await new Promise((resolve) => setTimeout(resolve, 2));
  };
  const warehouse = slowWarehouse(async (sql) => {
    if (!sql.startsWith('COPY')) return;
    if (sql.startsWith('COPY staging_songs')) {
      await copyAsked(1);
      clock += 40_000;
      answers = SONGS_SO_FAR.slice(1);
      await copyAsked(2);
      clock += 20_000;
    } else {
      answers = EVENTS_SO_FAR;
      await copyAsked(1);
      clock += 5_000;
    }
  });

  const result = await loadFromS3(
    warehouse,
    { loadErrors: () => Promise.resolve(undefined), loadState: () => state.loadState() },
    s3LoadPlan(CONFIG, 'dwh.cfg'),
    { observe: (event) => events.push(event), signal: new AbortController().signal },
    { pollMs: 1, now: () => clock },
  );
  await state.close();

  // The question: our own session's newest COPY, on the second connection.
  expect(session.asked[0]).toEqual({ sql: stvLoadStateSql(), params: [OWN_PID] });
  expect(session.ended()).toBe(true);
  const reported = events.flatMap((event) => (event.kind === 'copy-load-state' ? [event] : []));
  expect(reported[0]).toEqual({
    kind: 'copy-load-state',
    table: 'staging_songs',
    state: { files: 14896, filesDone: 3120, rows: 3120, bytesLoaded: 752640, bytesToLoad: 3593216 },
    elapsedMs: 0,
  });
  expect(reported.some((event) => event.table === 'staging_songs' && event.state.rows === 9800)).toBe(true);
  expect(reported.some((event) => event.table === 'staging_events' && event.state.filesDone === 7)).toBe(true);
  // Nothing is reported for a COPY once it has ended.
  const songsFinished = events.findIndex((event) => event.kind === 'copy-finished' && event.table === 'staging_songs');
  const eventsStarted = events.findIndex((event) => event.kind === 'copy-started' && event.table === 'staging_events');
  expect(events.slice(songsFinished, eventsStarted).filter((event) => event.kind === 'copy-load-state')).toEqual([]);

  expect(result.copies).toEqual([
    { table: 'staging_songs', rows: 14896, files: 14896, ms: 60_000 },
    { table: 'staging_events', rows: 8056, files: 30, ms: 5_000 },
  ]);
  expect(copySummaryRows(result.copies ?? [])).toEqual([
    { table: 'staging_songs', rows: '14,896', files: '14,896', seconds: '60.0' },
    { table: 'staging_events', rows: '8,056', files: '30', seconds: '5.0' },
  ]);
});

test('a failing progress question never fails the load; without loadState the load runs as before', async () => {
  const warehouse = slowWarehouse(() => new Promise((resolve) => setTimeout(resolve, 5)));
  const failing = await loadFromS3(
    warehouse,
    { loadErrors: () => Promise.resolve(undefined), loadState: () => Promise.reject(new Error('connection refused')) },
    s3LoadPlan(CONFIG, 'dwh.cfg'),
    { observe: () => undefined, signal: new AbortController().signal },
    { pollMs: 1 },
  );
  expect(failing.songs).toBe(14896);
  expect(failing.copies?.map((copy) => copy.files)).toEqual([undefined, undefined]);
  const without = await loadFromS3(
    warehouse,
    { loadErrors: () => Promise.resolve(undefined) },
    s3LoadPlan(CONFIG, 'dwh.cfg'),
    { observe: () => undefined, signal: new AbortController().signal },
    { pollMs: 1 },
  );
  expect(without.events).toBe(8056);
});

test('the spinner text says files, rows, bytes and elapsed time; before any report, the time alone', () => {
  expect(copyProgressText('staging_songs', 's3://udacity-dend/song_data', 72_000)).toBe(
    'staging_songs: COPY from s3://udacity-dend/song_data · 1 min 12 s',
  );
  expect(
    copyProgressText('staging_songs', 's3://udacity-dend/song_data', 72_000, {
      files: 14896,
      filesDone: 9800,
      rows: 9800,
      bytesLoaded: 2364416,
      bytesToLoad: 3593216,
    }),
  ).toBe(
    'staging_songs: COPY from s3://udacity-dend/song_data · 9,800 of 14,896 files · 9,800 rows · 2.3 MiB of 3.4 MiB · 1 min 12 s',
  );
});

test('the progress SQL reads only our own session; Serverless reads the running COPY in SYS_LOAD_HISTORY', () => {
  expect(stvLoadStateSql()).toMatch(/FROM stv_load_state\s+WHERE session = \$1/);
  expect(sysLoadHistoryProgressSql()).toMatch(
    /FROM sys_load_history\s+WHERE session_id = \$1\s+AND status = 'running'/,
  );
});
