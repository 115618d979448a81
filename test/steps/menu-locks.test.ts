/**
 * The menu's statuses never wait for another session's lock (docs/safety.md, Never wait in
 * silence): on real PostgreSQL, with another connection ("psql") holding an ACCESS EXCLUSIVE lock
 * on songplays, as `LOCK TABLE` in psql would, the row counts behind the statuses are given up at
 * once and the steps say who holds the lock; the session is left as it was for the next step.
 */
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { runMenu } from '../../src/steps/menu.js';
import { runTablesCreate } from '../../src/steps/tables.js';
import { SelectAbortedError } from '../../src/ui/prompts.js';
import type { Prompts, SelectPrompt } from '../../src/ui/types.js';
import { makeTestContext } from '../support/context.js';
import { createTestDatabase, type TestDatabase, holdTableLock, type HeldLock } from '../support/postgres.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const made = await makeTestContext({ config: `[WAREHOUSE]\nTARGET = postgres\nPOSTGRES_URL = ${db.url}\n` });
  try {
    await runTablesCreate(made.ctx, { confirmDrop: false });
  } finally {
    await made.cleanup();
  }
}, 60_000);

afterAll(async () => {
  await db?.drop();
});

/** Another session, named like psql, holding an ACCESS EXCLUSIVE lock on songplays until released. */
const holdSongplays = (): Promise<HeldLock> => holdTableLock(db.url);

/** A terminal-like select that waits for the test's answer and is withdrawn by its signal. */
function terminalLikePrompts() {
  const selects: Array<{ labels: string[]; answer: (label: string) => void }> = [];
  const prompts: Prompts = {
    unattended: false,
    select<T>(prompt: SelectPrompt<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        prompt.signal?.addEventListener('abort', () => reject(new SelectAbortedError(undefined)));
        selects.push({
          labels: prompt.choices.map((choice) => choice.name),
          answer: (label) => resolve(prompt.choices.find((choice) => choice.name.startsWith(label))!.value),
        });
      });
    },
    input: () => Promise.reject(new Error('no input expected')),
    password: () => Promise.reject(new Error('no password expected')),
    confirm: () => Promise.reject(new Error('no confirm expected')),
  };
  return { prompts, selects };
}

const LOCKED =
  'a table locked by another session: the statuses say who holds it within seconds, the menu never freezes';
test(
  LOCKED,
  async () => {
    const made = await makeTestContext({ config: `[WAREHOUSE]\nTARGET = postgres\nPOSTGRES_URL = ${db.url}\n` });
    const holder = await holdSongplays();
    try {
      const { prompts, selects } = terminalLikePrompts();
      const ctx = Object.create(made.ctx, { prompts: { value: prompts } }) as AppContext;
      const started = Date.now();
      const done = runMenu(ctx);
      // Drawn with "checking…" at once, drawn again with what the statuses found.
      await vi.waitFor(
        () => expect(selects.find((select) => select.labels.some((label) => label.includes('locked')))).toBeDefined(),
        { timeout: 10_000, interval: 50 },
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      const drawn = selects.at(-1)!;
      const locked = `– n/a (locked by another session (pid ${holder.pid}, psql))`;
      expect(drawn.labels.slice(2, 6)).toEqual([
        `Create tables            ${locked}`,
        `Load data                ${locked}`,
        `Check data quality       ${locked}`,
        `Analytics                ${locked}`,
      ]);
      drawn.answer('Quit');
      expect((await done).ok).toBe(true);
      // The count was cancelled, not left waiting, and the session still answers.
      const warehouse = await made.ctx.warehouse();
      await holder.release();
      await expect(warehouse.query('SELECT count(*) AS n FROM songplays')).resolves.toMatchObject({ rows: [{ n: 0 }] });
    } finally {
      await holder.release().catch(() => undefined);
      await made.cleanup();
    }
  },
  30_000,
);
