/**
 * Keys typed while a step runs, in a real pseudo-terminal read back as a screen (xterm.js): they
 * are not echoed into the spinner's line and do not answer the question that comes after the step
 * (src/ui/type-ahead.ts), while Ctrl-C still stops the step at once.
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { spawn } from 'node-pty';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { cli } from '../cli/run.js';
import { localProject } from './local-project.js';
import { TerminalScreen } from './terminal-screen.js';

const COLS = 120;
const ROWS = 40;
const DOWN = '\u001b[B';
const ENTER = '\r';
const CTRL_C = '\u0003';

let dir: string;
const screens: TerminalScreen[] = [];

beforeAll(async () => {
  // Enough events that a load lasts a good second, even on a quiet machine.
  dir = await localProject('type-ahead', { songs: 400, events: 100_000 });
  execFileSync(process.execPath, [cli, 'tables', 'create', '--yes'], { cwd: dir, stdio: 'ignore' });
}, 120_000);

afterEach(() => {
  for (const screen of screens.splice(0)) screen.dispose();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The menu in a 120×40 terminal, as a person starts it (no CI, no colour to keep the rows plain). */
function startMenu(): TerminalScreen {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !['CI', 'FORCE_COLOR'].includes(key)) env[key] = value;
  }
  env.NO_COLOR = '1';
  const pty = spawn(process.execPath, [cli], { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: dir, env });
  const screen = new TerminalScreen(pty, COLS, ROWS);
  screens.push(screen);
  return screen;
}

/** Move the menu's cursor to `entry` and choose it, once the statuses are shown. */
async function choose(screen: TerminalScreen, entry: string): Promise<void> {
  await screen.waitForScreen(/Create tables +✔ done/);
  for (let moves = 0; moves < 12; moves++) {
    await screen.quiet(200);
    if (screen.visibleRows().some((row) => row.startsWith(`❯ ${entry}`))) {
      await screen.keys(ENTER);
      return;
    }
    await screen.keys(DOWN);
  }
  throw new Error(`no menu entry ${entry}:\n${await screen.screen()}`);
}

/** The rows from the last one matching `pattern` on (everything shown since then). */
function rowsSince(screen: TerminalScreen, pattern: RegExp): string[] {
  const rows = screen.transcript();
  const at = rows.findLastIndex((row) => pattern.test(row));
  return at < 0 ? [] : rows.slice(at);
}

test('keys typed during a load are not echoed into its spinner and do not answer the next question', async () => {
  const screen = startMenu();
  await choose(screen, 'Load data');
  await screen.waitForTranscript(/staging_songs: /);
  // Typed in one go while the load runs: "a" then Enter chose Analytics in the menu that followed.
  screen.pty.write('xyzzy a');
  screen.pty.write(ENTER);
  await screen.waitForTranscript(/Loaded [\d,]+ songplays/, 120_000);
  await screen.waitForScreen(/\? What next\?/);
  await screen.quiet(1500);
  expect(screen.transcript().join('\n')).not.toMatch(/xyzzy/);
  // The question after the load is still waiting for an answer: nothing answered it.
  const after = rowsSince(screen, /Loaded [\d,]+ songplays/);
  expect(after.filter((row) => /What next\?/.test(row))).toEqual(['? What next?']);
  expect(after.join('\n')).not.toMatch(/Which analytics\?/);
  // Keys typed now, with the question on screen, do answer it.
  await choose(screen, 'Analytics');
  await screen.waitForScreen(/Which analytics\?/);
  await screen.keys(CTRL_C);
  await screen.waitForScreen(/\? What next\?/);
  await screen.keys(CTRL_C);
  expect(await screen.exited()).toBe(130);
}, 240_000);

test('Ctrl-C during a load still stops it at once: "interrupted", and back to the menu', async () => {
  const screen = startMenu();
  await choose(screen, 'Load data');
  await screen.waitForTranscript(/staging_songs: /);
  screen.pty.write(CTRL_C);
  const stopped = await screen.waitForTranscript(/Stopped; back to the menu\./, 30_000);
  expect(stopped).toMatch(/Interrupted: stopping safely/);
  expect(stopped).toMatch(/: interrupted; the tables are as they were before the load/);
  expect(stopped).not.toMatch(/failed/);
  expect(stopped).not.toMatch(/Loaded [\d,]+ songplays/);
  await screen.waitForScreen(/\? What next\?/);
  await screen.quiet(500);
  await screen.keys(CTRL_C);
  expect(await screen.exited()).toBe(130);
}, 240_000);
