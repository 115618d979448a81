/**
 * `check` and `analytics` record their last run (when, and the result) beside dwh.cfg, so the menu
 * shows them done instead of "not yet", failed when checks failed, and stale once the tables change.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, expect, test } from 'vitest';
import { DATA_CHECKS } from '../../src/sql/checks.js';
import { analyticsStep, runAnalytics } from '../../src/steps/analytics.js';
import { checkStep, runCheck } from '../../src/steps/check.js';
import { runGenerate } from '../../src/steps/generate.js';
import { fileRunStore, readLastRuns, recordLastRun, type RunStore } from '../../src/steps/last-run.js';
import { runLoad } from '../../src/steps/load.js';
import { runMenu } from '../../src/steps/menu.js';
import { readWarehouseState, statusSnapshot } from '../../src/steps/state.js';
import { runTablesCreate } from '../../src/steps/tables.js';
import type { Clock } from '../../src/context.js';
import { formatWhen } from '../../src/ui/menu.js';
import { SelectAbortedError } from '../../src/ui/prompts.js';
import type { SelectPrompt } from '../../src/ui/types.js';
import { openEmbedded } from '../../src/warehouse/embedded.js';
import { makeTestContext } from '../support/context.js';

type Made = Awaited<ReturnType<typeof makeTestContext>>;
const made: Made[] = [];
afterEach(async () => {
  for (const m of made.splice(0)) await m.cleanup();
});

const LOCAL_CONFIG =
  '[WAREHOUSE]\nTARGET = embedded\n\n[LOCAL]\nSONG_DATA = data/song_data\nLOG_DATA = data/log_data\n';
/** 14:05 local time on a fixed day, so the menu's "when" is known. */
const NOW = new Date(2026, 2, 3, 14, 5).getTime();
const clock: Clock = { now: () => NOW, sleep: () => Promise.resolve() };

async function loaded(answers: unknown[] = []): Promise<Made> {
  const m = await makeTestContext({ config: LOCAL_CONFIG, answers, clock, warehouse: await openEmbedded(undefined) });
  made.push(m);
  await runGenerate(m.ctx, { out: 'data', songs: 40, events: 400, seed: 3 });
  await runTablesCreate(m.ctx);
  expect((await runLoad(m.ctx)).ok).toBe(true);
  return m;
}

test('after check and analytics the menu shows them done, with when; changed tables make them stale', async () => {
  const m = await loaded();
  const status = async () => {
    const snapshot = statusSnapshot(m.ctx);
    return [await checkStep.status(m.ctx, snapshot), await analyticsStep.status(m.ctx, snapshot)];
  };
  const [checkBefore, analyticsBefore] = await status();
  expect(checkBefore).toEqual({ state: 'todo', detail: `${DATA_CHECKS.length} checks ready` });
  expect(analyticsBefore?.state).toBe('todo');

  expect((await runCheck(m.ctx)).ok).toBe(true);
  expect((await runAnalytics(m.ctx, { query: 'top-songs' })).ok).toBe(true);
  expect(await status()).toEqual([
    { state: 'done', detail: `${DATA_CHECKS.length} passed 14:05` },
    { state: 'done', detail: '1 query 14:05' },
  ]);
  // Kept beside dwh.cfg, naming the warehouse by its folder; nothing secret in it.
  const file = JSON.parse(await readFile(m.path('.sparkify', 'runs.json'), 'utf8')) as {
    warehouses: Record<string, { check: { passed: number; failed: number; rows: Record<string, number> } }>;
  };
  const [key, runs] = Object.entries(file.warehouses)[0]!;
  expect(key).toBe(`embedded:${m.path('.sparkify', 'warehouse')}`);
  expect(runs.check).toMatchObject({ passed: DATA_CHECKS.length, failed: 0 });
  expect(runs.check.rows.songplays).toBeGreaterThan(0);

  // One songplay fewer: the checks no longer describe these tables.
  await (
    await m.ctx.warehouse()
  ).query('DELETE FROM songplays WHERE songplay_id = (SELECT min(songplay_id) FROM songplays)');
  expect(await status()).toEqual([
    { state: 'stale', detail: 'tables changed since the check at 14:05' },
    { state: 'stale', detail: 'tables changed since the analytics at 14:05' },
  ]);
});

test('failed checks show as failed with the counts; the guided setup counts them as to do', async () => {
  const m = await loaded();
  const state = await readWarehouseState(m.ctx);
  await recordLastRun(m.ctx, 'check', state, { passed: DATA_CHECKS.length - 2, failed: 2 });
  const check = await checkStep.status(m.ctx, statusSnapshot(m.ctx));
  expect(check).toEqual({ state: 'failed', detail: `2 of ${DATA_CHECKS.length} failed 14:05` });
  await recordLastRun(m.ctx, 'analytics', state, { passed: 8, failed: 0 });
  const choices = await finalMenuLabels(m);
  // Tables and load are done, analytics ran: only the failed check is left.
  expect(choices[0]).toBe('Guided setup (1 step to do)');
  expect(choices.find((name) => name.startsWith('Check data quality'))).toBe(
    `Check data quality       ✖ failed (2 of ${DATA_CHECKS.length} failed 14:05)`,
  );
});

test('runs belong to their warehouse: another one has none; a store that cannot be written costs a note', async () => {
  const m = await makeTestContext({ config: LOCAL_CONFIG, clock });
  made.push(m);
  const state = { tables: new Set(['songplays']), rows: new Map([['songplays', 3]]) };
  const store = fileRunStore(m.path('.sparkify', 'runs.json'));
  await recordLastRun(m.ctx, 'check', state, { passed: 8, failed: 0 }, store);
  expect((await readLastRuns(m.ctx, store)).check?.passed).toBe(8);
  await m.ctx.config.update([{ section: 'WAREHOUSE', key: 'EMBEDDED_DIR', value: 'elsewhere' }]);
  expect(await readLastRuns(m.ctx, store)).toEqual({});

  const broken: RunStore = {
    read: () => Promise.resolve({}),
    write: () => Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })),
  };
  await recordLastRun(m.ctx, 'check', state, { passed: 8, failed: 0 }, broken);
  expect(m.ui.of('note').join('\n')).toMatch(/^This check run was not recorded for the menu \(.+\)\.$/);
});

test('formatWhen: the time today, the day before that, the year when it is another one', () => {
  expect(formatWhen(new Date(2026, 2, 3, 9, 7).getTime(), NOW)).toBe('09:07');
  expect(formatWhen(new Date(2026, 2, 1, 23, 59).getTime(), NOW)).toBe('1 Mar 23:59');
  expect(formatWhen(new Date(2025, 11, 31, 8, 0).getTime(), NOW)).toBe('31 Dec 2025 08:00');
});

/**
 * Run the menu as a person who waits for every status: each drawing made while statuses are still
 * being read is withdrawn (as the terminal select is, through its signal); the complete one is
 * answered with Quit. Returns its labels.
 */
async function finalMenuLabels(m: Made): Promise<string[]> {
  let labels: string[] = [];
  m.ctx.prompts.select = <T>(prompt: SelectPrompt<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const { signal } = prompt;
      if (signal) {
        const withdraw = (): void => reject(new SelectAbortedError(prompt.default));
        if (signal.aborted) withdraw();
        else signal.addEventListener('abort', withdraw, { once: true });
        return;
      }
      labels = prompt.choices.map((choice) => choice.name);
      resolve(prompt.choices[prompt.choices.length - 1]!.value); // Quit
    });
  expect((await runMenu(m.ctx)).ok).toBe(true);
  return labels;
}
