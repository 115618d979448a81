/**
 * Pure rendering for the main menu (the loop itself lives in src/steps/menu.ts): the boxed header
 * with the target and its state, and the status badge beside each step.
 */
import { chalkFor } from './colors.js';
// Not string-width itself: it loads after the menu's first drawing (docs/performance.md).
import { displayWidth as stringWidth } from './wrap.js';
import type { StepStatus } from './types.js';

export interface MenuHeader {
  target: string;
  /** What the warehouse is ("PGlite in .sparkify/warehouse", "not reachable: …"). */
  description: string;
  configPath: string;
  /** Extra state lines ("cluster available", "last load 5 min ago"). */
  lines?: readonly string[];
  /**
   * A Redshift cluster's run time and cost so far; `warn`: past the cost guard's threshold, shown
   * in yellow with ⚠. Wrapped over several lines rather than cut: the advice at its end matters.
   */
  cost?: { text: string; warn: boolean } | undefined;
  color: boolean;
  /** The terminal's width: the box is kept inside it (a wrapped box is a broken box). */
  width?: number | undefined;
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
  type Row = { label: string; value: string; strong?: boolean; warn?: boolean };
  const rows: Row[] = [
    { label: 'target', value: header.target, strong: true },
    { label: 'warehouse', value: header.description },
    { label: 'config', value: header.configPath },
  ];
  const labelWidth = Math.max(...rows.map((row) => row.label.length)) + 2;
  // "│ " and " │" around the text; never narrower than the title needs.
  const maxText = Math.max(TITLE.length + 3, Math.min(MAX_HEADER_TEXT, (header.width ?? Number.POSITIVE_INFINITY) - 4));
  const plain: Array<{ text: string; row: Row | undefined }> = [
    ...rows.map((row) => ({ text: cut(`${row.label.padEnd(labelWidth)}${row.value}`, maxText), row })),
  ];
  if (header.cost) {
    const value = `${header.cost.warn ? '⚠ ' : ''}${header.cost.text}`;
    wrap(value, maxText - labelWidth).forEach((part, i) => {
      const row: Row = { label: i === 0 ? 'cost' : '', value: part, warn: header.cost?.warn === true };
      plain.push({ text: `${row.label.padEnd(labelWidth)}${part}`, row });
    });
  }
  plain.push(...(header.lines ?? []).map((line) => ({ text: cut(line, maxText), row: undefined })));
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
      shown = chalk.dim(label) + (row.strong ? chalk.bold(value) : row.warn ? chalk.yellow(value) : value);
    }
    return `${border('│')} ${shown}${padding} ${border('│')}`;
  });
  const bottom = border(`╰${'─'.repeat(inner)}╯`);
  return [top, ...body, bottom].join('\n');
}

const BADGES: Readonly<
  Record<StepStatus['state'], { symbol: string; word: string; colour: 'green' | 'yellow' | 'magenta' | 'red' | 'gray' }>
> = {
  done: { symbol: '✔', word: 'done', colour: 'green' },
  todo: { symbol: '•', word: 'not yet', colour: 'yellow' },
  stale: { symbol: '↻', word: 'stale', colour: 'magenta' },
  failed: { symbol: '✖', word: 'failed', colour: 'red' },
  unavailable: { symbol: '–', word: 'n/a', colour: 'gray' },
};

/** "✔ done", "• not yet", "↻ stale", "✖ failed", "– n/a"; coloured when colour is on. */
export function statusBadge(status: StepStatus, color: boolean): string {
  const badge = BADGES[status.state];
  return chalkFor(color)[badge.colour](`${badge.symbol} ${badge.word}`);
}

/**
 * Where the menu's columns fall: titles padded to `titleWidth` so the badges form a column, and
 * on a terminal `columns` wide each entry cut to fit its line (a wrapped entry breaks the list).
 */
export interface MenuLayout {
  titleWidth: number;
  columns?: number | undefined;
}

/** What inquirer draws before each choice: "❯ " or two spaces. */
const CHOICE_INDENT = 2;
/** Columns kept beside the longest title for its badge ("• not yet") and a little detail. */
const BADGE_ROOM = 16;

/**
 * The layout for these titles: the badge column starts after the longest title (never before
 * MENU_TITLE_WIDTH, so the menu keeps its shape from one target to the next), and on a narrow
 * terminal no further than leaves room for the badges; a title longer than that is cut.
 */
export function menuLayout(titles: readonly string[], columns?: number): MenuLayout {
  const longest = Math.max(MENU_TITLE_WIDTH, ...titles.map((title) => stringWidth(title) + 1));
  const widest = columns === undefined ? longest : Math.max(12, columns - CHOICE_INDENT - 1 - BADGE_ROOM);
  return { titleWidth: Math.min(longest, widest), columns };
}

const DEFAULT_LAYOUT: MenuLayout = { titleWidth: MENU_TITLE_WIDTH };

/** The title in its column: padded, or cut with … when wider (one space always before the next column). */
function titleCell(title: string, layout: MenuLayout): string {
  const fitted = stringWidth(title) < layout.titleWidth ? title : cutTo(title, layout.titleWidth - 1);
  return fitted + ' '.repeat(Math.max(0, layout.titleWidth - stringWidth(fitted)));
}

/** Columns left on the line after the title column and its space; unlimited off a terminal. */
function roomAfterTitle(layout: MenuLayout): number {
  return layout.columns === undefined
    ? Number.POSITIVE_INFINITY
    : layout.columns - CHOICE_INDENT - layout.titleWidth - 1;
}

/** `text` in at most `width` columns, ending in … when cut. */
function cutTo(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let kept = '';
  for (const char of text) {
    if (stringWidth(kept + char) > width - 1) break;
    kept += char;
  }
  return `${kept.trimEnd()}…`;
}

/** " (detail)" in `room` columns (the detail cut with … inside its brackets), or nothing when it cannot fit. */
function detailIn(detail: string | undefined, room: number): string {
  if (!detail) return '';
  if (stringWidth(` (${detail})`) <= room) return ` (${detail})`;
  return room >= 6 ? ` (${cutTo(detail, room - 3)})` : '';
}

/** "Create tables            ✔ done (5 tables)": title padded so the badges form a column. */
export function menuChoiceLabel(
  title: string,
  status: StepStatus,
  color: boolean,
  layout: MenuLayout = DEFAULT_LAYOUT,
): string {
  const badge = BADGES[status.state];
  const badgeText = `${badge.symbol} ${badge.word}`;
  const detail = detailIn(status.detail, roomAfterTitle(layout) - stringWidth(badgeText));
  return `${titleCell(title, layout)} ${statusBadge(status, color)}${detail ? chalkFor(color).dim(detail) : ''}`;
}

/** Words over lines of at most `width` characters (a word longer than that is cut). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => cut(l, width));
}

function cut(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Names of a described choice are padded to this width so the explanations form a column. */
const DESCRIBED_NAME_WIDTH = 21;

/** "This computer         no account, no server…": a choice and, dimmed beside it, when it fits. */
export function describedChoiceLabel(name: string, line: string, color: boolean): string {
  return `${name.padEnd(DESCRIBED_NAME_WIDTH)} ${chalkFor(color).dim(line)}`;
}

/** The menu's warehouse entry: "Warehouse                this computer (embedded) · switch". */
export function warehouseChoiceLabel(
  title: string,
  where: string,
  color: boolean,
  layout: MenuLayout = DEFAULT_LAYOUT,
): string {
  const switchText = ' · switch';
  const room = roomAfterTitle(layout);
  const shown = cutTo(where, room - switchText.length);
  return `${titleCell(title, layout)} ${chalkFor(color).cyan(shown)}${chalkFor(color).dim(switchText)}`;
}

/** When a step last ran, as its menu line says it: "12:03" today, "3 Mar 12:03" before (local time). */
export function formatWhen(at: number, now: number): string {
  const when = new Date(at);
  const time = `${String(when.getHours()).padStart(2, '0')}:${String(when.getMinutes()).padStart(2, '0')}`;
  if (when.toDateString() === new Date(now).toDateString()) return time;
  const month = when.toLocaleString('en-GB', { month: 'short' });
  const year = when.getFullYear() === new Date(now).getFullYear() ? '' : ` ${when.getFullYear()}`;
  return `${when.getDate()} ${month}${year} ${time}`;
}

/** An entry that is an action, not a step with progress ("Run SQL", "Pause cluster"): what it does, no badge. */
export function actionChoiceLabel(
  title: string,
  detail: string | undefined,
  color: boolean,
  layout: MenuLayout = DEFAULT_LAYOUT,
): string {
  if (!detail) return layout.columns === undefined ? title : cutTo(title, layout.columns - CHOICE_INDENT);
  return `${titleCell(title, layout)} ${chalkFor(color).dim(cutTo(detail, roomAfterTitle(layout)))}`;
}
