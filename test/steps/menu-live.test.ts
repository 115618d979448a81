/**
 * The menu is drawn before its statuses are known and drawn again when they arrive: a fake
 * terminal select (honouring `signal` as the inquirer one does) and a warehouse that opens only
 * when the test says so.
 */
import { afterEach, expect, test, vi } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { InterruptedError, UserError } from '../../src/errors.js';
import { runMenu } from '../../src/steps/menu.js';
import { eraseAbove, terminalRows } from '../../src/ui/live-menu.js';
import { renderHeader } from '../../src/ui/menu.js';
import { SelectAbortedError } from '../../src/ui/prompts.js';
import type { Prompts, SelectPrompt } from '../../src/ui/types.js';
import { openEmbedded } from '../../src/warehouse/embedded.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { makeTestContext } from '../support/context.js';

const LOCAL_CONFIG =
  '[WAREHOUSE]\nTARGET = embedded\n\n[LOCAL]\nSONG_DATA = data/song_data\nLOG_DATA = data/log_data\n';

interface AskedSelect {
  prompt: SelectPrompt<unknown>;
  labels: string[];
  /** Answer with the choice whose label starts with `label`. */
  answer(label: string): void;
  /** Move the cursor to the choice whose label starts with `label`. */
  highlight(label: string): void;
  fail(error: Error): void;
}

/** A terminal-like select: waits for the test to answer, and is withdrawn by its signal. */
function terminalLikePrompts() {
  const selects: AskedSelect[] = [];
  const choiceStarting = (prompt: SelectPrompt<unknown>, label: string) => {
    const choice = prompt.choices.find((c) => c.name.startsWith(label));
    if (!choice) throw new Error(`no choice "${label}" in ${prompt.choices.map((c) => c.name).join(' | ')}`);
    return choice;
  };
  const prompts: Prompts = {
    unattended: false,
    select<T>(prompt: SelectPrompt<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const untyped = prompt as SelectPrompt<unknown>;
        let highlighted: unknown = prompt.default;
        prompt.signal?.addEventListener('abort', () => reject(new SelectAbortedError(highlighted)));
        selects.push({
          prompt: untyped,
          labels: prompt.choices.map((choice) => choice.name),
          answer: (label) => resolve(choiceStarting(untyped, label).value as T),
          highlight: (label) => {
            highlighted = choiceStarting(untyped, label).value;
          },
          fail: reject,
        });
      });
    },
    input: () => Promise.reject(new Error('no input expected')),
    password: () => Promise.reject(new Error('no password expected')),
    confirm: () => Promise.reject(new Error('no confirm expected')),
  };
  return { prompts, selects };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A menu context whose warehouse opens when `opened` settles, with terminal-like prompts. */
async function gatedMenu() {
  const made = await makeTestContext({ config: LOCAL_CONFIG });
  const warehouse = await openEmbedded(undefined);
  cleanups.push(async () => {
    await made.cleanup();
    await warehouse.close();
  });
  const opened = deferred<Warehouse>();
  let opens = 0;
  const { prompts, selects } = terminalLikePrompts();
  const ctx = Object.create(made.ctx, {
    prompts: { value: prompts },
    warehouse: {
      value: () => {
        opens++;
        return opened.promise;
      },
    },
  }) as AppContext;
  return { ctx, ui: made.ui, selects, opened, warehouse, opens: () => opens };
}

test('drawn at once with "checking…", then withdrawn and drawn again with the live statuses, cursor kept', async () => {
  const menu = await gatedMenu();
  const done = runMenu(menu.ctx);
  await vi.waitFor(() => expect(menu.selects).toHaveLength(1));
  const first = menu.selects[0]!;
  expect(first.prompt.message).toBe('What next?');
  expect(first.prompt.signal?.aborted).toBe(false);
  expect(first.labels).toEqual([
    'Guided setup (checking…)',
    // Read from dwh.cfg: exact at once.
    expect.stringMatching(/^Warehouse {16}this computer \(.*\) · switch$/),
    'Create tables            … checking…',
    'Load data                … checking…',
    'Check data quality       … checking…',
    'Analytics                … checking…',
    // Needs no I/O: exact at once.
    'Run SQL (read-only)      any SELECT',
    'Quit',
  ]);
  expect(menu.ui.of('print')[0]).toMatch(/│ warehouse +checking… +│/);
  expect(menu.opens()).toBeGreaterThan(0); // the warehouse is being opened while the menu shows

  first.highlight('Load data');
  menu.opened.resolve(menu.warehouse);
  await vi.waitFor(() => expect(menu.selects).toHaveLength(2));
  expect(first.prompt.signal?.aborted).toBe(true);
  const second = menu.selects[1]!;
  expect(second.labels).toEqual([
    'Guided setup (4 steps to do)',
    expect.stringMatching(/^Warehouse {16}this computer/),
    'Create tables            • not yet (no tables yet)',
    'Load data                – n/a (create tables first)',
    'Check data quality       – n/a (load first)',
    'Analytics                – n/a (load first)',
    'Run SQL (read-only)      any SELECT',
    'Quit',
  ]);
  // The cursor stays where it was: the same action object is the new default.
  expect(second.prompt.default).toBe(first.prompt.choices[3]!.value);
  expect(second.prompt.choices[3]!.value).toBe(first.prompt.choices[3]!.value);
  // Everything is known: nothing left to withdraw it for.
  expect(second.prompt.signal).toBeUndefined();
  const headers = menu.ui.of('print');
  expect(headers).toHaveLength(2);
  expect(headers[1]).toMatch(/│ warehouse +embedded \(PGlite\) in memory +│/);

  second.answer('Quit');
  expect((await done).ok).toBe(true);
});

test('a warehouse that cannot be opened: the redraw says why, in the header and beside each step', async () => {
  const menu = await gatedMenu();
  const done = runMenu(menu.ctx);
  await vi.waitFor(() => expect(menu.selects).toHaveLength(1));
  menu.opened.reject(new UserError('cannot reach localhost:5432 (connection refused)'));
  await vi.waitFor(() => expect(menu.selects).toHaveLength(2));
  const second = menu.selects[1]!;
  expect(second.labels.slice(0, 4)).toEqual([
    'Guided setup (4 steps to do)',
    expect.stringMatching(/^Warehouse {16}this computer/),
    'Create tables            – n/a (cannot reach localhost:5432 (connection refused))',
    'Load data                – n/a (cannot reach localhost:5432 (connection refused))',
  ]);
  expect(second.prompt.default).toBeUndefined(); // nothing was highlighted but the first entry
  expect(menu.ui.of('print')[1]).toMatch(
    /│ warehouse +not reachable: cannot reach localhost:5432 \(connection refused\) +│/,
  );
  second.answer('Quit');
  expect((await done).ok).toBe(true);
});

test('a choice made before the statuses arrive is run at once; statuses that arrive later change nothing', async () => {
  const menu = await gatedMenu();
  const done = runMenu(menu.ctx);
  await vi.waitFor(() => expect(menu.selects).toHaveLength(1));
  menu.selects[0]!.answer('Quit');
  expect((await done).ok).toBe(true);
  // The warehouse opens (or fails) after the menu was left: no redraw, no unhandled rejection.
  menu.opened.reject(new UserError('too late'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(menu.selects).toHaveLength(1);
  expect(menu.ui.of('print')).toHaveLength(1);
});

test('Ctrl-C at the menu while it is still checking ends the menu with InterruptedError', async () => {
  const menu = await gatedMenu();
  const done = runMenu(menu.ctx);
  await vi.waitFor(() => expect(menu.selects).toHaveLength(1));
  menu.selects[0]!.fail(new InterruptedError());
  await expect(done).rejects.toBeInstanceOf(InterruptedError);
  menu.opened.resolve(menu.warehouse);
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(menu.selects).toHaveLength(1);
});

test('the header is erased by the rows it fills, wrapped lines counted; nothing is written off a terminal', () => {
  const header = renderHeader({ target: 'embedded', description: 'checking…', configPath: './dwh.cfg', color: true });
  expect(header.split('\n')).toHaveLength(5);
  expect(terminalRows(header, 120)).toBe(5);
  // 30 columns wide with colour codes; on a 20-column terminal every line takes two rows.
  expect(terminalRows(header, 20)).toBe(10);
  expect(terminalRows(header, undefined)).toBe(5);
  const written: string[] = [];
  const stream = (isTTY: boolean, columns: number) =>
    ({ isTTY, columns, write: (text: string) => written.push(text) }) as unknown as NodeJS.WriteStream;
  eraseAbove(header, stream(true, 120));
  eraseAbove(header, stream(true, 20));
  eraseAbove(header, stream(false, 120));
  // Row by row (up, erase the row), never an erase of the screen's rest: see eraseAbove.
  expect(written).toEqual([`${'\u001b[1A\u001b[2K'.repeat(5)}\r`, `${'\u001b[1A\u001b[2K'.repeat(10)}\r`]);
});
