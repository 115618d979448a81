/**
 * Query results shown as a table (plus a bar chart where one reads faster), CSV or JSON, read from
 * a RowStream as its pages arrive.
 *
 * The promises kept here (docs/safety.md):
 * - Rows stay arrays of fields from the warehouse to the output, so `SELECT 1 AS a, 2 AS a` shows
 *   both values. CSV keeps both headers as they are; JSON, whose objects cannot hold one key
 *   twice, names the later ones `a_2`, `a_3`.
 * - The data is written exactly, through `Ui.data`: never redacted.
 * - Control characters never reach a terminal raw. The table view and charts always show them
 *   escaped (`\x1b`). CSV is escaped only when stdout is a terminal; to a file or a pipe it keeps
 *   every byte, since it is an export. JSON escapes them by its own rules (and here the C1 range
 *   too), which changes nothing once parsed.
 * - Memory stays bounded: csv and json write each page as it arrives (with back-pressure), and
 *   the table view keeps only its first `limit` rows and counts the rest.
 */
import type { RowStream } from '../sql/result.js';
import { chalkFor } from './colors.js';
import { formatCount, showControls, showControlsInMessage } from './format.js';
import { byteaText, cellText, isNumericColumn, renderBarChart, renderGrid } from './render.js';
import type { Ui } from './types.js';

export type OutputFormat = 'table' | 'csv' | 'json';

/** Rows the table view shows unless told otherwise (`sql --limit N`). */
export const DEFAULT_TABLE_LIMIT = 1000;

export interface ResultDisplay {
  format: OutputFormat;
  title?: string | undefined;
  /**
   * Label and value columns for a bar chart (table format only); `labelDetail` (one column or
   * several, joined by spaces) is shown after the label.
   */
  chart?: { label: string; value: string; labelDetail?: string | readonly string[] | undefined } | undefined;
  showTitle?: boolean | undefined;
  /** Rows the table view shows (default DEFAULT_TABLE_LIMIT); csv and json write every row. */
  limit?: number | undefined;
  /**
   * Thousands separators in integers (default true): right for analytics' measures, wrong for
   * `sql`, whose integers are as often ids and epoch milliseconds (`1541105830796`).
   */
  group?: boolean | undefined;
}

export interface ShownRows {
  /** Rows the statement returned (all of them, also those the table view did not show). */
  rowCount: number;
  /** False when the reader went away (`| head`) before every row was written. */
  complete: boolean;
}

/** Show every row of `rows` in the chosen format, reading its pages as they arrive. */
export async function showRows(ui: Ui, rows: RowStream, display: ResultDisplay): Promise<ShownRows> {
  switch (display.format) {
    case 'csv':
      return writeCsv(ui, rows);
    case 'json':
      return writeJson(ui, rows);
    case 'table':
      return showTable(ui, rows, display);
  }
}

// ---------------------------------------------------------------------------------------------
// table view

async function showTable(ui: Ui, rows: RowStream, display: ResultDisplay): Promise<ShownRows> {
  const limit = display.limit ?? DEFAULT_TABLE_LIMIT;
  const kept: (readonly unknown[])[] = [];
  let rowCount = 0;
  for await (const page of rows.pages) {
    for (const row of page) {
      if (kept.length < limit) kept.push(row);
      rowCount += 1;
    }
  }
  const chalk = chalkFor(ui.color);
  const title = display.showTitle === false || !display.title ? '' : `${chalk.bold(showControls(display.title))}\n`;
  const fields = rows.fields;
  let text: string;
  if (kept.length === 0 || fields.length === 0) {
    text = `${title}${chalk.dim('(no rows)')}`;
  } else {
    const group = display.group ?? true;
    const columns = fields.map((name, index) => ({
      header: showControls(name),
      align: isNumericColumn(kept, (row) => row[index]) ? ('right' as const) : ('left' as const),
    }));
    const cells = kept.map((row) =>
      fields.map((name, index) => {
        const value = cellText(row[index], name, { group });
        return value === null ? null : showControls(value);
      }),
    );
    text = `${title}${renderGrid(columns, cells, chalk)}`;
  }
  const open = await ui.data(`${text}\n`);
  if (!open) return { rowCount, complete: false };
  if (rowCount > kept.length) {
    ui.note(`… and ${formatCount(rowCount - kept.length)} more rows (use --format csv)`);
  }
  const chart = display.chart === undefined ? undefined : chartOf(fields, kept, display.chart);
  if (chart !== undefined && chart.length > 1) {
    await ui.data(`${renderBarChart(chart, { columns: ui.dataColumns }, chalk, showControls)}\n`);
  }
  return { rowCount, complete: true };
}

function chartOf(
  fields: readonly string[],
  rows: readonly (readonly unknown[])[],
  chart: NonNullable<ResultDisplay['chart']>,
): Array<{ label: string; value: number }> | undefined {
  const label = fields.indexOf(chart.label);
  const value = fields.indexOf(chart.value);
  if (label < 0 || value < 0) return undefined;
  // Detail columns missing from the result are skipped; empty detail cells add nothing.
  const details = [chart.labelDetail ?? []]
    .flat()
    .map((name) => ({ name, index: fields.indexOf(name) }))
    .filter((column) => column.index >= 0);
  return rows.map((row) => {
    const named = cellText(row[label], chart.label) ?? '∅';
    const detailText =
      details
        .map((column) => cellText(row[column.index], column.name))
        .filter((text) => text !== null && text !== '')
        .join(' ') || null;
    return { label: detailText === null ? named : `${named} – ${detailText}`, value: Number(row[value] ?? 0) };
  });
}

// ---------------------------------------------------------------------------------------------
// CSV

/** RFC 4180 CSV: header line, fields quoted when they hold a comma, quote or line break. */
async function writeCsv(ui: Ui, rows: RowStream): Promise<ShownRows> {
  // To a terminal the text is for reading: no byte of it may drive the terminal. Line breaks and
  // tabs are harmless there and are part of CSV, so they stay.
  const shown = ui.dataIsTerminal ? showControlsInMessage : (text: string): string => text;
  let rowCount = 0;
  if (!(await ui.data(shown(`${rows.fields.map(csvField).join(',')}\n`)))) return { rowCount, complete: false };
  for await (const page of rows.pages) {
    if (page.length === 0) continue;
    let chunk = '';
    for (const row of page) chunk += `${csvLine(row)}\n`;
    rowCount += page.length;
    if (!(await ui.data(shown(chunk)))) return { rowCount, complete: false };
  }
  return { rowCount, complete: true };
}

/** One CSV line (no line break) for `row`. */
export function csvLine(row: readonly unknown[]): string {
  let line = '';
  for (let index = 0; index < row.length; index += 1) {
    if (index > 0) line += ',';
    line += csvField(row[index]);
  }
  return line;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = exportText(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A value as an export writes it: as the warehouse would print it, bytea as `\x…`, json as JSON. */
function exportText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return byteaText(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value, bigintAsText);
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// JSON

/** An array of objects, one per row, written a page at a time (the same text as JSON.stringify(rows, null, 2)). */
async function writeJson(ui: Ui, rows: RowStream): Promise<ShownRows> {
  const keys = uniqueKeys(rows.fields);
  let rowCount = 0;
  for await (const page of rows.pages) {
    if (page.length === 0) continue;
    let chunk = '';
    for (const row of page) {
      const item = JSON.stringify(rowObject(keys, row), bigintAsText, 2).replaceAll('\n', '\n  ');
      chunk += `${rowCount === 0 ? '[\n' : ',\n'}  ${item}`;
      rowCount += 1;
    }
    if (!(await ui.data(escapeJsonControls(chunk)))) return { rowCount, complete: false };
  }
  await ui.data(rowCount === 0 ? '[]\n' : '\n]\n');
  return { rowCount, complete: true };
}

/**
 * Object keys for `fields`, each unique: a repeated name gets `_2`, `_3`… (skipping names the
 * result already has), so no value is lost to a duplicate key.
 */
export function uniqueKeys(fields: readonly string[]): string[] {
  const taken = new Set(fields);
  const seen = new Set<string>();
  return fields.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let suffix = 2;
    while (taken.has(`${name}_${suffix}`)) suffix += 1;
    const key = `${name}_${suffix}`;
    taken.add(key);
    return key;
  });
}

/** A row as an object with `keys` (from uniqueKeys); bytea as `\x…` text. */
export function rowObject(keys: readonly string[], row: readonly unknown[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let index = 0; index < keys.length; index += 1) {
    const value = row[index];
    object[keys[index]!] = value instanceof Uint8Array ? byteaText(value) : value;
  }
  return object;
}

function bigintAsText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** JSON text with DEL and the C1 controls escaped too (JSON.stringify escapes only U+0000–U+001F). */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `value` as JSON the way the results print it (bigint as text, bytea as `\x…`, controls escaped). */
export function jsonText(value: unknown): string {
  return escapeJsonControls(JSON.stringify(value, bigintOrBytea, 2));
}

function bigintOrBytea(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify has already turned a Buffer into { type, data } by the time the replacer
  // sees it; the holder still has the original.
  const original = (this as Record<string, unknown> | undefined)?.[key];
  if (original instanceof Uint8Array) return byteaText(original);
  return bigintAsText(key, value);
}
