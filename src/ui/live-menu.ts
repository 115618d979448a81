/**
 * The parts of the main menu that exist because it is drawn before its statuses are known: the
 * "checking…" placeholder, and taking the header off the screen so the menu can be drawn again
 * in place once the statuses arrive (the prompt below it erases its own lines).
 */
import { stripVTControlCharacters } from 'node:util';
import { preloadSelectPrompt } from './prompts.js';
import { actionChoiceLabel, type MenuLayout } from './menu.js';

/** Shown where a status (or the warehouse's description) is still being read. */
export const CHECKING = 'checking…';

/** "Load data                … checking…": a step whose status is not known yet. */
export function checkingChoiceLabel(title: string, color: boolean, layout?: MenuLayout): string {
  return actionChoiceLabel(title, `… ${CHECKING}`, color, layout);
}

/** Rows `text` fills on a terminal `columns` wide (long lines wrap). */
export function terminalRows(text: string, columns: number | undefined): number {
  const width = columns !== undefined && columns > 0 ? columns : Number.POSITIVE_INFINITY;
  return text
    .split('\n')
    .reduce((rows, line) => rows + Math.max(1, Math.ceil([...stripVTControlCharacters(line)].length / width)), 0);
}

/** The terminal's width in columns, or undefined when stdout is not a terminal. */
export function terminalColumns(stream: NodeJS.WriteStream = process.stdout): number | undefined {
  return stream.isTTY && stream.columns > 0 ? stream.columns : undefined;
}

/**
 * Erase `text`, printed just above the cursor (the cursor at the start of the line under it),
 * from a terminal; does nothing when stdout is not one. Lines scrolled off the top stay in the
 * scroll-back: a terminal cannot reach them.
 *
 * Row by row (CSI 1 A: up one row; CSI 2 K: erase that row), never "erase to the end of the
 * screen" (CSI 0 J): from the top-left corner, which is where the menu's first drawing starts,
 * tmux (its default `scroll-on-clear`) and others take that for a screen clear and keep the
 * drawing in the scroll-back, right above the next one. The prompt under it has erased itself.
 */
export function eraseAbove(text: string, stream: NodeJS.WriteStream = process.stdout): void {
  if (!stream.isTTY) return;
  const rows = terminalRows(text, stream.columns);
  stream.write(`${'\u001b[1A\u001b[2K'.repeat(rows)}\r`);
}

/**
 * Start loading the terminal prompts' library (src/ui/prompts.ts imports it on the first
 * question) so it loads while other start-up work waits; settles, never rejects, when loaded.
 */
export function preloadTerminalPrompts(): Promise<void> {
  return preloadSelectPrompt().then(
    () => undefined,
    // The question itself will import it again and report the failure where it matters.
    () => undefined,
  );
}
