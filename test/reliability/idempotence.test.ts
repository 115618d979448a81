/**
 * Every step run twice in a row leaves the same state: the same row counts and full contents of
 * the star tables (compared as JSON through `sql --format json`), the same dwh.cfg bytes. A setup
 * left half-finished is finished by the next `setup --yes`.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { ensureBuilt, runCli, sqlJson, starSnapshot, tempDir, writeConfig, type RunOptions } from '../cli/run.js';

let base: string;
const databases: TestDatabase[] = [];

beforeAll(async () => {
  ensureBuilt();
  base = await tempDir('idempotence');
  const generated = await runCli(['generate', '--out', 'data', '--songs', '50', '--events', '500', '--seed', '3'], {
    cwd: base,
  });
  expect(generated.code, generated.stderr).toBe(0);
});

afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  await rm(base, { recursive: true, force: true });
});

/** A folder with a dwh.cfg on a fresh PostgreSQL database, reading the shared generated data. */
async function postgresProject(name: string): Promise<RunOptions> {
  const db = await createTestDatabase();
  databases.push(db);
  const dir = join(base, name);
  await mkdir(dir);
  await writeConfig(join(dir, 'dwh.cfg'), {
    WAREHOUSE: { TARGET: 'postgres', POSTGRES_URL: db.url },
    LOCAL: { SONG_DATA: '../data/song_data', LOG_DATA: '../data/log_data' },
  });
  return { cwd: dir };
}

async function ok(args: string[], options: RunOptions): Promise<string> {
  const result = await runCli(args, options);
  expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
  expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
  return result.stdout;
}

interface State {
  tables: unknown[];
  staging: unknown[];
  star: Record<string, unknown[]>;
  cfg: Buffer;
}

async function state(options: RunOptions): Promise<State> {
  return {
    tables: await sqlJson(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      options,
    ),
    staging: await sqlJson(
      'SELECT (SELECT count(*)::int FROM staging_events) AS events, (SELECT count(*)::int FROM staging_songs) AS songs',
      options,
    ),
    star: await starSnapshot(options),
    cfg: await readFile(join(options.cwd, 'dwh.cfg')),
  };
}

/** Timings differ from run to run; everything else printed must not. */
function withoutTimings(text: string): string {
  return text.replace(/\d[\d,.]* ?(ms|s|rows\/s)\b/g, 'T');
}

describe('each step twice on PostgreSQL', () => {
  let project: RunOptions;
  let loaded: State;

  beforeAll(async () => {
    project = await postgresProject('twice');
  });

  test('tables create twice: the same seven empty tables (and load history), dwh.cfg untouched', async () => {
    await ok(['tables', 'create'], project);
    const first = await state(project);
    expect(first.tables).toHaveLength(8);
    expect(first.tables).toContainEqual({ table_name: 'sparkify_load_history' });
    expect(Object.values(first.star).every((rows) => rows.length === 0)).toBe(true);
    await ok(['tables', 'create'], project);
    expect(await state(project)).toEqual(first);
  });

  test('load twice: the same staging counts and the same star tables, row for row', async () => {
    await ok(['load'], project);
    loaded = await state(project);
    expect(loaded.staging).toEqual([{ events: 500, songs: 50 }]);
    expect(loaded.star.songs).toHaveLength(50);
    expect(loaded.star.songplays!.length).toBeGreaterThan(0);
    await ok(['load'], project);
    expect(await state(project)).toEqual(loaded);
  });

  test('check twice: the same report, nothing changed', async () => {
    const first = await ok(['check'], project);
    const second = await ok(['check'], project);
    expect(withoutTimings(second)).toBe(withoutTimings(first));
    expect(await state(project)).toEqual(loaded);
  });

  test('analytics twice: the same numbers, nothing changed', async () => {
    const first = await ok(['analytics', '--format', 'json'], project);
    expect(first.length).toBeGreaterThan(100);
    expect(await ok(['analytics', '--format', 'json'], project)).toBe(first);
    expect(await state(project)).toEqual(loaded);
  });

  test('setup --yes on a finished setup changes nothing', async () => {
    await ok(['setup', '--yes'], project);
    expect(await state(project)).toEqual(loaded);
    await ok(['setup', '--yes'], project);
    expect(await state(project)).toEqual(loaded);
  });

  test('setup --yes after a half-finished setup (tables created, no load) finishes the job', async () => {
    const half = await postgresProject('half-tables');
    await ok(['tables', 'create'], half);
    await ok(['setup', '--yes'], half);
    const finished = await state(half);
    // Same data, so the same warehouse as the one built step by step (dwh.cfg aside: another database).
    expect({ ...finished, cfg: undefined }).toEqual({ ...loaded, cfg: undefined });
    await ok(['setup', '--yes'], half);
    expect(await state(half)).toEqual(finished);
  });

  test('setup --yes after a half-finished setup (dwh.cfg only) finishes the job', async () => {
    const half = await postgresProject('half-config');
    await ok(['setup', '--yes'], half);
    expect({ ...(await state(half)), cfg: undefined }).toEqual({ ...loaded, cfg: undefined });
  });
});

test('setup --yes in an empty folder makes dwh.cfg (0600), data and a load; a second run keeps it all', async () => {
  const dir = join(base, 'from-nothing');
  await mkdir(dir);
  const project = { cwd: dir };
  await ok(['setup', '--yes'], project);
  const cfg = await readFile(join(dir, 'dwh.cfg'));
  expect(cfg.toString()).toContain('TARGET = embedded');
  expect((await import('node:fs')).statSync(join(dir, 'dwh.cfg')).mode & 0o777).toBe(0o600);
  const first = await starSnapshot(project);
  expect(first.songs).toHaveLength(1000);
  await ok(['setup', '--yes'], project);
  expect(await readFile(join(dir, 'dwh.cfg'))).toEqual(cfg);
  expect(await starSnapshot(project)).toEqual(first);
}, 120_000);
