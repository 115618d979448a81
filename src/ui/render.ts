/**
 * Tables and bar charts as text. Pure functions over a chalk instance, shared by the terminal Ui,
 * the query results (src/ui/results.ts) and the recording Ui of the tests, so what a test reads
 * is what a person sees.
 *
 * Choices made here:
 * - NULL is shown as `∅` (dim with colour on): short, and distinct from the text "NULL".
 * - Integers get thousands separators where they are measures (the tool's own tables and the
 *   analytics), and are right-aligned; never in identifier-like columns (`year`, `…id`), where
 *   "2,018" would misread as a quantity, and never in `sql` results, which hold ids and epoch
 *   milliseconds as often as counts (`group: false`).
 * - bytea is shown as PostgreSQL shows it, `\x` and hex; json and arrays as JSON.
 * - Control characters in any text are shown escaped (`\x1b`): data never drives the terminal.
 * - The grid is drawn here in one pass over the cells (cli-table3's layout grows quadratically
 *   with the rows), with widths measured in terminal columns (string-width: CJK and emoji are two).
 * - Bars use Unicode block characters whether colour is on or not: they are characters, not
 *   colour, so they survive NO_COLOR, logs and copy-paste. Every UTF-8 terminal draws them.
 */
import type { ChalkInstance } from 'chalk';
import stringWidth from 'string-width';
import { formatCount, formatNumber, showControls } from './format.js';
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

/** How numbers read in a cell. */
export interface CellFormat {
  /** Thousands separators in integers that are measures (default true). */
  group?: boolean | undefined;
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
    align: column.align ?? (isNumericColumn(rows, (row) => row[column.key]) ? 'right' : 'left'),
  }));
}

function uniqueKeys(rows: ReadonlyArray<Record<string, Cell>>): string[] {
  const keys = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) keys.add(key);
  return [...keys];
}

/** Right-align a column when it holds numbers and nothing else (NULLs aside). */
export function isNumericColumn<Row>(rows: Iterable<Row>, value: (row: Row) => unknown): boolean {
  let seenNumber = false;
  for (const row of rows) {
    const cell = value(row);
    if (cell === null || cell === undefined) continue;
    if (typeof cell !== 'number' && typeof cell !== 'bigint') return false;
    seenNumber = true;
  }
  return seenNumber;
}

function isIdentifierColumn(key: string): boolean {
  // `user_id`, `session_id`, `sessionId`, `id`, `year`; not `paid`.
  return /^year$/i.test(key) || /(^|_)id$/i.test(key) || /[a-z]Id$/.test(key);
}

/** A cell as text, or null for NULL (the caller styles it). Control characters are left to the caller. */
export function cellText(value: unknown, key = '', format: CellFormat = {}): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'bigint') {
    const integral = typeof value === 'bigint' || Number.isInteger(value);
    if (format.group === false || (integral && isIdentifierColumn(key))) return String(value);
    return integral ? formatCount(value) : formatNumber(value);
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return formatTimestamp(value);
  if (value instanceof Uint8Array) return byteaText(value);
  if (typeof value === 'object') return JSON.stringify(value, jsonSafe);
  return typeof value === 'symbol' ? value.toString() : typeof value; // never from a database
}

/** bytea the way PostgreSQL prints it: `\x` and two hex digits a byte. */
export function byteaText(bytes: Uint8Array): string {
  return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** A Date as the warehouse prints timestamps: UTC `2018-11-01 21:01:46.796` (milliseconds only when there are some). */
export function formatTimestamp(date: Date): string {
  if (Number.isNaN(date.getTime())) return 'Invalid Date';
  const iso = date.toISOString(); // 2018-11-01T21:01:46.796Z
  const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  return text.endsWith('.000') ? text.slice(0, -4) : text;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Text that fits in `max` terminal columns, cut with … when longer; with its width. */
export function fitWidth(text: string, max: number): { text: string; width: number } {
  // Printable ASCII (most cells) is one column a character; string-width is for the rest.
  const width = PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
  if (width <= max) return { text, width };
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const next = stringWidth(segment);
    if (used + next > max - 1) break;
    kept += segment;
    used += next;
  }
  return { text: `${kept}…`, width: used + 1 };
}

function pad(text: string, width: number, target: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, target - width));
  return align === 'right' ? `${fill}${text}` : `${text}${fill}`;
}

export interface GridColumn {
  /** Header text, control characters already escaped. */
  header: string;
  align: Align;
}

/**
 * The grid: a box-drawn header and one line per row, each cell cut to MAX_CELL_WIDTH. `rows` hold
 * cell texts (null for NULL) with control characters already escaped. Linear in the cells.
 */
export function renderGrid(
  columns: readonly GridColumn[],
  rows: ReadonlyArray<ReadonlyArray<string | null>>,
  chalk: ChalkInstance,
): string {
  const nullCell = { text: chalk.dim(NULL_TEXT), width: stringWidth(NULL_TEXT) };
  const headers = columns.map((column) => fitWidth(column.header, MAX_CELL_WIDTH));
  const widths = headers.map((header) => header.width);
  const cells = rows.map((row) =>
    columns.map((_column, index) => {
      const text = row[index];
      const cell = text === null || text === undefined ? nullCell : fitWidth(text, MAX_CELL_WIDTH);
      if (cell.width > widths[index]!) widths[index] = cell.width;
      return cell;
    }),
  );
  const rule = (left: string, middle: string, right: string): string =>
    `${left}${widths.map((width) => '─'.repeat(width + 2)).join(middle)}${right}`;
  const line = (row: ReadonlyArray<{ text: string; width: number }>, style: (text: string) => string): string =>
    `│ ${row
      .map((cell, index) => pad(style(cell.text), cell.width, widths[index]!, columns[index]!.align))
      .join(' │ ')} │`;
  const lines = [rule('┌', '┬', '┐'), line(headers, chalk.bold)];
  if (cells.length > 0) lines.push(rule('├', '┼', '┤'));
  for (const row of cells) lines.push(line(row, (text) => text));
  lines.push(rule('└', '┴', '┘'));
  return lines.join('\n');
}

/** The table as the terminal shows it (no trailing newline): the tool's own tables, redacted. */
export function renderTable(
  rows: ReadonlyArray<Record<string, Cell>>,
  options: TableOptions,
  chalk: ChalkInstance,
): string {
  // Redact before cutting and colouring, so neither can split a secret into unrecognisable halves.
  const title = options.title ? `${chalk.bold(showControls(redact(options.title)))}\n` : '';
  const columns = resolveColumns(rows, options);
  if (rows.length === 0 || columns.length === 0) return `${title}${chalk.dim('(no rows)')}`;
  const texts = rows.map((row) =>
    columns.map((column) => {
      const text = cellText(row[column.key], column.key);
      return text === null ? null : showControls(redact(text));
    }),
  );
  const grid = renderGrid(
    columns.map((column) => ({ header: showControls(redact(column.header)), align: column.align })),
    texts,
    chalk,
  );
  return `${title}${grid}`;
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
  /** The label's width in terminal columns. */
  labelWidth: number;
  bar: string;
  value: string;
}

/** The tool's own text: redacted, control characters escaped. */
function toolText(text: string): string {
  return showControls(redact(text));
}

/**
 * Each bar's label (control characters escaped, cut to MAX_LABEL_WIDTH), blocks and printed
 * value, before layout. `clean` prepares a label: redaction for the tool's own charts, none for
 * the user's data (analytics).
 */
export function barLines(
  bars: ReadonlyArray<{ label: string; value: number }>,
  options: BarChartOptions = {},
  clean: (text: string) => string = toolText,
): BarLine[] {
  const max = bars.reduce((biggest, item) => (item.value > biggest ? item.value : biggest), 0);
  const format = options.format ?? defaultBarValueFormat;
  const labels = bars.map((item) => fitWidth(clean(item.label), MAX_LABEL_WIDTH));
  const values = bars.map((item) => format(item.value));
  const width = barWidth(options, labels, values);
  return bars.map((item, i) => ({
    label: labels[i]!.text,
    labelWidth: labels[i]!.width,
    bar: bar(item.value, max, width),
    value: values[i]!,
  }));
}

/** Bars never shrink below this to fit a narrow terminal: a shorter bar compares nothing. */
const MIN_FITTED_BAR_WIDTH = 10;

/**
 * The longest bar's width: the one asked for; else the default, shrunk so that the widest label,
 * the bar and the widest value fit the terminal's `columns` (a line one column too long wraps its
 * value onto a line of its own).
 */
function barWidth(
  options: BarChartOptions,
  labels: ReadonlyArray<{ width: number }>,
  values: readonly string[],
): number {
  if (options.width !== undefined) return Math.max(1, Math.floor(options.width));
  if (options.columns === undefined) return DEFAULT_BAR_WIDTH;
  const widest = (widths: number[]): number => widths.reduce((a, b) => (b > a ? b : a), 0);
  // label, two spaces, the bar, a space, the value
  const room =
    options.columns - widest(labels.map((l) => l.width)) - 3 - widest(values.map((value) => stringWidth(value)));
  return Math.max(MIN_FITTED_BAR_WIDTH, Math.min(DEFAULT_BAR_WIDTH, room));
}

/** `label  ████▌ value` lines, labels padded to one column (no trailing newline). */
export function renderBarChart(
  bars: ReadonlyArray<{ label: string; value: number }>,
  options: BarChartOptions,
  chalk: ChalkInstance,
  clean: (text: string) => string = toolText,
): string {
  const title = options.title ? [chalk.bold(clean(options.title))] : [];
  if (bars.length === 0) return [...title, chalk.dim('(no data)')].join('\n');
  const lines = barLines(bars, options, clean);
  const labelWidth = lines.reduce((widest, line) => (line.labelWidth > widest ? line.labelWidth : widest), 0);
  const body = lines.map(
    (line) =>
      `${pad(line.label, line.labelWidth, labelWidth, 'left')}  ` +
      `${line.bar === '' ? '' : `${chalk.cyan(line.bar)} `}${line.value}`,
  );
  return [...title, ...body].join('\n');
}
