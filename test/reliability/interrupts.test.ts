/**
 * Interrupts: Ctrl-C (SIGINT) or a kill -9 in the middle of `load` leaves the star schema exactly
 * as it was before that load (one transaction), the next `load` completes (a stale lock does not
 * block it), and a dwh.cfg write cut short leaves the old bytes or the new, never a mix.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeFileAtomic } from '../../src/config/atomic.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import {
  ensureBuilt,
  root,
  runCli,
  sqlJson,
  starSnapshot,
  startCli,
  tempDir,
  writeConfig,
  type RunOptions,
} from '../cli/run.js';

let base: string;
let db: TestDatabase;
let project: RunOptions;
let before: Record<string, unknown[]>;

const BIG_EVENTS = 200_000;

async function pointAt(data: string): Promise<void> {
  await writeConfig(join(project.cwd, 'dwh.cfg'), {
    WAREHOUSE: { TARGET: 'postgres', POSTGRES_URL: db.url },
    LOCAL: { SONG_DATA: `${data}/song_data`, LOG_DATA: `${data}/log_data` },
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 20));
  }
}

beforeAll(async () => {
  ensureBuilt();
  base = await tempDir('interrupts');
  db = await createTestDatabase();
  project = { cwd: base };
  const small = await runCli(
    ['generate', '--out', 'small', '--songs', '50', '--events', '500', '--seed', '1'],
    project,
  );
  expect(small.code, small.stderr).toBe(0);
  const big = await runCli(
    ['generate', '--out', 'big', '--songs', '2000', '--events', String(BIG_EVENTS), '--seed', '2'],
    project,
  );
  expect(big.code, big.stderr).toBe(0);
  await pointAt('small');
  expect((await runCli(['tables', 'create'], project)).code).toBe(0);
  const load = await runCli(['load'], project);
  expect(load.code, load.stderr).toBe(0);
  before = await starSnapshot(project);
  expect(before.songs).toHaveLength(50);
}, 120_000);

afterAll(async () => {
  await db?.drop();
  await rm(base, { recursive: true, force: true });
});

describe('load interrupted on PostgreSQL', () => {
  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    test(`${signal} during the staging COPY: star tables exactly as before, and the next load completes`, async () => {
      await pointAt('big');
      const cfg = await readFile(join(base, 'dwh.cfg'));
      const { child, done } = startCli(['load'], project);
      let stderr = '';
      child.stderr!.on('data', (text: string) => (stderr += text));
      // staging_songs is done and staging_events is streaming: well inside the transaction.
      await waitFor(() => /staging_events: reading/.test(stderr), 30_000, 'staging_events to start');
      await new Promise((resolveWait) => setTimeout(resolveWait, 300));
      child.kill(signal);
      const result = await done;
      if (signal === 'SIGINT') {
        expect(result.code, result.stderr).toBe(130);
        expect(result.stderr).toMatch(/Interrupted: stopping safely/);
        expect(result.stderr).not.toMatch(/Loaded /);
        // The lock was released on the way out.
        expect(existsSync(join(base, 'dwh.cfg.lock'))).toBe(false);
      } else {
        expect(result.signal).toBe('SIGKILL');
        // A kill -9 leaves its lock behind: the next run must judge it stale and carry on.
        expect(existsSync(join(base, 'dwh.cfg.lock'))).toBe(true);
      }
      expect(await starSnapshot(project)).toEqual(before);
      expect(await readFile(join(base, 'dwh.cfg'))).toEqual(cfg);

      // The next load (of the small data again, for speed) completes and gives the same tables.
      await pointAt('small');
      const again = await runCli(['load'], project);
      expect(again.code, again.stderr).toBe(0);
      expect(await starSnapshot(project)).toEqual(before);
      expect(existsSync(join(base, 'dwh.cfg.lock'))).toBe(false);
    }, 90_000);
  }

  test('the big data set loads completely when not interrupted', async () => {
    await pointAt('big');
    const load = await runCli(['load'], { ...project, timeoutMs: 80_000 });
    expect(load.code, load.stderr).toBe(0);
    expect(await sqlJson('SELECT count(*)::int AS n FROM staging_events', project)).toEqual([{ n: BIG_EVENTS }]);
    await pointAt('small');
    expect((await runCli(['load'], project)).code).toBe(0);
    expect(await starSnapshot(project)).toEqual(before);
  }, 90_000);
});

test(
  'SIGKILL during load on the embedded warehouse: its data folder survives, tables as before, stale ' +
    'locks taken over',
  async () => {
    const dir = join(base, 'embedded');
    await mkdir(dir);
    const embedded = { cwd: dir };
    const configure = (data: string): Promise<void> =>
      writeConfig(join(dir, 'dwh.cfg'), {
        WAREHOUSE: { TARGET: 'embedded' },
        LOCAL: { SONG_DATA: `../${data}/song_data`, LOG_DATA: `../${data}/log_data` },
      });
    await configure('small');
    expect((await runCli(['tables', 'create'], embedded)).code).toBe(0);
    expect((await runCli(['load'], embedded)).code).toBe(0);
    const loaded = await starSnapshot(embedded);
    expect(loaded).toEqual(before);

    await configure('big');
    const { child, done } = startCli(['load'], embedded);
    let stderr = '';
    child.stderr!.on('data', (text: string) => (stderr += text));
    await waitFor(() => /staging_events: reading/.test(stderr), 30_000, 'staging_events to start');
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    expect(existsSync(join(dir, '.sparkify/warehouse.lock'))).toBe(true);

    await configure('small');
    expect(await starSnapshot(embedded)).toEqual(loaded);
    const again = await runCli(['load'], embedded);
    expect(again.code, again.stderr).toBe(0);
    expect(await starSnapshot(embedded)).toEqual(loaded);
  },
  90_000,
);

describe('Ctrl-C during load on the embedded warehouse', () => {
  // PGlite runs in a worker thread: the main thread hears Ctrl-C at once and ends the worker,
  // whatever statement it is in the middle of (a COPY chunk or one long transform).
  for (const [moment, started] of [
    ['the staging COPY', /staging_events: reading/],
    ['the songplays transform', /songplays: transforming/],
  ] as const) {
    test(`one SIGINT during ${moment}: exit 130 within seconds, tables as before, next load completes`, async () => {
      const dir = join(base, `embedded-sigint-${moment.replace(/\W+/g, '-')}`);
      await mkdir(dir);
      const embedded = { cwd: dir };
      const configure = (data: string): Promise<void> =>
        writeConfig(join(dir, 'dwh.cfg'), {
          WAREHOUSE: { TARGET: 'embedded' },
          LOCAL: { SONG_DATA: `../${data}/song_data`, LOG_DATA: `../${data}/log_data` },
        });
      await configure('small');
      expect((await runCli(['tables', 'create'], embedded)).code).toBe(0);
      expect((await runCli(['load'], embedded)).code).toBe(0);
      expect(await starSnapshot(embedded)).toEqual(before);

      await configure('big');
      const { child, done } = startCli(['load'], { ...embedded, timeoutMs: 120_000 });
      let stderr = '';
      child.stderr!.on('data', (text: string) => (stderr += text));
      await waitFor(() => started.test(stderr), 90_000, `${moment} to start`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 300));
      const interrupted = Date.now();
      child.kill('SIGINT');
      const result = await done;
      expect(Date.now() - interrupted).toBeLessThan(3000);
      expect(result.code, result.stderr).toBe(130);
      expect(result.stderr).not.toMatch(/Loaded |unexpected error|\n\s+at /);
      expect(existsSync(join(dir, '.sparkify/warehouse.lock'))).toBe(false);

      await configure('small');
      expect(await starSnapshot(embedded)).toEqual(before);
      const again = await runCli(['load'], embedded);
      expect(again.code, again.stderr).toBe(0);
      expect(await starSnapshot(embedded)).toEqual(before);
    }, 180_000);
  }
});

describe('a dwh.cfg write cut short', () => {
  test('a process killed while rewriting the file leaves the old bytes or the new, never a mix', async () => {
    const dir = join(base, 'atomic');
    await mkdir(dir);
    const target = join(dir, 'dwh.cfg');
    // Big enough that a plain write would be seen half done.
    const contents = (target: string, filler: string): string =>
      `[WAREHOUSE]\nTARGET = ${target}\n# ${filler.repeat(2_000_000)}\n`;
    const versionA = contents('embedded', 'a');
    const versionB = contents('postgres', 'b');
    await writeFile(target, versionA, { mode: 0o600 });
    const writer = `
      const { writeFileAtomic } = await import(${JSON.stringify(join(root, 'dist/config/atomic.js'))});
      const contents = ${contents.toString()};
      const a = contents('embedded', 'a'), b = contents('postgres', 'b');
      process.send('ready');
      for (let i = 0; ; i += 1) await writeFileAtomic(${JSON.stringify(target)}, i % 2 ? a : b);
    `;
    const seenVersions = new Set<string>();
    for (let round = 0; round < 8; round += 1) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', writer], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      await new Promise<void>((resolveReady) => child.once('message', () => resolveReady()));
      // Read while it writes, then kill it at a different moment each round.
      const deadline = Date.now() + 40 + round * 37;
      while (Date.now() < deadline) {
        const seen = await readFile(target, 'utf8');
        expect(seen === versionA || seen === versionB).toBe(true);
        seenVersions.add(seen === versionA ? 'A' : 'B');
      }
      child.kill('SIGKILL');
      await new Promise((resolveExit) => child.once('exit', resolveExit));
      const after = await readFile(target, 'utf8');
      expect(after === versionA || after === versionB).toBe(true);
    }
    // The writer really was rewriting the file while it was read (else this proves nothing).
    expect([...seenVersions].sort()).toEqual(['A', 'B']);
  }, 60_000);

  test('a write that fails half-way (disk full) leaves the old bytes and no temporary file', async () => {
    const dir = join(base, 'atomic-fail');
    await mkdir(dir);
    const target = join(dir, 'dwh.cfg');
    await writeFile(target, 'old\n', { mode: 0o600 });
    const { open } = await import('node:fs/promises');
    const failingOpen: typeof open = async (...args: Parameters<typeof open>) => {
      const handle = await open(...args);
      // The first half reaches the disk, then the disk is full.
      handle.writeFile = async (data: Parameters<typeof handle.writeFile>[0]) => {
        await handle.write(String(data).slice(0, 3));
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      };
      return handle;
    };
    await expect(writeFileAtomic(target, 'new contents\n', { open: failingOpen })).rejects.toThrow(/ENOSPC/);
    expect(await readFile(target, 'utf8')).toBe('old\n');
    expect(await readdir(dir)).toEqual(['dwh.cfg']);
  });
});
