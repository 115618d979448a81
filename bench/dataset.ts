/**
 * Benchmark data: generated once per size with the real CLI (`sparkify-dwh generate`), then
 * converted once (untimed) into ready COPY text files holding exactly the staging rows, which is
 * what the physical baseline loads. Both are cached under the data folder and reused across runs.
 */
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { listSourceFiles } from '../src/source/walk.js';
import { once } from 'node:events';
import { STAGING_EVENTS_COLUMNS, STAGING_SONGS_COLUMNS } from '../src/sql/tables.js';
import { encodeCopyRow, type CopyValue } from '../src/warehouse/copy-format.js';
import { runChild } from './process.js';

export interface BenchDataset {
  events: number;
  songs: number;
  dir: string;
  songData: string;
  logData: string;
  /** COPY text (PostgreSQL text format) of staging_songs / staging_events, in column order. */
  songsCopyFile: string;
  eventsCopyFile: string;
  /** Bytes of JSON source (song files + log files). */
  sourceBytes: number;
}

const COMPLETE_MARKER = '.bench-complete.json';
/** Written after `generate` succeeded, so an interrupted conversion does not regenerate. */
const GENERATED_MARKER = '.bench-generated';

/** Source JSON key of each staging column (docs/data.md, Source data: camelCase for events, snake_case for songs). */
const EVENT_KEYS: Record<(typeof STAGING_EVENTS_COLUMNS)[number], string> = {
  artist: 'artist',
  auth: 'auth',
  first_name: 'firstName',
  gender: 'gender',
  item_in_session: 'itemInSession',
  last_name: 'lastName',
  length: 'length',
  level: 'level',
  location: 'location',
  method: 'method',
  page: 'page',
  registration: 'registration',
  session_id: 'sessionId',
  song: 'song',
  status: 'status',
  ts: 'ts',
  user_agent: 'userAgent',
  user_id: 'userId',
};

/** The files `load` would read under `dir`, in the same order: the product's own folder walk. */
async function listFiles(dir: string, label: string): Promise<string[]> {
  return (await listSourceFiles(dir, { label, displayDir: dir })).map((file) => file.path);
}

async function writeLines(path: string, lines: AsyncIterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for await (const line of lines) {
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function asCopyValue(value: unknown): CopyValue {
  return value === undefined ||
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
    ? value
    : JSON.stringify(value);
}

async function* songRows(files: string[], bytes: { total: number }): AsyncGenerator<string> {
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    bytes.total += Buffer.byteLength(text);
    const song = JSON.parse(text) as Record<string, unknown>;
    yield encodeCopyRow(STAGING_SONGS_COLUMNS.map((column) => asCopyValue(song[column])));
  }
}

async function* eventRows(files: string[], bytes: { total: number }): AsyncGenerator<string> {
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      bytes.total += Buffer.byteLength(line) + 1;
      if (line.trim() === '') continue;
      const event = JSON.parse(line) as Record<string, unknown>;
      yield encodeCopyRow(STAGING_EVENTS_COLUMNS.map((column) => asCopyValue(event[EVENT_KEYS[column]])));
    }
  }
}

export interface PrepareOptions {
  root: string;
  events: number;
  songs: number;
  seed: number;
  cliPath: string;
  log: (message: string) => void;
}

/** The data set for one size: generated and converted on first use, then reused. */
export async function prepareDataset(options: PrepareOptions): Promise<BenchDataset> {
  const dir = join(options.root, `events-${options.events}-songs-${options.songs}-seed-${options.seed}`);
  const dataset: BenchDataset = {
    events: options.events,
    songs: options.songs,
    dir,
    songData: join(dir, 'song_data'),
    logData: join(dir, 'log_data'),
    songsCopyFile: join(dir, 'staging_songs.copy'),
    eventsCopyFile: join(dir, 'staging_events.copy'),
    sourceBytes: 0,
  };
  const marker = join(dir, COMPLETE_MARKER);
  if (existsSync(marker)) {
    const saved = JSON.parse(await readFile(marker, 'utf8')) as { sourceBytes: number };
    return { ...dataset, sourceBytes: saved.sourceBytes };
  }
  if (!existsSync(join(dir, GENERATED_MARKER))) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    options.log(`generating ${options.events} events and ${options.songs} songs into ${dir}`);
    const generated = await runChild(
      process.execPath,
      [
        options.cliPath,
        'generate',
        '--out',
        dir,
        '--events',
        String(options.events),
        '--songs',
        String(options.songs),
        '--seed',
        String(options.seed),
      ],
      { cwd: dir, sampleMemory: false },
    );
    if (generated.exitCode !== 0) {
      const output = generated.stderr.trim() || generated.stdout.trim();
      throw new Error(`sparkify-dwh generate failed (exit ${generated.exitCode}): ${output}`);
    }
    await writeFile(join(dir, GENERATED_MARKER), '');
  }
  options.log('writing the ready COPY files for the baseline');
  const bytes = { total: 0 };
  await writeLines(dataset.songsCopyFile, songRows(await listFiles(dataset.songData, 'benchmark song_data'), bytes));
  await writeLines(dataset.eventsCopyFile, eventRows(await listFiles(dataset.logData, 'benchmark log_data'), bytes));
  await writeFile(marker, JSON.stringify({ sourceBytes: bytes.total }));
  return { ...dataset, sourceBytes: bytes.total };
}
