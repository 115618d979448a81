/**
 * `sparkify-dwh demo` as a newcomer runs it: an empty folder, no dwh.cfg, no AWS. It must print
 * the analytics, and the commands it suggests afterwards must work on the same warehouse.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureBuilt, failureMessage, runCli, starSnapshot, tempDir, writeConfig } from './run.js';

let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = await tempDir('demo');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('demo in an empty folder: data → tables → load → checks → every analytics table; then sql on it', async () => {
  const demo = await runCli(['demo', '--songs', '120', '--events', '1500'], { cwd: dir, timeoutMs: 120_000 });
  expect(demo.stderr).not.toMatch(/✖/);
  expect(demo.code).toBe(0);
  const out = demo.stdout + demo.stderr;
  expect(out).toMatch(/✔ Generated 120 song files and 1,500 events/);
  expect(out).toMatch(/✔ Tables: created 7 tables/);
  expect(out).toMatch(/✔ Loaded [\d,]+ songplays from 1,500 events and 120 songs/);
  expect(out).toMatch(/All \d+ checks passed/);
  for (const title of [
    'Top 10 songs',
    'Top 10 artists',
    'Free vs paid',
    'Plays by day of the week',
    'Catalog match rate',
  ])
    expect(out).toContain(title);
  expect(out).toMatch(/┌─/);

  // It left a private dwh.cfg behind, made from the example, so the suggested next commands work.
  expect((await stat(join(dir, 'dwh.cfg'))).mode & 0o777).toBe(0o600);
  expect(await readFile(join(dir, 'dwh.cfg'), 'utf8')).toMatch(/^TARGET = embedded$/m);
  const loaded = /✔ Loaded ([\d,]+) songplays/.exec(out)![1]!.replaceAll(',', '');
  const sql = await runCli(['sql', 'SELECT count(*)::int AS n FROM songplays', '--format', 'json'], { cwd: dir });
  expect(sql.code).toBe(0);
  expect(JSON.parse(sql.stdout)).toEqual([{ n: Number(loaded) }]);

  // A second demo reuses the generated files and gives the same tables.
  const again = await runCli(['demo', '--songs', '120', '--events', '1500'], { cwd: dir, timeoutMs: 120_000 });
  expect(again.code).toBe(0);
  expect(again.stdout + again.stderr).toMatch(/Reusing the generated data in \.sparkify\/demo-data/);
  expect(again.stdout + again.stderr).toContain(`✔ Loaded ${Number(loaded).toLocaleString('en-US')} songplays`);
}, 240_000);

test('demo over the user’s data in the embedded warehouse: refused without a terminal; --yes replaces it', async () => {
  const user = await tempDir('demo-user');
  try {
    await writeConfig(join(user, 'dwh.cfg'), { WAREHOUSE: { TARGET: 'embedded' } });
    // The user's own data, in [LOCAL]'s default folders, loaded into the embedded warehouse.
    expect(
      (await runCli(['generate', '--out', 'data', '--songs', '200', '--events', '3000'], { cwd: user })).code,
    ).toBe(0);
    expect((await runCli(['tables', 'create'], { cwd: user })).code).toBe(0);
    const load = await runCli(['load'], { cwd: user });
    expect(load.code, load.stderr).toBe(0);
    const before = await starSnapshot({ cwd: user });
    const songplays = before.songplays!.length.toLocaleString('en-US');

    // No terminal (stdin is not one), no --yes: as `demo --songs 50 --events 100 </dev/null`.
    const refused = await runCli(['demo', '--songs', '50', '--events', '100'], { cwd: user, timeoutMs: 120_000 });
    expect(refused.code, refused.stderr).toBe(1);
    const [line, hint] = failureMessage(refused.stderr);
    expect(line).toMatch(
      new RegExp(
        `^✖ embedded \\(PGlite\\) at .*\\.sparkify/warehouse holds ${songplays} songplays loaded on ` +
          '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC from data/song_data and data/log_data; ' +
          'the demo would replace them, so nothing was changed$',
      ),
    );
    expect(hint).toBe(
      '  → pass --yes to replace them, or run the demo in a fresh folder ' +
        '(or with [WAREHOUSE] EMBEDDED_DIR set to another folder)',
    );
    expect(refused.stderr).not.toMatch(/Generat/);
    expect(await starSnapshot({ cwd: user })).toEqual(before);

    // --yes replaces it, saying what goes; after that the data is the demo's own: no question.
    const replaced = await runCli(['demo', '--songs', '50', '--events', '100', '--yes'], {
      cwd: user,
      timeoutMs: 120_000,
    });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stderr + replaced.stdout).toContain(`--yes: replacing ${songplays} songplays loaded on`);
    const again = await runCli(['demo', '--songs', '50', '--events', '100'], { cwd: user, timeoutMs: 120_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr + again.stdout).not.toMatch(/replacing/i);
  } finally {
    await rm(user, { recursive: true, force: true });
  }
}, 300_000);
