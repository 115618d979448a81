/**
 * The bad-input corpus (issue 5, issue 2 "Bad input"): the built program, fed one bad thing at a
 * time. Every case: the exit status given, ONE line naming the culprit (plus an optional → hint),
 * no stack trace, no "unexpected error", dwh.cfg bytes unchanged, and nothing half-written.
 *
 * Config and command-line cases run on the embedded target and fail before any warehouse opens.
 * Data-file cases run on one PostgreSQL database (faster to open than PGlite) whose tables hold a
 * known load: a case rejected before starting must leave them exactly so; a case with bad records
 * must still load every good one, and count and list the bad ones with file and line.
 */
import { freePort } from '../support/postgres-server.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import {
  cli,
  cliEnv,
  ensureBuilt,
  failureMessage,
  runCli,
  sqlJson,
  startCli,
  starSnapshot,
  tempDir,
  writeConfig,
  type CliResult,
} from './run.js';

let base: string;
let db: TestDatabase;
let caseNumber = 0;

beforeAll(async () => {
  ensureBuilt();
  base = await tempDir('bad-input');
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
  await rm(base, { recursive: true, force: true });
});

/** The checks every bad-input case shares. */
function expectOneClearLine(result: CliResult, status: number, message: RegExp): void {
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.code, output).toBe(status);
  expect(output).not.toMatch(/\n\s+at /);
  expect(output).not.toMatch(/unexpected error/i);
  const lines = failureMessage(result.stderr);
  expect(lines.length, result.stderr).toBeGreaterThanOrEqual(1);
  expect(lines[0]).toMatch(message);
  if (lines.length > 1) expect(lines[1]).toMatch(/^ {2}→ \S/);
}

// ---------------------------------------------------------------------------------------------
// dwh.cfg and the command line

const EMBEDDED = '[WAREHOUSE]\nTARGET = embedded\n';
const GOOD_PASSWORD = 'Passw0rdOk';

/** A complete [DWH] section with one key replaced; for `cluster create --yes`. */
function dwh(overrides: Record<string, string>): string {
  const keys: Record<string, string> = {
    DWH_CLUSTER_TYPE: 'single-node',
    DWH_NUM_NODES: '1',
    DWH_NODE_TYPE: 'ra3.large',
    DWH_IAM_ROLE_NAME: 'dwhRole',
    DWH_CLUSTER_IDENTIFIER: 'dwhcluster',
    DWH_DB: 'dwh',
    DWH_DB_USER: 'dwhuser',
    DWH_DB_PASSWORD: GOOD_PASSWORD,
    DWH_PORT: '5439',
    ...overrides,
  };
  return `[AWS]\nREGION = us-west-2\n\n[DWH]\n${Object.entries(keys)
    .map(([key, value]) => `${key} = ${value}`)
    .join('\n')}\n`;
}

/** A redshift configuration with one section's keys replaced; for `--target redshift load`. */
function redshift(overrides: { s3?: Record<string, string>; arn?: string; region?: string }): string {
  const s3 = {
    LOG_DATA: 's3://udacity-dend/log_data',
    LOG_JSONPATH: 's3://udacity-dend/log_json_path.json',
    SONG_DATA: 's3://udacity-dend/song_data',
    ...overrides.s3,
  };
  return [
    `[AWS]\nREGION = ${overrides.region ?? 'us-west-2'}\n`,
    `[CLUSTER]\nHOST = 127.0.0.1\nDB_NAME = dwh\nDB_USER = dwhuser\nDB_PASSWORD = ${GOOD_PASSWORD}\nDB_PORT = 5439\n`,
    `[IAM_ROLE]\nARN = ${overrides.arn ?? 'arn:aws:iam::123456789012:role/dwhRole'}\n`,
    `[S3]\n${Object.entries(s3)
      .map(([key, value]) => `${key} = ${value}`)
      .join('\n')}\n`,
    '[WAREHOUSE]\nTARGET = redshift\n',
  ].join('\n');
}

interface ConfigCase {
  name: string;
  /** dwh.cfg's bytes; omitted: no dwh.cfg. */
  cfg?: string | Buffer;
  args: string[];
  status: 0 | 1 | 2;
  message: RegExp;
  /** Make more of the folder before running. */
  prepare?: (dir: string) => Promise<void>;
}

const configCases: ConfigCase[] = [
  {
    name: 'config file missing (-c nope.cfg)',
    args: ['-c', 'nope.cfg', 'load'],
    status: 1,
    message: /nope\.cfg does not exist/,
  },
  {
    name: 'config is a folder',
    args: ['-c', 'folder.cfg', 'load'],
    status: 1,
    message: /folder\.cfg: is a folder, not a file/,
    prepare: (dir) => mkdir(join(dir, 'folder.cfg')),
  },
  {
    name: 'duplicate sections',
    cfg: '[WAREHOUSE]\nTARGET = embedded\n\n[warehouse]\nEMBEDDED_DIR = x\n',
    args: ['load'],
    status: 1,
    message: /dwh\.cfg.*(line 4|\[warehouse\]).*(duplicate|twice|again|already)/i,
  },
  {
    name: 'line without =',
    cfg: '[WAREHOUSE]\nTARGET embedded\n',
    args: ['load'],
    status: 1,
    message: /dwh\.cfg.*line 2/,
  },
  {
    name: 'key before any section',
    cfg: 'TARGET = embedded\n[WAREHOUSE]\n',
    args: ['load'],
    status: 1,
    message: /dwh\.cfg.*line 1.*section/i,
  },
  {
    name: 'invalid UTF-8 bytes',
    cfg: Buffer.concat([Buffer.from('[WAREHOUSE]\nTARGET = emb'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\n')]),
    args: ['load'],
    status: 1,
    message: /dwh\.cfg.*UTF-8/,
  },
  {
    name: 'unknown target in the file',
    cfg: '[WAREHOUSE]\nTARGET = oracle\n',
    args: ['load'],
    status: 1,
    message: /dwh\.cfg \[WAREHOUSE\] TARGET: "oracle" is not a target/,
  },
  {
    name: 'unknown target on the command line',
    cfg: EMBEDDED,
    args: ['--target', 'oracle', 'load'],
    status: 2,
    message: /'oracle' is invalid.*embedded, postgres, redshift, redshift-serverless/,
  },
  {
    name: 'port "abc"',
    cfg: `${EMBEDDED}\n[CLUSTER]\nDB_PORT = abc\n`,
    args: ['load'],
    status: 1,
    message: /dwh\.cfg \[CLUSTER\] DB_PORT: "abc" is not a port number/,
  },
  {
    name: 'DWH_PORT out of range',
    cfg: dwh({ DWH_PORT: '80' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /\[DWH\] DWH_PORT: "80" is not a port number \(1150–65535\)/,
  },
  {
    name: 'node count 0',
    cfg: dwh({ DWH_CLUSTER_TYPE: 'multi-node', DWH_NUM_NODES: '0' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /\[DWH\] DWH_NUM_NODES: "0" is not a node count/,
  },
  {
    name: 'node count 200',
    cfg: dwh({ DWH_CLUSTER_TYPE: 'multi-node', DWH_NUM_NODES: '200' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /\[DWH\] DWH_NUM_NODES: "200" is not a node count/,
  },
  {
    name: 'single-node with 3 nodes',
    cfg: dwh({ DWH_NUM_NODES: '3' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /\[DWH\] DWH_NUM_NODES: a single-node cluster has exactly 1 node, not 3/,
  },
  {
    name: 'unknown node type',
    cfg: dwh({ DWH_NODE_TYPE: 'dc1.huge' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /\[DWH\] DWH_NODE_TYPE: "dc1\.huge" is not a Redshift node type/,
  },
  // Upper case is lowered (Redshift does the same), so the message shows the lowered identifier.
  {
    name: 'identifier: upper case is lowered, bad chars still named',
    cfg: dwh({ DWH_CLUSTER_IDENTIFIER: 'Dwh_Cluster' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /DWH_CLUSTER_IDENTIFIER: "dwh_cluster".*only lowercase letters, digits and hyphens/,
  },
  {
    name: 'identifier starts with a digit',
    cfg: dwh({ DWH_CLUSTER_IDENTIFIER: '1cluster' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /DWH_CLUSTER_IDENTIFIER: .*must start with a letter/,
  },
  {
    name: 'identifier with --',
    cfg: dwh({ DWH_CLUSTER_IDENTIFIER: 'dwh--cluster' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /DWH_CLUSTER_IDENTIFIER: .*two hyphens in a row/,
  },
  {
    name: 'identifier ends with -',
    cfg: dwh({ DWH_CLUSTER_IDENTIFIER: 'dwhcluster-' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /DWH_CLUSTER_IDENTIFIER: .*must not end with a hyphen/,
  },
  {
    name: 'identifier too long',
    cfg: dwh({ DWH_CLUSTER_IDENTIFIER: `c${'x'.repeat(63)}` }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /DWH_CLUSTER_IDENTIFIER: .*too long for a cluster identifier \(at most 63/,
  },
  {
    name: 'identifier with bad characters',
    cfg: dwh({ DWH_CLUSTER_IDENTIFIER: 'dwh.cluster!' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /DWH_CLUSTER_IDENTIFIER: .*only lowercase letters, digits and hyphens/,
  },
  {
    name: 'password too short',
    cfg: dwh({ DWH_DB_PASSWORD: 'Ab1cdef' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /\[DWH\] DWH_DB_PASSWORD: the password must be 8–64 characters long/,
  },
  {
    name: 'password without upper case',
    cfg: dwh({ DWH_DB_PASSWORD: 'passw0rdok' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /\[DWH\] DWH_DB_PASSWORD: .*uppercase letter/,
  },
  {
    name: 'password without lower case',
    cfg: dwh({ DWH_DB_PASSWORD: 'PASSW0RDOK' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /\[DWH\] DWH_DB_PASSWORD: .*lowercase letter/,
  },
  {
    name: 'password without a digit',
    cfg: dwh({ DWH_DB_PASSWORD: 'PasswordOk' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /\[DWH\] DWH_DB_PASSWORD: .*digit/,
  },
  {
    name: 'password with a forbidden character',
    cfg: dwh({ DWH_DB_PASSWORD: 'Passw0rd@Ok' }),
    args: ['cluster', 'create', '--yes'],
    status: 1,
    message: /\[DWH\] DWH_DB_PASSWORD: .*other than ' " \\ \/ @ and space/,
  },
  {
    name: 'S3 URL with http://',
    cfg: redshift({ s3: { LOG_DATA: 'http://udacity-dend/log_data' } }),
    args: ['load'],
    status: 1,
    message: /\[S3\] LOG_DATA: "http:\/\/udacity-dend\/log_data" is not an S3 URL/,
  },
  {
    name: 'S3 URL with a bad bucket',
    cfg: redshift({ s3: { SONG_DATA: 's3://Bad_Bucket/song_data' } }),
    args: ['load'],
    status: 1,
    message: /\[S3\] SONG_DATA: .*invalid bucket "Bad_Bucket"/,
  },
  {
    name: 'IAM role ARN malformed',
    cfg: redshift({ arn: 'arn:aws:iam::12:role/dwhRole' }),
    args: ['load'],
    status: 1,
    message: /\[IAM_ROLE\] ARN: .*is not an IAM role ARN/,
  },
  // Missing settings are found before connecting: HOST is a closed local port, so a connection
  // attempt would say the connection was refused instead.
  {
    name: 'IAM role ARN missing (said before connecting)',
    cfg: redshift({ arn: '' }),
    args: ['load'],
    status: 1,
    message: /\[IAM_ROLE\] ARN: is not set/,
  },
  {
    name: 'S3 LOG_JSONPATH missing (said before connecting)',
    cfg: redshift({ s3: { LOG_JSONPATH: '' } }),
    args: ['load'],
    status: 1,
    message: /\[S3\] LOG_JSONPATH: is not set/,
  },
  {
    name: 'bad --song-prefix (said before connecting)',
    cfg: redshift({}),
    args: ['load', '--song-prefix', 'A/*'],
    status: 2,
    message: /--song-prefix "A\/\*" may contain only letters, digits/,
  },
  {
    name: 'region malformed',
    cfg: redshift({ region: 'Mars-1' }),
    args: ['load'],
    status: 1,
    message: /\[AWS\] REGION: "Mars-1" is not an AWS region/,
  },
  {
    name: 'POSTGRES_URL not a URL',
    cfg: '[WAREHOUSE]\nTARGET = postgres\nPOSTGRES_URL = localhost:5432/db\n',
    args: ['load'],
    status: 1,
    message: /\[WAREHOUSE\] POSTGRES_URL: /,
  },
  { name: 'unknown --query', cfg: EMBEDDED, args: ['analytics', '--query', 'nope'], status: 2, message: /nope/ },
  {
    name: 'bad --format',
    cfg: EMBEDDED,
    args: ['analytics', '--format', 'xml'],
    status: 2,
    message: /'xml' is invalid.*table, csv, json/,
  },
  {
    name: 'generate --events 0',
    args: ['generate', '--out', 'data', '--events', '0'],
    status: 2,
    message: /--events must be a whole number of at least 1/,
  },
  {
    name: 'generate --out naming a file',
    prepare: (dir) => writeFile(join(dir, 'afile'), 'keep me'),
    args: ['generate', '--out', 'afile'],
    status: 1,
    message: /--out \S*\/afile is a file, not a folder$/,
  },
  { name: 'unknown command', cfg: EMBEDDED, args: ['frobnicate'], status: 2, message: /unknown command 'frobnicate'/ },
  {
    name: 'unknown option',
    cfg: EMBEDDED,
    args: ['load', '--frobnicate'],
    status: 2,
    message: /unknown option '--frobnicate'/,
  },
];

describe('dwh.cfg and the command line', () => {
  test.each(configCases)('$name', async ({ cfg, args, status, message, prepare }) => {
    const dir = join(base, `case-${(caseNumber += 1)}`);
    await mkdir(dir);
    if (cfg !== undefined) await writeFile(join(dir, 'dwh.cfg'), cfg, { mode: 0o600 });
    await prepare?.(dir);
    const result = await runCli(args, { cwd: dir });
    expectOneClearLine(result, status, message);
    if (cfg !== undefined) expect(await readFile(join(dir, 'dwh.cfg'))).toEqual(Buffer.from(cfg));
    // No cluster case reached AWS or wrote anything back; no warehouse folder was made for nothing.
    expect(`${result.stdout}${result.stderr}`).not.toContain(GOOD_PASSWORD);
  });

  test('a UTF-8 BOM and CRLF line endings work (exit 0), and the file is left byte for byte', async () => {
    const dir = join(base, `case-${(caseNumber += 1)}`);
    await mkdir(dir);
    const cfg = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        '[WAREHOUSE]\r\nTARGET = embedded\r\n\r\n[LOCAL]\r\nSONG_DATA = data/song_data\r\nLOG_DATA = data/log_data\r\n',
      ),
    ]);
    await writeFile(join(dir, 'dwh.cfg'), cfg, { mode: 0o600 });
    expect((await runCli(['generate', '--out', 'data', '--songs', '20', '--events', '100'], { cwd: dir })).code).toBe(
      0,
    );
    const tables = await runCli(['tables', 'create'], { cwd: dir });
    expect(tables.code, tables.stderr).toBe(0);
    const load = await runCli(['load'], { cwd: dir });
    expect(load.code, load.stderr).toBe(0);
    expect(await sqlJson('SELECT count(*)::int AS n FROM staging_events', { cwd: dir })).toEqual([{ n: 100 }]);
    expect(await readFile(join(dir, 'dwh.cfg'))).toEqual(cfg);
  });
});

// ---------------------------------------------------------------------------------------------
// Data files, on PostgreSQL

function songJson(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    num_songs: 1,
    artist_id: `AR${id}`,
    artist_latitude: null,
    artist_longitude: null,
    artist_location: 'Somewhere',
    artist_name: `Artist ${id}`,
    song_id: `SO${id}`,
    title: `Title ${id}`,
    duration: 200.5,
    year: 2001,
    ...extra,
  });
}

const GOOD_EVENT = {
  artist: 'Artist 1',
  auth: 'Logged In',
  firstName: 'Kaylee',
  gender: 'F',
  itemInSession: 1,
  lastName: 'Summers',
  length: 200.5,
  level: 'free',
  location: 'Phoenix-Mesa-Scottsdale, AZ',
  method: 'PUT',
  page: 'NextSong',
  registration: 1540344794796.0,
  sessionId: 139,
  song: 'Title 1',
  status: 200,
  ts: 1541106106796,
  userAgent: 'Mozilla/5.0',
  userId: '8',
};

function eventJson(overrides: Record<string, unknown> = {}, index = 0): string {
  return JSON.stringify({ ...GOOD_EVENT, itemInSession: index, ts: GOOD_EVENT.ts + index * 1000, ...overrides });
}

const LOG_FILE = '2018/11/2018-11-01-events.json';

/**
 * A data folder with two good songs and three good events; `badSong` adds song_data/B/bad.json,
 * `badEventLine` goes in as line 2 of the log, between good lines.
 */
interface BadData {
  badSong?: string | Buffer;
  badEventLine?: string | Buffer;
  extraSongs?: Record<string, string>;
}

async function writeData(dir: string, bad: BadData): Promise<void> {
  await mkdir(join(dir, 'data/song_data/A'), { recursive: true });
  await mkdir(join(dir, 'data/log_data/2018/11'), { recursive: true });
  await writeFile(join(dir, 'data/song_data/A/SO1.json'), songJson('1'));
  await writeFile(join(dir, 'data/song_data/A/SO2.json'), songJson('2'));
  for (const [name, text] of Object.entries(bad.extraSongs ?? {}))
    await writeFile(join(dir, 'data/song_data/A', name), text);
  if (bad.badSong !== undefined) {
    await mkdir(join(dir, 'data/song_data/B'), { recursive: true });
    await writeFile(join(dir, 'data/song_data/B/bad.json'), bad.badSong);
  }
  const lines: Array<string | Buffer> = [eventJson({}, 1)];
  if (bad.badEventLine !== undefined) lines.push(bad.badEventLine);
  lines.push(eventJson({}, 2), eventJson({}, 3));
  await writeFile(
    join(dir, 'data/log_data', LOG_FILE),
    Buffer.concat(lines.map((line) => Buffer.concat([Buffer.from(line), Buffer.from('\n')]))),
  );
}

async function postgresCase(data: BadData | 'none', local: Record<string, string> = {}): Promise<string> {
  const dir = join(base, `case-${(caseNumber += 1)}`);
  await mkdir(dir);
  if (data !== 'none') await writeData(dir, data);
  await writeConfig(join(dir, 'dwh.cfg'), {
    WAREHOUSE: { TARGET: 'postgres', POSTGRES_URL: db.url },
    LOCAL: { SONG_DATA: 'data/song_data', LOG_DATA: 'data/log_data', ...local },
  });
  return dir;
}

async function stagingCounts(dir: string): Promise<{ songs: number; events: number }> {
  const [row] = await sqlJson<{ songs: number; events: number }>(
    'SELECT (SELECT count(*)::int FROM staging_songs) AS songs, (SELECT count(*)::int FROM staging_events) AS events',
    { cwd: dir },
  );
  return row!;
}

interface DataCase {
  name: string;
  data: BadData;
  message: RegExp;
  songs: number;
  events: number;
}

const WRONG_TYPES: Array<[column: string, value: unknown, reason: string]> = [
  ['artist', 42, 'artist must be a string, got number'],
  ['auth', true, 'auth must be a string, got boolean'],
  ['firstName', ['Kay'], 'firstName must be a string, got array'],
  ['gender', { f: 1 }, 'gender must be a string, got object'],
  ['itemInSession', 'one', 'itemInSession must be an integer, got string'],
  ['lastName', 7, 'lastName must be a string, got number'],
  ['length', '200.5', 'length must be a number, got string'],
  ['level', 1, 'level must be a string, got number'],
  ['location', false, 'location must be a string, got boolean'],
  ['method', 3, 'method must be a string, got number'],
  ['page', ['NextSong'], 'page must be a string, got array'],
  ['registration', 'yesterday', 'registration must be a number, got string'],
  ['sessionId', 1.5, 'sessionId must be an integer, got 1.5'],
  ['song', 12, 'song must be a string, got number'],
  ['status', '200', 'status must be an integer, got string'],
  ['ts', '1541106106796', 'ts must be an integer (epoch milliseconds), got string'],
  ['userAgent', {}, 'userAgent must be a string, got object'],
  ['userId', 8, 'userId must be a string, got number'],
];

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The reason must start with `reason`; a parser's wording may follow it. */
const rejectedEvent = (reason: string): RegExp =>
  new RegExp(
    '1 rejected record \\(first: .*log_data/2018/11/2018-11-01-events\\.json line 2: ' +
      `${escape(reason)}.*\\); every good record was loaded$`,
  );
const rejectedSong = (reason: string): RegExp =>
  new RegExp(`1 rejected record \\(first: .*song_data/B/bad\\.json line 1: ${reason}`);

const dataCases: DataCase[] = [
  {
    name: 'a song file with no song_id',
    data: { badSong: JSON.stringify({ ...JSON.parse(songJson('9')), song_id: undefined }) },
    message: rejectedSong('song_id is missing'),
    songs: 2,
    events: 3,
  },
  { name: 'an empty song file', data: { badSong: '' }, message: rejectedSong('empty file'), songs: 2, events: 3 },
  {
    name: 'a binary song file',
    data: { badSong: Buffer.from([0x00, 0x00, 0x01, 0x0b, 0x89, 0x50, 0x4e, 0x47, 0xff, 0x00]) },
    message: rejectedSong('binary data \\(a NUL byte at column 1\\)'),
    songs: 2,
    events: 3,
  },
  {
    name: 'a binary line in the log',
    data: { badEventLine: Buffer.from([0x7b, 0x00, 0x01, 0x02, 0xff, 0x7d]) },
    message: /1 rejected record \(first: .*2018-11-01-events\.json line 2: binary data/,
    songs: 2,
    events: 3,
  },
  {
    name: 'a truncated JSON line',
    data: { badEventLine: eventJson().slice(0, 60) },
    message: rejectedEvent('invalid JSON'),
    songs: 2,
    events: 3,
  },
  {
    name: 'a line that is JSON but not an object',
    data: { badEventLine: '[1, 2, 3]' },
    message: rejectedEvent('not a JSON object (got array)'),
    songs: 2,
    events: 3,
  },
  {
    name: 'a deeply nested line',
    data: { badEventLine: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
    message: rejectedEvent('not a JSON object (got array)'),
    songs: 2,
    events: 3,
  },
  {
    name: 'a huge line (over 1 MiB)',
    data: { badEventLine: eventJson({ artist: 'x'.repeat(1_200_000) }) },
    message: /1 rejected record \(first: .*2018-11-01-events\.json line 2: line is \d+ bytes, over the 1 MiB limit/,
    songs: 2,
    events: 3,
  },
  {
    // JSON.stringify writes a lone surrogate as its escape, as a broken exporter would.
    name: 'a lone high surrogate in a song title',
    data: { badSong: songJson('9', { title: 'Title \ud800' }) },
    message: rejectedSong('title contains a lone surrogate \\(\\\\ud800\\)'),
    songs: 2,
    events: 3,
  },
  {
    name: 'a lone low surrogate in an event',
    data: { badEventLine: eventJson({ song: 'Song \udc00' }) },
    message: rejectedEvent('song contains a lone surrogate (\\udc00), half a character, which cannot be stored'),
    songs: 2,
    events: 3,
  },
  {
    name: 'ts in seconds',
    data: { badEventLine: eventJson({ ts: 1541106106 }) },
    message: rejectedEvent('ts 1541106106 looks like seconds, expected milliseconds'),
    songs: 2,
    events: 3,
  },
  ...WRONG_TYPES.map(([column, value, reason]): DataCase => ({
    name: `wrong type in ${column}`,
    data: { badEventLine: eventJson({ [column]: value }) },
    message: rejectedEvent(reason),
    songs: 2,
    events: 3,
  })),
];

describe('data files (PostgreSQL)', () => {
  let loadedState: Record<string, unknown[]>;
  let goodDir: string;

  beforeAll(async () => {
    goodDir = await postgresCase({});
    expect((await runCli(['tables', 'create'], { cwd: goodDir })).code).toBe(0);
    const load = await runCli(['load'], { cwd: goodDir });
    expect(load.code, load.stderr).toBe(0);
  });

  test.each(dataCases)(
    '$name: good records loaded, the bad one counted and named',
    async ({ data, message, songs, events }) => {
      const dir = await postgresCase(data);
      const cfg = await readFile(join(dir, 'dwh.cfg'));
      const result = await runCli(['load'], { cwd: dir });
      expectOneClearLine(result, 1, message);
      // The rejected record is also listed with file and line in the table on stdout.
      expect(result.stdout).toMatch(/Rejected records \(first 1 of 1\)/);
      expect(await stagingCounts(dir)).toEqual({ songs, events });
      expect(await readFile(join(dir, 'dwh.cfg'))).toEqual(cfg);
    },
  );

  test('duplicated song ids load (exit 0): staging keeps both, songs has one row per song_id', async () => {
    const dir = await postgresCase({ extraSongs: { 'SO1-again.json': songJson('1', { title: 'Title 1 (live)' }) } });
    const result = await runCli(['load'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(await stagingCounts(dir)).toEqual({ songs: 3, events: 3 });
    expect(
      await sqlJson('SELECT count(*)::int AS n, count(DISTINCT song_id)::int AS ids FROM songs', { cwd: dir }),
    ).toEqual([{ n: 2, ids: 2 }]);
  });

  describe('rejected before the load starts: the tables are left exactly as they were', () => {
    beforeAll(async () => {
      // The cases above each loaded their good records; start this group from a known load.
      const load = await runCli(['load'], { cwd: goodDir });
      expect(load.code, load.stderr).toBe(0);
      loadedState = await starSnapshot({ cwd: goodDir });
      expect(loadedState.songplays).toHaveLength(3);
    });

    const cases: Array<{
      name: string;
      prepare: () => Promise<string>;
      args?: string[];
      status: number;
      message: RegExp;
    }> = [
      {
        name: 'data folder missing',
        prepare: () => postgresCase('none'),
        status: 1,
        message: /data\/song_data.*(does not exist|not found|no such)/i,
      },
      {
        name: 'data folder empty',
        prepare: async () => {
          const dir = await postgresCase('none');
          await mkdir(join(dir, 'data/song_data'), { recursive: true });
          await mkdir(join(dir, 'data/log_data'), { recursive: true });
          return dir;
        },
        status: 1,
        message: /data\/song_data.*(empty|no files)/i,
      },
      {
        name: 'POSTGRES_URL unreachable',
        prepare: async () => {
          const dir = await postgresCase({});
          const port = await freePort();
          await writeConfig(join(dir, 'dwh.cfg'), {
            WAREHOUSE: { TARGET: 'postgres', POSTGRES_URL: `postgres://sparkify:S3cretPw@127.0.0.1:${port}/dwh` },
          });
          return dir;
        },
        status: 1,
        message: /127\.0\.0\.1:\d+/,
      },
      {
        name: 'sql INSERT',
        prepare: () => postgresCase({}),
        args: ['sql', "INSERT INTO songs VALUES ('X', 'x', NULL, 1, 1)"],
        status: 1,
        message: /read-only.*INSERT/i,
      },
      {
        name: 'sql DROP',
        prepare: () => postgresCase({}),
        args: ['sql', 'DROP TABLE songplays'],
        status: 1,
        message: /read-only.*DROP TABLE/i,
      },
      {
        name: 'sql COMMIT; DROP',
        prepare: () => postgresCase({}),
        args: ['sql', 'COMMIT; DROP TABLE songplays'],
        status: 1,
        message: /(multiple commands|one statement)/i,
      },
      {
        name: 'sql CREATE',
        prepare: () => postgresCase({}),
        args: ['sql', 'CREATE TABLE evil (x int)'],
        status: 1,
        message: /read-only.*CREATE TABLE/i,
      },
      {
        name: 'sql DELETE inside a CTE',
        prepare: () => postgresCase({}),
        args: ['sql', 'WITH d AS (DELETE FROM users RETURNING *) SELECT count(*) FROM d'],
        status: 1,
        message: /the sql command is read-only/,
      },
    ];
    test.each(cases)('$name', async ({ prepare, args, status, message }) => {
      const dir = await prepare();
      const cfg = await readFile(join(dir, 'dwh.cfg'));
      const result = await runCli(args ?? ['load'], { cwd: dir });
      expectOneClearLine(result, status, message);
      expect(`${result.stdout}${result.stderr}`).not.toContain('S3cretPw');
      expect(await readFile(join(dir, 'dwh.cfg'))).toEqual(cfg);
      expect(await starSnapshot({ cwd: goodDir })).toEqual(loadedState);
      expect(
        await sqlJson("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'evil'", {
          cwd: goodDir,
        }),
      ).toEqual([{ n: 0 }]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// `sql` refuses what could act outside its READ ONLY transaction (issue 9, points 1 and 2)

describe('sql: one query, checked before it runs, never acting outside its transaction', () => {
  const READ_ONLY = /^✖ the sql command is read-only: /;

  describe('embedded: the warehouse folder cannot be written through sql', () => {
    let dir: string;
    let before: Record<string, unknown[]>;

    beforeAll(async () => {
      dir = join(base, `case-${(caseNumber += 1)}`);
      await mkdir(dir);
      await writeData(dir, {});
      await writeConfig(join(dir, 'dwh.cfg'), {
        WAREHOUSE: { TARGET: 'embedded' },
        LOCAL: { SONG_DATA: 'data/song_data', LOG_DATA: 'data/log_data' },
      });
      expect((await runCli(['tables', 'create'], { cwd: dir })).code).toBe(0);
      const load = await runCli(['load'], { cwd: dir });
      expect(load.code, load.stderr).toBe(0);
      before = await starSnapshot({ cwd: dir });
      expect(before.songplays).toHaveLength(3);
    });

    test("COPY (SELECT 'garbage') TO '/pglite/data/PG_VERSION' is refused; the warehouse still opens", async () => {
      const result = await runCli(['sql', "COPY (SELECT 'garbage') TO '/pglite/data/PG_VERSION'"], { cwd: dir });
      expectOneClearLine(result, 1, /read-only: COPY .*files.*database server/);
      expect(await starSnapshot({ cwd: dir })).toEqual(before);
    });

    test('COPY over a table’s file (from pg_relation_filepath) is refused; the table keeps its rows', async () => {
      const [row] = await sqlJson<{ path: string }>("SELECT pg_relation_filepath('songplays') AS path", { cwd: dir });
      const result = await runCli(['sql', `COPY (SELECT 1) TO '/pglite/data/${row!.path}'`], { cwd: dir });
      expectOneClearLine(result, 1, READ_ONLY);
      expect(await starSnapshot({ cwd: dir })).toEqual(before);
    });
  });

  describe('PostgreSQL with a superuser POSTGRES_URL: nothing leaves the transaction', () => {
    let dir: string;
    /** A folder the database server's own user may write to, so a refusal is what stops a file. */
    let drop: string;

    beforeAll(async () => {
      dir = await postgresCase({});
      drop = await tempDir('sql-drop');
      await chmod(drop, 0o777);
      const [row] = await sqlJson<{ superuser: boolean }>(
        'SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
        { cwd: dir },
      );
      expect(row?.superuser, 'these cases need a superuser connection, as in issue 9').toBe(true);
    });

    afterAll(async () => {
      await rm(drop, { recursive: true, force: true });
    });

    test("COPY (SELECT 1) TO PROGRAM 'id > file' is refused and creates no file", async () => {
      const marker = join(drop, 'program-ran');
      const result = await runCli(['sql', `COPY (SELECT 1) TO PROGRAM 'id > ${marker}'`], { cwd: dir });
      expectOneClearLine(result, 1, /read-only: COPY .*programs/);
      expect(existsSync(marker)).toBe(false);
    });

    test("COPY … TO 'file' is refused and writes no server file", async () => {
      const target = join(drop, 'copied.csv');
      const result = await runCli(['sql', `COPY (SELECT 'x') TO '${target}'`], { cwd: dir });
      expectOneClearLine(result, 1, /read-only: COPY/);
      expect(existsSync(target)).toBe(false);
    });

    test('pg_terminate_backend is refused and the other session lives on', async () => {
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      try {
        const { rows } = await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const result = await runCli(['sql', `SELECT pg_terminate_backend(${rows[0]!.pid})`], { cwd: dir });
        expectOneClearLine(result, 1, /read-only: pg_terminate_backend\(\) acts outside the transaction/);
        expect((await other.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      } finally {
        await other.end();
      }
    });

    const refusals: Array<[string, RegExp]> = [
      ['SELECT pg_reload_conf()', /pg_reload_conf\(\) .*configuration/],
      ['SELECT pg_stat_reset()', /pg_stat_reset\(\) .*statistics/],
      ["select pg_catalog.pg_read_file('PG_VERSION')", /pg_read_file\(\) .*server files/],
      ["SELECT set_config('log_statement', 'all', false)", /set_config\(\)/],
      ['SELECT pg_advisory_lock(42)', /pg_advisory_lock\(\)/],
      ["SELECT query_to_xml('SELECT pg_reload_conf()', true, false, '')", /query_to_xml\(\) .*runs SQL/],
      ['SET work_mem = 1', /read-only: SET changes a setting/],
      ['DO $$ BEGIN PERFORM 1; END $$', /read-only: DO runs procedural code/],
      ['CALL nothing()', /read-only: CALL runs a procedure/],
      ['EXPLAIN ANALYZE DELETE FROM songplays', /read-only: EXPLAIN ANALYZE runs the statement/],
      ['SELECT * INTO evil FROM songs', /read-only: SELECT … INTO creates a table/],
      ['SELECT * FROM users FOR UPDATE', /read-only: SELECT … FOR UPDATE locks rows/],
      ['SELECT 1; DROP TABLE songplays', /runs one statement at a time, and this text holds 2/],
      ['SELEC 1', /not valid SQL: syntax error at or near "SELEC"/],
    ];
    test.each(refusals)('%s is refused before it runs', async (sql, message) => {
      const result = await runCli(['sql', sql], { cwd: dir });
      expectOneClearLine(result, 1, message);
    });
  });

  describe('Redshift: only SELECT or WITH, never UNLOAD (said before connecting)', () => {
    const cases: Array<[string, RegExp]> = [
      ["UNLOAD ('SELECT * FROM songplays') TO 's3://bucket/p' IAM_ROLE default", /UNLOAD/],
      ["SELECT 1 WHERE 'a' <> 'unload'", /UNLOAD .*anywhere/],
      ["COPY songs FROM 's3://bucket/p' IAM_ROLE default", /only statements that start with SELECT or WITH/],
      ['SELECT 1; DROP TABLE songplays', /one statement at a time/],
      ['SELECT pg_terminate_backend(1)', /pg_terminate_backend\(\)/],
    ];
    test.each(cases)('%s', async (sql, message) => {
      const dir = join(base, `case-${(caseNumber += 1)}`);
      await mkdir(dir);
      // HOST is a closed local port: reaching for the cluster would say "cannot reach" instead.
      await writeFile(join(dir, 'dwh.cfg'), redshift({}), { mode: 0o600 });
      const result = await runCli(['sql', sql], { cwd: dir });
      expectOneClearLine(result, 1, message);
      expect(`${result.stdout}${result.stderr}`).not.toContain(GOOD_PASSWORD);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Results, interrupts, redaction and escapes (issue 9, points 5–8 and 10, and the output items)

describe('results are the user’s data: exact, complete, streamed, never redacted, never raw to a terminal', () => {
  const EVIL = '\u001b]0;owned\u0007\u001b[2J';
  const EVIL_SQL = "E'\\x1b]0;owned\\x07\\x1b[2J'";
  const EVIL_SHOWN = '\\x1b]0;owned\\x07\\x1b[2J';
  /** Any C0/C1 control other than a line feed, written raw. */
  // eslint-disable-next-line no-control-regex
  const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
  let dir: string;

  beforeAll(async () => {
    dir = await postgresCase({});
  });

  const sql = (query: string, ...args: string[]): Promise<CliResult> => runCli(['sql', query, ...args], { cwd: dir });

  describe('duplicate column names (9.6)', () => {
    test('SELECT 1 AS a, 2 AS a prints 1 │ 2 (PostgreSQL)', async () => {
      const result = await sql('SELECT 1 AS a, 2 AS a');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('│ a │ a │');
      expect(result.stdout).toContain('│ 1 │ 2 │');
    });

    test('SELECT 1 AS a, 2 AS a prints 1 │ 2 (embedded)', async () => {
      const embedded = join(base, `case-${(caseNumber += 1)}`);
      await mkdir(embedded);
      await writeFile(join(embedded, 'dwh.cfg'), EMBEDDED, { mode: 0o600 });
      const result = await runCli(['sql', 'SELECT 1 AS a, 2 AS a'], { cwd: embedded });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('│ 1 │ 2 │');
    });

    test('a join selecting sp.level, u.level shows each value', async () => {
      const result = await sql(
        "SELECT sp.level, u.level FROM (VALUES (1, 'free'), (2, 'paid')) AS sp(id, level) " +
          "JOIN (VALUES (1, 'paid'), (2, 'paid')) AS u(id, level) USING (id) ORDER BY id",
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('│ free  │ paid  │');
      expect(result.stdout).toContain('│ paid  │ paid  │');
    });

    test('csv keeps both headers; json names the second a_2', async () => {
      expect((await sql('SELECT 1 AS a, 2 AS a', '--format', 'csv')).stdout).toBe('a,a\n1,2\n');
      expect(JSON.parse((await sql('SELECT 1 AS a, 2 AS a', '--format', 'json')).stdout)).toEqual([{ a: 1, a_2: 2 }]);
    });
  });

  describe('big results (9.7)', () => {
    test('130,000 rows: the first 1,000 shown, then how many more; no crash', async () => {
      const started = Date.now();
      const result = await sql('SELECT g AS n, md5(g::text) AS hash FROM generate_series(1, 130000) AS g');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('│ 1000 │');
      expect(result.stdout).not.toContain('│ 1001 │');
      expect(result.stdout).toContain('… and 129,000 more rows (use --format csv)');
      expect(Date.now() - started).toBeLessThan(30_000);
    });

    test('--limit N shows N rows; a bad --limit is a usage error', async () => {
      const result = await sql('SELECT g FROM generate_series(1, 10) AS g', '--limit', '3');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('│ 3 │');
      expect(result.stdout).not.toContain('│ 4 │');
      expect(result.stdout).toContain('… and 7 more rows');
      expectOneClearLine(await sql('SELECT 1', '--limit', '0'), 2, /--limit must be a whole number of at least 1/);
    });

    test('1,000,000 rows through csv in a 64 MB heap: every row written, in bounded memory', async () => {
      const result = await runCli(
        ['sql', 'SELECT g, g * 2 AS twice FROM generate_series(1, 1000000) AS g', '--format', 'csv'],
        { cwd: dir, env: { NODE_OPTIONS: '--max-old-space-size=64' }, timeoutMs: 120_000 },
      );
      expect(result.code, result.stderr.slice(0, 2000)).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines).toHaveLength(1_000_002); // header, rows, and the empty string after the last \n
      expect(lines[1_000_000]).toBe('1000000,2000000');
    }, 150_000);

    test('csv into a pipe that closes early (| head) stops quietly with status 0', () => {
      const run = spawnSync(
        'bash',
        [
          '-c',
          `"${process.execPath}" "${cli}" sql 'SELECT g FROM generate_series(1, 1000000) AS g' --format csv ` +
            '| head -n 3; echo "status=${PIPESTATUS[0]}"',
        ],
        { cwd: dir, env: cliEnv(), encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.stdout).toBe('g\n1\n2\nstatus=0\n');
      expect(run.stderr).toBe('');
    }, 90_000);
  });

  describe('Ctrl-C cancels the query on the server (9.8)', () => {
    test('sql "SELECT pg_sleep(60)": one SIGINT exits 130 within a second or two; no pg_sleep left', async () => {
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      const sleeping = async (): Promise<number> =>
        (
          await admin.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' " +
              "AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep(60)%'",
          )
        ).rows[0]!.n;
      try {
        const { child, done } = startCli(['sql', 'SELECT pg_sleep(60)'], { cwd: dir });
        const deadline = Date.now() + 20_000;
        while ((await sleeping()) === 0) {
          if (Date.now() > deadline) throw new Error('the query never started');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const interrupted = Date.now();
        child.kill('SIGINT');
        const result = await done;
        expect(Date.now() - interrupted).toBeLessThan(2000);
        expect(result.code, result.stderr).toBe(130);
        expect(result.stderr).not.toMatch(/✖|unexpected error|\n\s+at /);
        expect(await sleeping()).toBe(0);
      } finally {
        await admin.end();
      }
    });
  });

  describe('Ctrl-C cancels a load blocked on another session (9.8)', () => {
    test.each([
      ['ACCESS EXCLUSIVE', 'its first look at the tables'],
      ['SHARE', 'emptying staging, inside its transaction'],
    ])('staging_events locked IN %s MODE blocks %s: one SIGINT exits 130 at once', async (mode) => {
      expect((await runCli(['tables', 'create', '--yes'], { cwd: dir })).code).toBe(0);
      const holder = new pg.Client({ connectionString: db.url });
      // Watched from a third session: inside the holder's transaction pg_stat_activity stays frozen.
      const watcher = new pg.Client({ connectionString: db.url });
      await holder.connect();
      await watcher.connect();
      const waiting = async (): Promise<number> =>
        (
          await watcher.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' " +
              // Our connections name the command too ("sparkify-dwh load"), for whoever holds the lock.
              "AND application_name LIKE 'sparkify-dwh%' AND wait_event_type = 'Lock'",
          )
        ).rows[0]!.n;
      try {
        await holder.query('BEGIN');
        await holder.query(`LOCK TABLE staging_events IN ${mode} MODE`);
        const { child, done } = startCli(['load'], { cwd: dir });
        const deadline = Date.now() + 20_000;
        while ((await waiting()) === 0) {
          if (Date.now() > deadline) throw new Error('the load never waited for the lock');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const interrupted = Date.now();
        child.kill('SIGINT');
        const result = await done;
        expect(Date.now() - interrupted).toBeLessThan(2000);
        expect(result.code, result.stderr).toBe(130);
        expect(await waiting()).toBe(0);
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
        await watcher.end();
      }
    });
  });

  describe('redaction never rewrites the data (9.5), with the password `check`', () => {
    let checkDir: string;
    let checkEnv: Record<string, string> = {};

    beforeAll(async () => {
      checkDir = join(base, `case-${(caseNumber += 1)}`);
      await mkdir(checkDir);
      await writeData(checkDir, {});
      // A server that trusts local connections takes any password in the URL, as in the issue; one
      // that checks keeps its own, and `check` comes from PGPASSWORD instead (redacted the same way).
      const url = new URL(db.url);
      if (url.password === '') url.password = 'check';
      else checkEnv = { PGPASSWORD: 'check' };
      await writeConfig(join(checkDir, 'dwh.cfg'), {
        WAREHOUSE: { TARGET: 'postgres', POSTGRES_URL: url.toString() },
        LOCAL: { SONG_DATA: 'data/song_data', LOG_DATA: 'data/log_data' },
      });
    });

    test(`sql --format csv "SELECT 'checkpoint'" prints checkpoint`, async () => {
      const result = await runCli(['sql', "SELECT 'checkpoint'", '--format', 'csv'], { cwd: checkDir, env: checkEnv });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('?column?\ncheckpoint\n');
    });

    test('check prints "Data-quality checks"', async () => {
      const options = { cwd: checkDir, env: checkEnv };
      expect((await runCli(['tables', 'create', '--yes'], options)).code).toBe(0);
      expect((await runCli(['load'], options)).code).toBe(0);
      const result = await runCli(['check'], options);
      expect(result.stdout).toContain('Data-quality checks');
      expect(`${result.stdout}${result.stderr}`).not.toContain('****');
    });
  });

  describe('control characters are shown escaped, never sent raw (9.10)', () => {
    test('sql table view: escaped in cells and column names', async () => {
      const result = await sql(`SELECT ${EVIL_SQL} AS title, 1 AS "x${EVIL}"`);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toMatch(RAW_CONTROL);
      expect(result.stdout).toContain(`│ ${EVIL_SHOWN} │`);
      expect(result.stdout).toContain(`x${EVIL_SHOWN}`);
    });

    test('csv to a pipe keeps the bytes; json escapes them and parses back exactly', async () => {
      expect((await sql(`SELECT ${EVIL_SQL} AS title`, '--format', 'csv')).stdout).toBe(`title\n${EVIL}\n`);
      const json = await sql(`SELECT ${EVIL_SQL} AS title`, '--format', 'json');
      expect(json.stdout).not.toMatch(RAW_CONTROL);
      expect(JSON.parse(json.stdout)).toEqual([{ title: EVIL }]);
    });

    test('an error quoting the data: escaped', async () => {
      const result = await sql(`SELECT ${EVIL_SQL}::int`);
      expectOneClearLine(result, 1, /invalid input syntax for type integer/);
      expect(result.stderr).not.toMatch(RAW_CONTROL);
      expect(result.stderr).toContain(EVIL_SHOWN);
    });

    test('a rejected line’s reason: escaped on stderr and in the table on stdout', async () => {
      const rejected = await postgresCase({ badEventLine: `${EVIL} not json` });
      expect((await runCli(['tables', 'create', '--yes'], { cwd: rejected })).code).toBe(0);
      const result = await runCli(['load'], { cwd: rejected });
      expectOneClearLine(result, 1, rejectedEvent("invalid JSON: Unexpected token '\\x1b'"));
      expect(`${result.stdout}${result.stderr}`).not.toMatch(RAW_CONTROL);
    });

    test('a song title with escapes: analytics table and chart, and sql, show it escaped', async () => {
      const evil = join(base, `case-${(caseNumber += 1)}`);
      await mkdir(evil);
      await writeData(evil, {
        extraSongs: { 'SO9.json': songJson('9', { title: `Evil ${EVIL}`, artist_name: 'Artist 9' }) },
      });
      await writeFile(
        join(evil, 'data/log_data', LOG_FILE),
        [1, 2, 3].map((index) => eventJson({ song: `Evil ${EVIL}`, artist: 'Artist 9' }, index)).join('\n'),
      );
      await writeConfig(join(evil, 'dwh.cfg'), {
        WAREHOUSE: { TARGET: 'postgres', POSTGRES_URL: db.url },
        LOCAL: { SONG_DATA: 'data/song_data', LOG_DATA: 'data/log_data' },
      });
      expect((await runCli(['tables', 'create', '--yes'], { cwd: evil })).code).toBe(0);
      const load = await runCli(['load'], { cwd: evil });
      expect(load.code, load.stderr).toBe(0);
      for (const args of [['analytics'], ['sql', 'SELECT title FROM songs ORDER BY song_id']]) {
        const result = await runCli(args, { cwd: evil });
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toContain(`Evil ${EVIL_SHOWN}`);
        expect(`${result.stdout}${result.stderr}`).not.toMatch(RAW_CONTROL);
      }
    });
  });

  describe('how values read (output items)', () => {
    test('sql prints ids and epoch milliseconds without thousands separators', async () => {
      const result = await sql('SELECT 1541105830796::bigint AS ts, 1234567 AS n, 2.5::float8 AS x');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('│ 1541105830796 │ 1234567 │ 2.5 │');
    });

    test('bytea is shown as \\x hex', async () => {
      const result = await sql("SELECT '\\x00deadbeef'::bytea AS b");
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('│ \\x00deadbeef │');
      expect((await sql("SELECT '\\x01ff'::bytea AS b", '--format', 'csv')).stdout).toBe('b\n\\x01ff\n');
    });
  });
});

// Issue 9 (safety): -c that names no file, --song-prefix on a local target, demo over the user's
// data, a load blocked by another session's lock

describe('the embedded warehouse folder (9.4): real causes, never "delete", symbolic links open', () => {
  test('EMBEDDED_DIR = / is refused in one line that never suggests deleting anything', async () => {
    const dir = join(base, `case-${(caseNumber += 1)}`);
    await mkdir(dir);
    await writeFile(join(dir, 'dwh.cfg'), `${EMBEDDED}EMBEDDED_DIR = /\n`, { mode: 0o600 });
    const result = await runCli(['sql', 'SELECT 1'], { cwd: dir });
    expectOneClearLine(
      result,
      1,
      /^✖ \/ is not an embedded warehouse folder \(it holds other files and no PG_VERSION\)/,
    );
    expect(result.stderr).not.toMatch(/delete|remove/i);
  });

  test('a damaged warehouse folder names the real cause and says to move it aside', async () => {
    const dir = join(base, `case-${(caseNumber += 1)}`);
    await mkdir(join(dir, 'wh'), { recursive: true });
    await writeFile(join(dir, 'wh', 'PG_VERSION'), 'garbage\n');
    await writeFile(join(dir, 'dwh.cfg'), `${EMBEDDED}EMBEDDED_DIR = wh\n`, { mode: 0o600 });
    const result = await runCli(['sql', 'SELECT 1'], { cwd: dir });
    expectOneClearLine(result, 1, /^✖ cannot open the embedded warehouse in \S+\/wh: .*\/wh\//);
    expect(result.stderr).toMatch(/move it aside/);
    expect(result.stderr).not.toMatch(/delete|remove|\[object Object\]|\/pglite\/data/i);
  });

  test('a symbolic link to a healthy warehouse folder opens it', async () => {
    const dir = join(base, `case-${(caseNumber += 1)}`);
    await mkdir(dir);
    await writeFile(join(dir, 'dwh.cfg'), `${EMBEDDED}EMBEDDED_DIR = real\n`, { mode: 0o600 });
    expect((await runCli(['sql', 'SELECT 1'], { cwd: dir })).code).toBe(0);
    await symlink(join(dir, 'real'), join(dir, 'link'));
    await writeFile(join(dir, 'dwh.cfg'), `${EMBEDDED}EMBEDDED_DIR = link\n`, { mode: 0o600 });
    const result = await runCli(['sql', 'SELECT 42 AS answer', '--format', 'json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ answer: 42 }]);
  }, 60_000);
});

describe('issue 9: -c, --song-prefix, demo over loaded data, lock waits', () => {
  test('-c "" is a usage error naming the option', async () => {
    const dir = join(base, `case-${(caseNumber += 1)}`);
    await mkdir(dir);
    const result = await runCli(['-c', '', 'load'], { cwd: dir });
    expectOneClearLine(result, 2, /^✖ -c\/--config needs the path of a dwh\.cfg file; it was given an empty one$/);
  });

  test('-c naming a named pipe (FIFO) is a usage error at once, not a hang', async () => {
    const dir = join(base, `case-${(caseNumber += 1)}`);
    await mkdir(dir);
    execFileSync('mkfifo', [join(dir, 'pipe.cfg')]);
    const started = Date.now();
    const result = await runCli(['-c', 'pipe.cfg', 'load'], { cwd: dir, timeoutMs: 15_000 });
    expect(result.signal, 'it hung and was killed').toBe(null);
    expect(Date.now() - started).toBeLessThan(10_000);
    expectOneClearLine(result, 2, /^✖ -c\/--config pipe\.cfg: is a named pipe, not a file/);
  });

  test('--song-prefix leaving [LOCAL] SONG_DATA is a usage error, said before the warehouse opens', async () => {
    const dir = join(base, `case-${(caseNumber += 1)}`);
    await mkdir(dir);
    await writeFile(join(dir, 'dwh.cfg'), EMBEDDED, { mode: 0o600 });
    const result = await runCli(['load', '--song-prefix', 'A/../../etc'], { cwd: dir });
    expectOneClearLine(result, 2, /^✖ --song-prefix "A\/\.\.\/\.\.\/etc" must stay inside the song data/);
    expect(existsSync(join(dir, '.sparkify'))).toBe(false);
  });

  test('PostgreSQL: tables create on loaded tables refuses without a terminal, naming what they hold', async () => {
    const own = await createTestDatabase();
    try {
      const dir = join(base, `case-${(caseNumber += 1)}`);
      await mkdir(dir);
      await writeData(dir, {});
      await writeConfig(join(dir, 'dwh.cfg'), {
        WAREHOUSE: { TARGET: 'postgres', POSTGRES_URL: own.url },
        LOCAL: { SONG_DATA: 'data/song_data', LOG_DATA: 'data/log_data' },
      });
      expect((await runCli(['tables', 'create'], { cwd: dir })).code).toBe(0);
      const load = await runCli(['load'], { cwd: dir });
      expect(load.code, load.stderr).toBe(0);
      const before = await starSnapshot({ cwd: dir });
      const result = await runCli(['tables', 'create'], { cwd: dir });
      expectOneClearLine(
        result,
        1,
        new RegExp(
          '^✖ postgres://\\S+ holds 3 songplays loaded on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC ' +
            'from data/song_data and data/log_data; tables create would drop them, so nothing was changed$',
        ),
      );
      expect(failureMessage(result.stderr)[1]).toBe('  → pass --yes to drop them anyway');
      expect(await starSnapshot({ cwd: dir })).toEqual(before);
      const forced = await runCli(['tables', 'create', '--yes'], { cwd: dir });
      expect(forced.code, forced.stderr).toBe(0);
      expect(forced.stderr).toMatch(/⚠ --yes: replacing 3 songplays loaded on .* in postgres:\/\//);
      expect((await starSnapshot({ cwd: dir })).songplays).toEqual([]);
    } finally {
      await own.drop();
    }
  });

  test('-c naming a device (/dev/null) is a usage error', async () => {
    const dir = join(base, `case-${(caseNumber += 1)}`);
    await mkdir(dir);
    // --target postgres: were /dev/null read as an empty dwh.cfg, nothing would be made beside it.
    const result = await runCli(['-c', '/dev/null', '--target', 'postgres', 'load'], { cwd: dir });
    expectOneClearLine(result, 2, /^✖ -c\/--config \/dev\/null: is a device, not a file/);
  });
});
