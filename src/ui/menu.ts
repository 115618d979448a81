/**
 * Pure rendering for the main menu (the loop itself lives in src/steps/menu.ts): the boxed header
 * with the target and its state, and the status badge beside each step.
 */
import { chalkFor } from './colors.js';
import type { StepStatus } from './types.js';

export interface MenuHeader {
  target: string;
  /** What the warehouse is ("PGlite in .sparkify/warehouse", "not reachable: …"). */
  description: string;
  configPath: string;
  /** Extra state lines ("cluster available", "last load 5 min ago"). */
  lines?: readonly string[];
  color: boolean;
}

/** Header lines longer than this are cut with …, so an error text cannot blow up the box. */
const MAX_HEADER_TEXT = 90;
/** Step titles are padded to this width so the badges line up in the menu. */
export const MENU_TITLE_WIDTH = 24;

const TITLE = 'Sparkify data warehouse';

/**
 * ```
 * ╭─ Sparkify data warehouse ──────────────╮
 * │ target     embedded                     │
 * │ warehouse  PGlite in .sparkify/warehouse│
 * │ config     dwh.cfg                      │
 * ╰─────────────────────────────────────────╯
 * ```
 */
export function renderHeader(header: MenuHeader): string {
  const chalk = chalkFor(header.color);
  const rows: Array<{ label: string; value: string; strong?: boolean }> = [
    { label: 'target', value: header.target, strong: true },
    { label: 'warehouse', value: header.description },
    { label: 'config', value: header.configPath },
  ];
  const labelWidth = Math.max(...rows.map((row) => row.label.length)) + 2;
  const plain = [
    ...rows.map((row) => ({ text: cut(`${row.label.padEnd(labelWidth)}${row.value}`), row })),
    ...(header.lines ?? []).map((line) => ({ text: cut(line), row: undefined })),
  ];
  const inner = Math.max(TITLE.length + 3, ...plain.map((line) => line.text.length)) + 2;
  const border = (text: string): string => chalk.dim(text);
  const top = `${border('╭─')} ${chalk.bold.cyan(TITLE)} ${border('─'.repeat(inner - TITLE.length - 3) + '╮')}`;
  const body = plain.map(({ text, row }) => {
    const padding = ' '.repeat(inner - 2 - text.length);
    // Colour after padding is measured on the plain text, so escapes never skew the box.
    let shown = text;
    if (row) {
      const label = row.label.padEnd(labelWidth);
      const value = text.slice(label.length);
      shown = chalk.dim(label) + (row.strong ? chalk.bold(value) : value);
    }
    return `${border('│')} ${shown}${padding} ${border('│')}`;
  });
  const bottom = border(`╰${'─'.repeat(inner)}╯`);
  return [top, ...body, bottom].join('\n');
}

const BADGES: Readonly<
  Record<StepStatus['state'], { symbol: string; word: string; colour: 'green' | 'yellow' | 'magenta' | 'gray' }>
> = {
  done: { symbol: '✔', word: 'done', colour: 'green' },
  todo: { symbol: '•', word: 'not yet', colour: 'yellow' },
  stale: { symbol: '↻', word: 'stale', colour: 'magenta' },
  unavailable: { symbol: '–', word: 'n/a', colour: 'gray' },
};

/** "✔ done", "• not yet", "↻ stale", "– n/a"; coloured when colour is on. */
export function statusBadge(status: StepStatus, color: boolean): string {
  const badge = BADGES[status.state];
  return chalkFor(color)[badge.colour](`${badge.symbol} ${badge.word}`);
}

/** "Create tables            ✔ done (5 tables)": title padded so the badges form a column. */
export function menuChoiceLabel(title: string, status: StepStatus, color: boolean): string {
  const detail = status.detail ? ` ${chalkFor(color).dim(`(${status.detail})`)}` : '';
  return `${title.padEnd(MENU_TITLE_WIDTH)} ${statusBadge(status, color)}${detail}`;
}

function cut(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length > MAX_HEADER_TEXT ? `${flat.slice(0, MAX_HEADER_TEXT - 1)}…` : flat;
}
