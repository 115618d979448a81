/**
 * Ctrl-C during a long statement on the embedded warehouse, with the BUILT program: PGlite runs
 * in a worker thread, so the program hears Ctrl-C at once (before, PGlite blocked the event loop
 * and both Ctrl-Cs waited for the statement), one Ctrl-C ends the statement, and the warehouse
 * opens normally afterwards. Also: a symbolic link to the warehouse folder shares its lock.
 */
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureBuilt, runCli, startCli, tempDir, writeConfig, type RunOptions } from '../cli/run.js';

let project: RunOptions;

/** Runs for many minutes without writing anything. */
const LONG_QUERY = 'SELECT count(*) FROM generate_series(1, 2000000000) AS s(i) WHERE i % 7 = 3';

beforeAll(async () => {
  ensureBuilt();
  project = { cwd: await tempDir('embedded-interrupt') };
  await writeConfig(join(project.cwd, 'dwh.cfg'), { WAREHOUSE: { TARGET: 'embedded' } });
  // The warehouse exists before the tests, so the statement starts soon after the program does.
  expect((await runCli(['sql', 'SELECT 1'], project)).code).toBe(0);
}, 120_000);

afterAll(async () => {
  await rm(project.cwd, { recursive: true, force: true });
});

test('one Ctrl-C during a long embedded query exits 130 within about a second; the warehouse opens after', async () => {
  const { child, done } = startCli(['sql', LONG_QUERY], { ...project, timeoutMs: 120_000 });
  let exited = false;
  void done.then(() => (exited = true));
  // Time to open the warehouse and start the statement (which then runs for minutes).
  await new Promise((resolveWait) => setTimeout(resolveWait, 6000));
  expect(exited).toBe(false);
  const interrupted = Date.now();
  child.kill('SIGINT');
  const result = await done;
  expect(Date.now() - interrupted).toBeLessThan(2000);
  expect(result.code, result.stderr).toBe(130);
  expect(result.stderr).not.toMatch(/✖|unexpected error|\n\s+at /);
  const after = await runCli(['sql', 'SELECT 1 AS one', '--format', 'json'], project);
  expect(after.code, after.stderr).toBe(0);
  expect(JSON.parse(after.stdout)).toEqual([{ one: 1 }]);
}, 180_000);

test('a symbolic link to the warehouse shares its lock: two runs under two names cannot both open it', async () => {
  const linked = { cwd: join(project.cwd, 'linked') };
  await mkdir(linked.cwd);
  await symlink(join(project.cwd, '.sparkify', 'warehouse'), join(linked.cwd, 'warehouse-link'));
  await writeConfig(join(linked.cwd, 'dwh.cfg'), { WAREHOUSE: { TARGET: 'embedded', EMBEDDED_DIR: 'warehouse-link' } });
  const { child, done } = startCli(['sql', LONG_QUERY], { ...project, timeoutMs: 120_000 });
  try {
    await new Promise((resolveWait) => setTimeout(resolveWait, 4000));
    const second = await runCli(['sql', 'SELECT 1'], linked);
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(/is in use by another sparkify-dwh \(pid \d+, "sql/);
  } finally {
    child.kill('SIGKILL');
    await done;
  }
  // Once the first run is gone, the link opens the same warehouse (its stale lock is taken over).
  const through = await runCli(['sql', 'SELECT 1 AS one', '--format', 'json'], linked);
  expect(through.code, through.stderr).toBe(0);
}, 180_000);
