/**
 * One at a time: while one sparkify-dwh works on a dwh.cfg or an embedded warehouse, a second one
 * on the same file or warehouse stops at once, exit 1, saying which process holds it — instead of
 * interleaving writes to either.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { acquireLock } from '../../src/config/lock.js';
import {
  ensureBuilt,
  failureMessage,
  runCli,
  starSnapshot,
  startCli,
  tempDir,
  writeConfig,
  type RunOptions,
} from '../cli/run.js';

let base: string;
let project: RunOptions;
let loaded: Record<string, unknown[]>;

beforeAll(async () => {
  ensureBuilt();
  base = await tempDir('lock');
  project = { cwd: join(base, 'project') };
  await mkdir(project.cwd);
  expect((await runCli(['generate', '--out', 'small', '--songs', '50', '--events', '500'], { cwd: base })).code).toBe(
    0,
  );
  await writeConfig(join(project.cwd, 'dwh.cfg'), {
    WAREHOUSE: { TARGET: 'embedded' },
    LOCAL: { SONG_DATA: '../small/song_data', LOG_DATA: '../small/log_data' },
  });
  expect((await runCli(['tables', 'create'], project)).code).toBe(0);
  expect((await runCli(['load'], project)).code).toBe(0);
  loaded = await starSnapshot(project);
  expect(loaded.songs).toHaveLength(50);
}, 90_000);

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

function expectRefused(
  result: { code: number | null; stderr: string },
  subject: string,
  pid: number,
  command: string,
): void {
  expect(result.code, result.stderr).toBe(1);
  const [line] = failureMessage(result.stderr);
  expect(line).toMatch(
    new RegExp(
      `^✖ ${subject} is in use by another sparkify-dwh \\(pid ${pid}, "${command}", ` +
        'since \\d\\d:\\d\\d:\\d\\d\\); wait for it to finish or stop it$',
    ),
  );
}

describe('a lock held by another live process', () => {
  test('dwh.cfg locked: load, tables create and setup --yes stop, naming the pid; nothing changes', async () => {
    const cfg = await readFile(join(project.cwd, 'dwh.cfg'));
    const release = await acquireLock(join(project.cwd, 'dwh.cfg.lock'), 'cluster create');
    try {
      for (const args of [['load'], ['tables', 'create', '--yes'], ['setup', '--yes']]) {
        expectRefused(await runCli(args, project), 'dwh.cfg', process.pid, 'cluster create');
      }
    } finally {
      await release();
    }
    expect(await readFile(join(project.cwd, 'dwh.cfg'))).toEqual(cfg);
    expect(await starSnapshot(project)).toEqual(loaded);
  });

  test('embedded warehouse locked: even read-only commands (check, sql) stop, naming the pid', async () => {
    const release = await acquireLock(join(project.cwd, '.sparkify/warehouse.lock'), 'load');
    try {
      // Named as the embedded warehouse, with its folder (issue 9: a clear message for a lock wait).
      const subject = 'the embedded warehouse \\.sparkify/warehouse';
      expectRefused(await runCli(['check'], project), subject, process.pid, 'load');
      expectRefused(await runCli(['sql', 'SELECT 1'], project), subject, process.pid, 'load');
    } finally {
      await release();
    }
    expect(await starSnapshot(project)).toEqual(loaded);
  });
});

test('while a real load runs, a second wizard on its dwh.cfg, or on its warehouse through another, stops', async () => {
  expect(
    (await runCli(['generate', '--out', 'big', '--songs', '1000', '--events', '150000'], { cwd: base })).code,
  ).toBe(0);
  const other = { cwd: join(base, 'other') };
  await mkdir(other.cwd);
  // Another folder's dwh.cfg pointing at the first project's embedded warehouse.
  await writeConfig(join(other.cwd, 'dwh.cfg'), {
    WAREHOUSE: { TARGET: 'embedded', EMBEDDED_DIR: '../project/.sparkify/warehouse' },
  });
  await writeConfig(join(project.cwd, 'dwh.cfg'), {
    WAREHOUSE: { TARGET: 'embedded' },
    LOCAL: { SONG_DATA: '../big/song_data', LOG_DATA: '../big/log_data' },
  });

  const { child, done } = startCli(['load'], project);
  let stderr = '';
  child.stderr!.on('data', (text: string) => (stderr += text));
  try {
    const deadline = Date.now() + 30_000;
    while (!/staging_songs: reading/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expectRefused(await runCli(['load'], project), 'dwh.cfg', child.pid!, 'load');
    expectRefused(
      await runCli(['tables', 'create', '--yes'], other),
      'the embedded warehouse /\\S+/project/\\.sparkify/warehouse',
      child.pid!,
      'load',
    );
    // The first load was not disturbed.
    expect(child.exitCode).toBe(null);
  } finally {
    child.kill('SIGINT');
  }
  const first = await done;
  expect(first.code, first.stderr).toBe(130);
  // And once it is gone, the second runs.
  const sql = await runCli(['sql', 'SELECT count(*) AS n FROM songs', '--format', 'json'], other);
  expect(sql.code, sql.stderr).toBe(0);
  expect(JSON.parse(sql.stdout)).toEqual([{ n: 50 }]);
}, 120_000);
