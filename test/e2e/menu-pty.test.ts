/**
 * End to end, as a person would: the built program in a real pseudo-terminal, driven with arrow
 * keys and Enter through the menu, running the local pipeline until an analytics table shows.
 */
import { rm } from 'node:fs/promises';
import { spawn, type IPty } from 'node-pty';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { cli } from '../cli/run.js';
import { localProject } from './local-project.js';

const DOWN = '\u001b[B';
const ENTER = '\r';

let dir: string;

beforeAll(async () => {
  dir = await localProject('e2e', { songs: 60, events: 800 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The screen as text: everything the program wrote, with escape sequences removed. */
class Screen {
  private raw = '';
  private exit: Promise<number>;
  private ended = false;
  constructor(readonly pty: IPty) {
    pty.onData((data) => {
      this.raw += data;
    });
    this.exit = new Promise((resolveExit) =>
      pty.onExit(({ exitCode }) => {
        this.ended = true;
        resolveExit(exitCode);
      }),
    );
  }
  text(): string {
    // eslint-disable-next-line no-control-regex
    return this.raw.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\u001b\][^\u0007]*\u0007/g, '');
  }
  mark(): number {
    return this.text().length;
  }
  async waitFor(pattern: RegExp, since = 0, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.text().slice(since))) {
      if (this.ended) throw new Error(`the program ended before ${pattern}; screen:\n${this.text().slice(-3000)}`);
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${pattern}; screen:\n${this.text().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async keys(...sequence: string[]): Promise<void> {
    for (const key of sequence) {
      this.pty.write(key);
      await new Promise((r) => setTimeout(r, 80));
    }
  }
  exited(): Promise<number> {
    return this.exit;
  }
}

test('the menu runs the local pipeline with arrow keys and shows an analytics table', async () => {
  // A person at a terminal: no CI variable at all (any value, even empty, means nobody is there).
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } as Record<string, string>;
  delete env.CI;
  const pty = spawn(process.execPath, [cli], { name: 'xterm-256color', cols: 120, rows: 40, cwd: dir, env });
  const screen = new Screen(pty);
  const started = Date.now();
  await screen.waitFor(/What next\?/);
  const firstMenuMs = Date.now() - started;
  // The menu is drawn before the statuses are read (opening PGlite takes longer than that)…
  const firstScreen = screen.text();
  expect(firstScreen).toMatch(/target +embedded/);
  expect(firstScreen).toMatch(/warehouse +checking…/);
  expect(firstScreen).toMatch(/Create tables +… checking…/);
  expect(firstScreen).not.toMatch(/not yet \(no tables yet\)/);
  // (generous: the goal is ~0.2 s, but other tests share the machine)
  expect(firstMenuMs).toBeLessThan(5_000);
  // …and drawn again with them once they are known.
  await screen.waitFor(/Create tables +• not yet \(no tables yet\)/);
  expect(screen.text()).toMatch(/warehouse +embedded \(PGlite\) at /);

  // Menu order: Guided setup, Warehouse, Create tables, Load data, Check data quality, Analytics, Run SQL, Quit.
  expect(screen.text()).toMatch(/Warehouse +this computer \(\.sparkify\/warehouse\) · switch/);
  let mark = screen.mark();
  await screen.keys(DOWN, DOWN, ENTER); // Create tables
  await screen.waitFor(/Tables: created 7 tables/, mark);
  await screen.waitFor(/What next\?/, mark);
  await screen.waitFor(/Create tables +✔ done \(7 tables\)/, mark);

  mark = screen.mark();
  await screen.keys(DOWN, DOWN, DOWN, ENTER); // Load data
  await screen.waitFor(/Loaded [\d,]+ songplays/, mark);
  await screen.waitFor(/What next\?/, mark);
  await screen.waitFor(/Load data +✔ done/, mark);

  mark = screen.mark();
  await screen.keys(DOWN, DOWN, DOWN, DOWN, DOWN, ENTER); // Analytics
  await screen.waitFor(/Which analytics\?/, mark);
  mark = screen.mark();
  await screen.keys(DOWN, DOWN, ENTER); // the second named query: top songs
  await screen.waitFor(/What next\?/, mark);
  const shown = screen.text().slice(mark);
  expect(shown).toMatch(/┌─/); // a drawn table
  expect(shown).toMatch(/Top 10 songs/);
  expect(shown).toMatch(/│ song +│ artist +│ plays │/);
  expect(shown).toMatch(/█/); // and its bar chart
  // The run is remembered: the menu shows it done instead of "not yet".
  await screen.waitFor(/Analytics +✔ done \(1 query \d\d:\d\d\)/, mark);

  // Ctrl-C at the menu exits cleanly with status 130.
  await screen.keys('\u0003');
  expect(await screen.exited()).toBe(130);
}, 180_000);

test('in a terminal driven by CI (CI=1), no menu: the help, exit 2', async () => {
  const env = { ...process.env, CI: '1', NO_COLOR: '1' } as Record<string, string>;
  const pty = spawn(process.execPath, [cli], { name: 'xterm-256color', cols: 120, rows: 40, cwd: dir, env });
  const screen = new Screen(pty);
  const menu = screen.waitFor(/What next\?/).then(() => 'menu' as const);
  const outcome = await Promise.race([screen.exited(), menu.catch(() => 'timeout' as const)]);
  if (typeof outcome !== 'number') pty.kill();
  expect(outcome).toBe(2);
  expect(screen.text()).toMatch(/Usage: sparkify-dwh \[options\] \[command\]/);
}, 90_000);
