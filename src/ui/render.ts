/**
 * Tables and bar charts as text. Pure functions over a chalk instance, shared by the terminal Ui
 * and the recording Ui of the tests, so what a test reads is what a person sees.
 *
 * Choices made here:
 * - NULL is shown as `∅` (dim with colour on): short, and distinct from the text "NULL".
 * - Numbers get thousands separators and are right-aligned, except in identifier-like columns
 *   (`year`, `…id`), where "2,018" or "1,234" would misread as a quantity.
 * - Bars use Unicode block characters whether colour is on or not: they are characters, not
 *   colour, so they survive NO_COLOR, logs and copy-paste. Every UTF-8 terminal draws them.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { formatCount, formatNumber } from './format.js';
import { redact } from './redact.js';
import type { Align, BarChartOptions, Cell, TableColumn, TableOptions } from './types.js';

export const NULL_TEXT = '∅';
/** Longer text cells are cut (with …) so one user agent cannot push a table off the screen. */
export const MAX_CELL_WIDTH = 80;
export const MAX_LABEL_WIDTH = 40;
export const DEFAULT_BAR_WIDTH = 40;

export interface ResolvedColumn {
  key: string;
  header: string;
  align: Align;
}

/** The columns to show: those given, else every key in the order rows first use it. */
export function resolveColumns(
  rows: ReadonlyArray<Record<string, Cell>>,
  options: TableOptions = {},
): ResolvedColumn[] {
  const given: TableColumn[] = options.columns ?? uniqueKeys(rows).map((key) => ({ key }));
  return given.map((column) => ({
    key: column.key,
    header: column.header ?? column.key,
    align: column.align ?? (isNumericColumn(rows, column.key) ? 'right' : 'left'),
  }));
}

function uniqueKeys(rows: ReadonlyArray<Record<string, Cell>>): string[] {
  const keys = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) keys.add(key);
  return [...keys];
}

/** Right-align a column when it holds numbers and nothing else (NULLs aside). */
function isNumericColumn(rows: ReadonlyArray<Record<string, Cell>>, key: string): boolean {
  let seenNumber = false;
  for (const row of rows) {
    const value = row[key];
    if (value === null || value === undefined) continue;
    if (typeof value !== 'number' && typeof value !== 'bigint') return false;
    seenNumber = true;
  }
  return seenNumber;
}

function isIdentifierColumn(key: string): boolean {
  // `user_id`, `session_id`, `sessionId`, `id`, `year`; not `paid`.
  return /^year$/i.test(key) || /(^|_)id$/i.test(key) || /[a-z]Id$/.test(key);
}

/** A cell as text, or null for NULL (the caller styles it). */
export function cellText(value: Cell, key = ''): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const integral = typeof value === 'bigint' || Number.isInteger(value);
    if (integral && isIdentifierColumn(key)) return String(value);
    return integral ? formatCount(value) : formatNumber(value);
  }
  if (value instanceof Date) return formatTimestamp(value);
  return String(value);
}

/** A Date as the warehouse prints timestamps: UTC `2018-11-01 21:01:46.796` (milliseconds only when there are some). */
export function formatTimestamp(date: Date): string {
  if (Number.isNaN(date.getTime())) return 'Invalid Date';
  const iso = date.toISOString(); // 2018-11-01T21:01:46.796Z
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  return text.endsWith('.000') ? text.slice(0, -4) : text;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The table as the terminal shows it (no trailing newline). */
export function renderTable(
  rows: ReadonlyArray<Record<string, Cell>>,
  options: TableOptions,
  chalk: ChalkInstance,
): string {
  // Redact before cutting and colouring, so neither can split a secret into unrecognisable halves.
  const title = options.title ? `${chalk.bold(redact(options.title))}\n` : '';
  const columns = resolveColumns(rows, options);
  if (rows.length === 0 || columns.length === 0) return `${title}${chalk.dim('(no rows)')}`;
  const table = new Table({
    head: columns.map((column) => chalk.bold(redact(column.header))),
    colAligns: columns.map((column) => column.align),
    // cli-table3 colours heads and borders itself unless told not to: colour is ours to decide.
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) {
    table.push(
      columns.map((column) => {
        const text = cellText(row[column.key], column.key);
        return text === null ? chalk.dim(NULL_TEXT) : truncate(redact(text), MAX_CELL_WIDTH);
      }),
    );
  }
  return `${title}${table.toString()}`;
}

const PARTIAL_BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'] as const;

/**
 * A bar of `value` on a scale where `max` fills `width` cells, in eighths of a cell. Zero,
 * negative and NaN values have no bar; a positive value too small for an eighth still gets `▏`
 * so it does not read as zero.
 */
export function bar(value: number, max: number, width: number): string {
  if (!(value > 0) || !(max > 0)) return '';
  const eighths = Math.round((Math.min(value, max) / max) * width * 8);
  const text = '█'.repeat(Math.floor(eighths / 8)) + PARTIAL_BLOCKS[eighths % 8];
  return text === '' ? PARTIAL_BLOCKS[1] : text;
}

export function defaultBarValueFormat(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : formatNumber(value, 2);
}

export interface BarLine {
  label: string;
  bar: string;
  value: string;
}

/** Each bar's label (cut to MAX_LABEL_WIDTH), blocks and printed value, before layout. */
export function barLines(
  bars: ReadonlyArray<{ label: string; value: number }>,
  options: BarChartOptions = {},
): BarLine[] {
  const width = Math.max(1, Math.floor(options.width ?? DEFAULT_BAR_WIDTH));
  const max = bars.reduce((biggest, item) => (item.value > biggest ? item.value : biggest), 0);
  const format = options.format ?? defaultBarValueFormat;
  return bars.map((item) => ({
    label: truncate(redact(item.label), MAX_LABEL_WIDTH),
    bar: bar(item.value, max, width),
    value: format(item.value),
  }));
}

/** `label  ████▌ value` lines, labels padded to one column (no trailing newline). */
export function renderBarChart(
  bars: ReadonlyArray<{ label: string; value: number }>,
  options: BarChartOptions,
  chalk: ChalkInstance,
): string {
  const title = options.title ? [chalk.bold(redact(options.title))] : [];
  if (bars.length === 0) return [...title, chalk.dim('(no data)')].join('\n');
  const lines = barLines(bars, options);
  const labelWidth = Math.max(...lines.map((line) => line.label.length));
  const body = lines.map(
    (line) => `${line.label.padEnd(labelWidth)}  ${line.bar === '' ? '' : `${chalk.cyan(line.bar)} `}${line.value}`,
  );
  return [...title, ...body].join('\n');
}
