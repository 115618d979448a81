/** Query results shown as a table (plus a bar chart where one reads faster), CSV or JSON. */
import type { QueryResult } from '../sql/result.js';
import type { Cell, Ui } from './types.js';

export type OutputFormat = 'table' | 'csv' | 'json';

export interface ResultDisplay {
  format: OutputFormat;
  title?: string | undefined;
  /** Label and value columns for a bar chart (table format only). */
  chart?: { label: string; value: string } | undefined;
  showTitle?: boolean | undefined;
}

export function printResult(ui: Ui, result: QueryResult, display: ResultDisplay): void {
  if (display.format === 'json') {
    ui.print(JSON.stringify(result.rows, jsonValue, 2));
    return;
  }
  if (display.format === 'csv') {
    ui.print(toCsv(result));
    return;
  }
  const title = display.showTitle === false ? undefined : display.title;
  ui.table(result.rows as Array<Record<string, Cell>>, {
    ...(title ? { title } : {}),
    columns: result.fields.map((key) => ({ key })),
  });
  if (display.chart && result.rows.length > 1) {
    const { label, value } = display.chart;
    ui.barChart(
      result.rows.map((row) => ({ label: String(row[label] ?? '∅'), value: Number(row[value] ?? 0) })),
      {},
    );
  }
}

function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** RFC 4180 CSV: header line, fields quoted when they hold a comma, quote or line break. */
export function toCsv(result: QueryResult): string {
  const lines = [result.fields.map(csvField).join(',')];
  for (const row of result.rows) lines.push(result.fields.map((field) => csvField(row[field])).join(','));
  return lines.join('\n');
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
