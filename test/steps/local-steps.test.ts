/**
 * The local steps driven the way the menu and `setup` drive them: scripted prompt answers in,
 * recorded output out, on real warehouses.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { InterruptedError, UsageError, UserError } from '../../src/errors.js';
import { runDemo } from '../../src/steps/demo.js';
import { createNoTerminalPrompts } from '../../src/ui/prompts.js';
import type { AppContext } from '../../src/context.js';
import { runAnalytics } from '../../src/steps/analytics.js';
import { runGenerate, runGenerateCommand } from '../../src/steps/generate.js';
import { loadStatus, loadStep, runLoad } from '../../src/steps/load.js';
import { runMenu } from '../../src/steps/menu.js';
import { runSetup } from '../../src/steps/setup.js';
import { runSql } from '../../src/steps/sql.js';
import { runTablesCreate, tablesStatus } from '../../src/steps/tables.js';
import { runCheck } from '../../src/steps/check.js';
import { ensureConfig } from '../../src/steps/config.js';
import { statusSnapshot } from '../../src/steps/state.js';
import { openEmbedded } from '../../src/warehouse/embedded.js';
import { makeTestContext } from '../support/context.js';

type Made = Awaited<ReturnType<typeof makeTestContext>>;
let made: Made[] = [];
afterEach(async () => {
  for (const m of made) await m.cleanup();
  made = [];
});

async function context(options: Parameters<typeof makeTestContext>[0]): Promise<Made> {
  const m = await makeTestContext(options);
  made.push(m);
  return m;
}

const LOCAL_CONFIG =
  '[WAREHOUSE]\nTARGET = embedded\n\n[LOCAL]\nSONG_DATA = data/song_data\nLOG_DATA = data/log_data\n';

async function loadedContext(answers: unknown[] = []): Promise<Made> {
  const m = await context({ config: LOCAL_CONFIG, answers, warehouse: await openEmbedded(undefined) });
  await runGenerate(m.ctx, { out: 'data', songs: 40, events: 400, seed: 3 });
  await runTablesCreate(m.ctx);
  expect((await runLoad(m.ctx)).ok).toBe(true);
  return m;
}

async function count(m: Made, table: string): Promise<number> {
  const result = await (await m.ctx.warehouse()).query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return result.rows[0]!.n;
}

describe('setup', () => {
  test('from nothing: offers dwh.cfg and sample data, then runs every step; a rerun skips what is done', async () => {
    const m = await context({ answers: [true, 'This computer', true, 'This computer'] });
    expect((await runSetup(m.ctx)).ok).toBe(true);
    expect(m.prompts.asked.map((p) => [p.kind, p.message])).toEqual([
      ['confirm', './dwh.cfg does not exist. Create it from dwh.cfg.example?'.replace('./', '')],
      ['select', 'Where does the warehouse live?'],
      ['confirm', 'No data at data/song_data / data/log_data: generate the sample set there?'],
    ]);
    const mode = (await stat(m.configPath)).mode & 0o777;
    expect(mode).toBe(0o600);
    expect(await readFile(m.configPath, 'utf8')).toBe(
      await readFile(new URL('../../dwh.cfg.example', import.meta.url), 'utf8'),
    );
    expect(await count(m, 'songplays')).toBeGreaterThan(0);
    expect(m.ui.text()).toMatch(/All \d+ checks passed/);
    expect(m.ui.text()).toMatch(/Setup complete/);
    // It holds credentials once filled in: git must leave it out of the user's folder.
    expect(m.ui.text()).toContain('Created dwh.cfg (mode 0600) from dwh.cfg.example');
    expect(m.ui.text()).toContain('./.gitignore now lists dwh.cfg and .sparkify/, so git leaves them out');

    const songplays = await count(m, 'songplays');
    const before = m.ui.text().length;
    expect((await runSetup(m.ctx)).ok).toBe(true);
    const rerun = m.ui.text().slice(before);
    expect(rerun).toMatch(/Create tables: already done/);
    expect(rerun).toMatch(/Load data: already done/);
    expect(m.prompts.remaining()).toBe(0);
    expect(await count(m, 'songplays')).toBe(songplays);
  });

  test('a .gitignore the wizard cannot write is a warning that says what to do, not a failure', async () => {
    const m = await context({ answers: [true] });
    await mkdir(join(dirname(m.configPath), '.gitignore'));
    await ensureConfig(m.ctx);
    expect(m.ui.of('warn')).toEqual([
      '⚠ Could not add dwh.cfg to ./.gitignore (a folder is in the way): ' +
        'add it yourself before you commit this folder, it will hold credentials',
    ]);
    expect((await stat(m.configPath)).mode & 0o777).toBe(0o600);
  });

  test('declining to create dwh.cfg stops with a clear error and writes nothing', async () => {
    const m = await context({ answers: [false] });
    await expect(runSetup(m.ctx)).rejects.toThrow(/dwh\.cfg does not exist/);
    await expect(stat(m.configPath)).rejects.toThrow();
  });
});

describe('generate', () => {
  test('the command says where dwh.cfg must point; demo, which loads the files itself, does not', async () => {
    const m = await context({});
    expect((await runGenerateCommand(m.ctx, { out: 'data', songs: 5, events: 20, seed: 1 })).ok).toBe(true);
    expect(m.ui.text()).toContain('Point [LOCAL] SONG_DATA at data/song_data and LOG_DATA at data/log_data');
    const demo = await context({ warehouse: await openEmbedded(undefined) });
    expect((await runDemo(demo.ctx, { songs: 5, events: 20 })).ok).toBe(true);
    expect(demo.ui.text()).toMatch(/Generated 5 song files/);
    expect(demo.ui.text()).not.toContain('Point [LOCAL]');
  });
});

describe('tables create', () => {
  test('asks before dropping loaded tables; "no" leaves every row where it was', async () => {
    const m = await loadedContext([false]);
    const songplays = await count(m, 'songplays');
    const result = await runTablesCreate(m.ctx);
    expect(result).toEqual({ ok: true, summary: 'tables left as they were' });
    expect(m.prompts.asked.at(-1)?.message).toMatch(
      /^Embedded \(PGlite\) in memory holds [\d,]+ songplays .*: drop them and create empty tables\?$/,
    );
    expect(await count(m, 'songplays')).toBe(songplays);
  });

  test('"yes" drops and recreates them empty', async () => {
    const m = await loadedContext([true]);
    expect((await runTablesCreate(m.ctx)).ok).toBe(true);
    expect(await count(m, 'songplays')).toBe(0);
    expect(await count(m, 'staging_events')).toBe(0);
  });
});

describe('load', () => {
  test('without tables it says to create them first', async () => {
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined) });
    await expect(runLoad(m.ctx)).rejects.toThrow(
      /no staging_events, staging_songs, songs, artists, users, songplays, time tables/,
    );
  });

  test('a data folder that is not one is named with its dwh.cfg key and loads nothing', async () => {
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined) });
    await runTablesCreate(m.ctx);
    // Both paths are there, so there is no sample set to offer; but song_data is a file.
    await mkdir(join(dirname(m.configPath), 'data', 'log_data'), { recursive: true });
    await writeFile(join(dirname(m.configPath), 'data', 'song_data'), '');
    await expect(runLoad(m.ctx)).rejects.toThrow(/\[LOCAL\] SONG_DATA/);
    expect(await count(m, 'staging_songs')).toBe(0);
  });

  const NO_DATA = 'No data at data/song_data / data/log_data: generate the sample set there?';

  test('no data: load offers the sample set as setup does; yes generates it and loads it', async () => {
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined), answers: [true] });
    await runTablesCreate(m.ctx);
    expect((await runLoad(m.ctx)).ok).toBe(true);
    expect(m.prompts.messages()).toEqual([NO_DATA]);
    expect(m.ui.text()).toMatch(/Generated 1,000 song files/);
    expect(await count(m, 'songplays')).toBeGreaterThan(0);
  });

  test('no data, the offer declined: says where to put data and loads nothing', async () => {
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined), answers: [false] });
    await runTablesCreate(m.ctx);
    expect(await runLoad(m.ctx)).toEqual({ ok: false, summary: 'no data to load' });
    expect(m.ui.of('error')).toEqual([
      '✖ Nothing to load: put song_data and log_data folders there, ' +
        'or set [LOCAL] SONG_DATA and LOG_DATA in dwh.cfg.',
    ]);
    expect(await stat(join(dirname(m.configPath), 'data')).catch(() => undefined)).toBeUndefined();
    expect(await count(m, 'staging_songs')).toBe(0);
  });

  test('no data under --yes, from the menu or setup: the sample set is generated and loaded unattended', async () => {
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined), yes: true });
    await runTablesCreate(m.ctx);
    expect((await loadStep.run(m.ctx)).ok).toBe(true);
    expect(await count(m, 'songplays')).toBeGreaterThan(0);
  });

  test('no data under `load --yes`: names the missing folder and its key, generates nothing', async () => {
    // The data is required there: made-up rows in place of a mistyped path would replace real tables.
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined), yes: true });
    await runTablesCreate(m.ctx);
    await expect(runLoad(m.ctx)).rejects.toThrow('[LOCAL] SONG_DATA: folder data/song_data does not exist');
    expect(await stat(join(dirname(m.configPath), 'data')).catch(() => undefined)).toBeUndefined();
    expect(await count(m, 'staging_songs')).toBe(0);
  });

  test('no data under --yes --dry-run: plans the sample set and the load, writes and loads nothing', async () => {
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined), yes: true });
    await runTablesCreate(m.ctx);
    const dryRun = Object.create(m.ctx, { options: { value: { ...m.ctx.options, dryRun: true } } }) as AppContext;
    expect(await loadStep.run(dryRun)).toEqual({ ok: true, summary: 'would generate the sample set and load it' });
    expect(m.ui.text()).toContain('plan  load: the sample set, once generated, into staging and then the star schema');
    expect(await stat(join(dirname(m.configPath), 'data')).catch(() => undefined)).toBeUndefined();
    expect(await count(m, 'staging_songs')).toBe(0);
  });

  test('no data, no terminal and no --yes: names the missing folder and how to generate, writes nothing', async () => {
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined) });
    await runTablesCreate(m.ctx);
    const error = await runLoad(withoutTerminal(m.ctx)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('[LOCAL] SONG_DATA: folder data/song_data does not exist');
    expect((error as UserError).hint).toMatch(/sparkify-dwh generate --out/);
    expect(await stat(join(dirname(m.configPath), 'data')).catch(() => undefined)).toBeUndefined();
  });

  test('an abort (Ctrl-C) during the load rolls everything back', async () => {
    const m = await loadedContext();
    const songplays = await count(m, 'songplays');
    m.ctx.abort();
    await expect(runLoad(m.ctx)).rejects.toBeInstanceOf(InterruptedError);
    expect(await count(m, 'songplays')).toBe(songplays);
    m.ctx.resetInterrupt();
    expect((await runLoad(m.ctx)).ok).toBe(true);
  });
});

describe('what the load says when it stops', () => {
  /** The load, with Ctrl-C pressed as the spinner of `table`'s transform appears. */
  async function interruptTransform(m: Made, table: string): Promise<unknown> {
    const spinner = m.ui.spinner.bind(m.ui);
    m.ui.spinner = (text) => {
      const shown = spinner(text);
      if (text.startsWith(`${table}: transforming`)) m.ctx.abort();
      return shown;
    };
    return runLoad(m.ctx).catch((error: unknown) => error);
  }

  test('Ctrl-C during a transform says the load was interrupted, not that it failed', async () => {
    const m = await loadedContext();
    const songplays = await count(m, 'songplays');
    expect(await interruptTransform(m, 'songs')).toBeInstanceOf(InterruptedError);
    // The loader reports its refused statement a moment later: it must not turn into a failure.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const spinners = m.ui.of('spinner');
    expect(spinners).toContain('⚠ songs: interrupted; the tables are as they were before the load');
    expect(spinners.filter((line) => /fail/i.test(line))).toEqual([]);
    m.ctx.resetInterrupt();
    expect(await count(m, 'songplays')).toBe(songplays);
  });

  test('a transform that really fails says so', async () => {
    const m = await loadedContext();
    await (await m.ctx.warehouse()).query('ALTER TABLE songs DROP COLUMN year');
    await expect(runLoad(m.ctx)).rejects.toThrow(/year/);
    expect(m.ui.of('spinner')).toContain('✖ songs: transform failed; the tables are as they were before the load');
    expect(m.ui.text()).not.toMatch(/interrupted/);
  });
});

describe('analytics and sql', () => {
  test('csv and json formats, and an unknown query name is a usage error listing the names', async () => {
    const m = await loadedContext();
    await runAnalytics(m.ctx, { query: 'free-vs-paid', format: 'csv' });
    // The user's data, written as it streams: the header, then the rows.
    const csv = m.ui.of('data').slice(-2).join('\n');
    expect(csv).toMatch(/^level,plays,users\nfree,\d+,\d+\npaid,\d+,\d+$/);
    await runAnalytics(m.ctx, { query: 'plays-by-weekday', format: 'json' });
    const json = JSON.parse((m.ui.lines.at(-1) as { text: string }).text) as Array<{ weekday: string; plays: number }>;
    expect(json.map((r) => r.weekday)).toEqual(
      ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'].filter((d) =>
        json.some((r) => r.weekday === d),
      ),
    );
    expect(json.reduce((sum, r) => sum + r.plays, 0)).toBe(await count(m, 'songplays'));
    const error = await runAnalytics(m.ctx, { query: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).hint).toMatch(/plays-by-hour, top-songs, top-artists/);
  });

  test('sql is read-only by the database itself', async () => {
    const m = await loadedContext();
    const before = await count(m, 'songplays');
    await expect(runSql(m.ctx, { query: 'DELETE FROM songplays' })).rejects.toThrow(/read-only/);
    await expect(runSql(m.ctx, { query: 'COMMIT; DROP TABLE songplays' })).rejects.toThrow();
    expect(await count(m, 'songplays')).toBe(before);
    expect((await runSql(m.ctx, { query: 'SELECT count(*) AS n FROM songplays' })).summary).toBe('1 rows');
  });
});

describe('menu', () => {
  test('runs the chosen steps, shows a failing step as one line and carries on, quits on request', async () => {
    const m = await context({
      config: LOCAL_CONFIG,
      warehouse: await openEmbedded(undefined),
      answers: ['Load data', 'Create tables', 'Quit'],
    });
    expect((await runMenu(m.ctx)).ok).toBe(true);
    const text = m.ui.text();
    expect(text).toMatch(/the warehouse has no staging_events/); // load before tables: an error line, not a crash
    expect(text).toMatch(/Tables: created 7 tables/);
    expect(m.prompts.asked.filter((p) => p.message === 'What next?')).toHaveLength(3);
  });

  test('Ctrl-C inside a step returns to the menu; Ctrl-C at the menu ends it', async () => {
    const m = await loadedContext();
    const scripted = await context({
      config: LOCAL_CONFIG,
      warehouse: await openEmbedded(undefined),
      answers: ['Run SQL', new InterruptedError(), new InterruptedError()],
    });
    void m;
    await expect(runMenu(scripted.ctx)).rejects.toBeInstanceOf(InterruptedError);
    expect(scripted.ui.text()).toMatch(/Stopped; back to the menu\./);
    expect(scripted.prompts.asked.map((p) => p.message)).toEqual(['What next?', 'SQL>', 'What next?']);
  });
});

describe('load --song-prefix on a local target (issue 9)', () => {
  test('loads only the song files under that sub-folder of [LOCAL] SONG_DATA, as on S3', async () => {
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined) });
    await runGenerate(m.ctx, { out: 'data', songs: 60, events: 200, seed: 5 });
    await runTablesCreate(m.ctx);
    const { readdir } = await import('node:fs/promises');
    const first = (await readdir(m.path('data/song_data'))).sort()[0]!;
    const expected = (await readdir(m.path('data/song_data', first), { recursive: true })).filter((f) =>
      f.endsWith('.json'),
    ).length;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(60);
    expect((await runLoad(m.ctx, { songPrefix: `${first}/` })).ok).toBe(true);
    expect(await count(m, 'staging_songs')).toBe(expected);
    expect(await count(m, 'staging_events')).toBe(200);
  });

  test('a prefix that leaves SONG_DATA, or names no folder, is refused and loads nothing', async () => {
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined) });
    await runGenerate(m.ctx, { out: 'data', songs: 20, events: 50, seed: 5 });
    await runTablesCreate(m.ctx);
    await expect(runLoad(m.ctx, { songPrefix: '../log_data' })).rejects.toThrow(
      /--song-prefix "\.\.\/log_data" must stay inside the song data: no \. or \.\. parts/,
    );
    await expect(runLoad(m.ctx, { songPrefix: 'Q/Q/' })).rejects.toThrow(
      /\[LOCAL\] SONG_DATA with --song-prefix Q\/Q\/: folder data\/song_data\/Q\/Q does not exist/,
    );
    expect(await count(m, 'staging_songs')).toBe(0);
  });
});

/** The same context, as a run without a terminal and without --yes would have it. */
function withoutTerminal(ctx: AppContext): AppContext {
  return Object.create(ctx, { prompts: { value: createNoTerminalPrompts() } }) as AppContext;
}

const HOLDS_LOCAL =
  /^[Ee]mbedded \(PGlite\) in memory holds [\d,]+ songplays loaded on \d{4}-\d\d-\d\d \d\d:\d\d UTC from data\/song_data and data\/log_data/;

describe('nothing drops data it did not put there unasked (issue 9)', () => {
  test('tables create says what the tables hold and where it came from, and the default is No', async () => {
    const m = await loadedContext([undefined]);
    const songplays = await count(m, 'songplays');
    expect(await runTablesCreate(m.ctx)).toEqual({ ok: true, summary: 'tables left as they were' });
    const asked = m.prompts.asked.at(-1)!;
    expect(asked.message).toMatch(HOLDS_LOCAL);
    expect(asked.message).toMatch(/: drop them and create empty tables\?$/);
    expect(asked.answer).toBe(false);
    expect(await count(m, 'songplays')).toBe(songplays);
  });

  test('tables create without a terminal refuses with what it would drop and how to go ahead', async () => {
    const m = await loadedContext();
    const songplays = await count(m, 'songplays');
    const error = await runTablesCreate(withoutTerminal(m.ctx)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(HOLDS_LOCAL);
    expect((error as UserError).message).toMatch(/; tables create would drop them, so nothing was changed$/);
    expect((error as UserError).hint).toBe('pass --yes to drop them anyway');
    expect(await count(m, 'songplays')).toBe(songplays);
  });

  test('demo over the user’s data asks (default No) and leaves it; without a terminal it refuses', async () => {
    const m = await loadedContext([undefined]);
    const songplays = await count(m, 'songplays');
    expect(await runDemo(m.ctx, { songs: 30, events: 100 })).toEqual({
      ok: false,
      summary: 'demo not run: the warehouse was left as it was',
    });
    expect(m.prompts.asked.at(-1)?.message).toMatch(HOLDS_LOCAL);
    expect(m.prompts.asked.at(-1)?.message).toMatch(/: replace them with the demo data\?$/);
    const error = await runDemo(withoutTerminal(m.ctx), { songs: 30, events: 100 }).catch((e: unknown) => e);
    expect((error as UserError).message).toMatch(HOLDS_LOCAL);
    expect((error as UserError).message).toMatch(/; the demo would replace them, so nothing was changed$/);
    expect((error as UserError).hint).toBe(
      'pass --yes to replace them, or run the demo in a fresh folder ' +
        '(or with [WAREHOUSE] EMBEDDED_DIR set to another folder)',
    );
    expect(await count(m, 'songplays')).toBe(songplays);
  });

  test('before the tables exist, Load data is not offered as a next step: it says to create them first', async () => {
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined) });
    expect(await loadStatus(m.ctx, statusSnapshot(m.ctx))).toEqual({
      state: 'unavailable',
      detail: 'create tables first',
    });
    await runTablesCreate(m.ctx);
    expect(await loadStatus(m.ctx, statusSnapshot(m.ctx))).toEqual({ state: 'todo', detail: 'nothing loaded yet' });
  });

  test('the load history is not one of the seven tables: statuses and checks are as before', async () => {
    const m = await loadedContext();
    expect(await count(m, 'sparkify_load_history')).toBe(1);
    const snapshot = statusSnapshot(m.ctx);
    expect(await tablesStatus(m.ctx, snapshot)).toEqual({ state: 'done', detail: '7 tables' });
    expect((await loadStatus(m.ctx, snapshot)).state).toBe('done');
    expect((await runCheck(m.ctx)).ok).toBe(true);
  });

  test('demo replaces its own data without a question, even without a terminal', async () => {
    const m = await context({ config: LOCAL_CONFIG, warehouse: await openEmbedded(undefined), yes: true });
    expect((await runDemo(m.ctx, { songs: 30, events: 100 })).ok).toBe(true);
    const first = await count(m, 'songplays');
    expect(first).toBeGreaterThan(0);
    const again = await runDemo(withoutTerminal(m.ctx), { songs: 30, events: 100 });
    expect(again.ok).toBe(true);
    expect(m.ui.text()).not.toMatch(/Replacing/);
    expect(await count(m, 'songplays')).toBe(first);
  });
});
