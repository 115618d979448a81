/**
 * Test doubles for the terminal: `scriptedPrompts` answers questions from a list, `recordingUi`
 * keeps everything a step showed as plain text. Every step test uses both.
 */
import { Chalk } from 'chalk';
import { findChoice } from '../../src/ui/prompts.js';
import { redact } from '../../src/ui/redact.js';
import { barLines, cellText, NULL_TEXT, renderBarChart, resolveColumns } from '../../src/ui/render.js';
import { SYMBOLS } from '../../src/ui/terminal.js';
import type {
  BarChartOptions,
  Cell,
  Choice,
  ConfirmPrompt,
  InputPrompt,
  PasswordPrompt,
  Prompts,
  SelectPrompt,
  Spinner,
  TableOptions,
  Ui,
} from '../../src/ui/types.js';

// ---------------------------------------------------------------------------------------------
// scripted prompts

export type PromptKind = 'select' | 'input' | 'password' | 'confirm';

export interface AskedPrompt {
  kind: PromptKind;
  message: string;
  /** The answer given (passwords included: it is a test). */
  answer?: unknown;
  /** Validation messages shown for scripted answers that `validate` rejected, in order. */
  rejected: string[];
}

/**
 * Answers prompts in order from `answers`, recording each prompt asked.
 *
 * - select: the answer is a choice's value, or a choice's name (exact, or a unique prefix, handy
 *   for menu labels that carry a status badge). A disabled choice cannot be picked.
 * - input/password: a string; `undefined` or '' takes the default (as Enter does). An answer
 *   `validate` rejects is recorded in `rejected` and the next answer is tried, as a person
 *   would retype.
 * - confirm: a boolean; `undefined` takes the default.
 * - An Error instance as an answer rejects the prompt with it (`new InterruptedError()` is Ctrl-C).
 *
 * A prompt with no scripted answer left fails loudly, naming the prompt and what was asked before.
 */
/** An answer known at once: a throw in `work` becomes a rejection, as from a real question. */
function answered<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}

export function scriptedPrompts(answers: unknown[]) {
  const queue = [...answers];
  const asked: AskedPrompt[] = [];

  const next = (kind: PromptKind, message: string, record: AskedPrompt): unknown => {
    if (queue.length === 0) {
      const before = asked.slice(0, -1).map((prompt) => `${prompt.kind} "${prompt.message}"`);
      const rejected =
        record.rejected.length > 0 ? `; scripted answers rejected by validate: ${record.rejected.join(' | ')}` : '';
      throw new Error(
        `scriptedPrompts: no scripted answer for ${kind} prompt "${message}"${rejected} ` +
          `(asked before: ${before.join(', ') || 'nothing'})`,
      );
    }
    const answer = queue.shift();
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const begin = (kind: PromptKind, message: string): AskedPrompt => {
    const record: AskedPrompt = { kind, message, rejected: [] };
    asked.push(record);
    return record;
  };
  const text = (kind: 'input' | 'password', prompt: InputPrompt | PasswordPrompt): string => {
    const record = begin(kind, prompt.message);
    for (;;) {
      const answer = next(kind, prompt.message, record);
      if (answer !== undefined && typeof answer !== 'string') {
        throw new Error(
          `scriptedPrompts: ${kind} prompt "${prompt.message}" needs a string answer, got ${JSON.stringify(answer)}`,
        );
      }
      const value = answer === undefined || answer === '' ? (prompt.default ?? '') : answer;
      const verdict = prompt.validate?.(value) ?? true;
      if (verdict === true) {
        record.answer = value;
        return value;
      }
      record.rejected.push(verdict);
    }
  };

  const prompts = {
    unattended: false,
    /** Every prompt asked so far, in order. */
    asked,
    /** Scripted answers not used yet. */
    remaining: (): number => queue.length,
    /** Messages of the prompts asked so far. */
    messages: (): string[] => asked.map((prompt) => prompt.message),
    select: <T>(prompt: SelectPrompt<T>): Promise<T> =>
      answered(() => {
        const record = begin('select', prompt.message);
        const answer = next('select', prompt.message, record);
        const choice = pickChoice(prompt.choices, answer);
        if (!choice) {
          throw new Error(
            `scriptedPrompts: ${JSON.stringify(answer)} is not a choice of select "${prompt.message}"; ` +
              `choices: ${prompt.choices.map((c) => c.name).join(' | ')}`,
          );
        }
        if (choice.disabled)
          throw new Error(`scriptedPrompts: choice "${choice.name}" of select "${prompt.message}" is disabled`);
        record.answer = choice.value;
        return choice.value;
      }),
    input: (prompt: InputPrompt): Promise<string> => answered(() => text('input', prompt)),
    password: (prompt: PasswordPrompt): Promise<string> => answered(() => text('password', prompt)),
    confirm: (prompt: ConfirmPrompt): Promise<boolean> =>
      answered(() => {
        const record = begin('confirm', prompt.message);
        const answer = next('confirm', prompt.message, record);
        const value = answer === undefined ? (prompt.default ?? true) : answer;
        if (typeof value !== 'boolean')
          throw new Error(
            `scriptedPrompts: confirm "${prompt.message}" needs a boolean answer, got ${JSON.stringify(answer)}`,
          );
        record.answer = value;
        return value;
      }),
  } satisfies Prompts & Record<string, unknown>;
  return prompts;
}

function pickChoice<T>(choices: ReadonlyArray<Choice<T>>, answer: unknown): Choice<T> | undefined {
  const byValue = findChoice(choices, answer as T);
  if (byValue || typeof answer !== 'string') return byValue;
  const exact = choices.find((choice) => choice.name === answer);
  if (exact) return exact;
  const prefixed = choices.filter((choice) => choice.name.startsWith(answer));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

// ---------------------------------------------------------------------------------------------
// recording Ui

export type RecordKind =
  'heading' | 'info' | 'success' | 'warn' | 'error' | 'note' | 'print' | 'table' | 'chart' | 'spinner';

export interface RecordedLine {
  kind: RecordKind;
  /** The line as plain text, redacted, the way the terminal shows it without colour. */
  text: string;
}

export interface RecordedTable {
  title?: string;
  headers: string[];
  /** Cells as the terminal shows them (NULL as ∅, numbers grouped). */
  rows: string[][];
  /** The rows as given. */
  raw: ReadonlyArray<Record<string, Cell>>;
}

export interface RecordedChart {
  title?: string;
  bars: Array<{ label: string; value: number; bar: string; shown: string }>;
}

export type SpinnerEnd = 'succeed' | 'fail' | 'warn' | 'stop';

export interface RecordedSpinner {
  /** The start text, then each update, in order. */
  texts: string[];
  end?: { state: SpinnerEnd; text: string };
}

const plainChalk = new Chalk({ level: 0 });

/**
 * A Ui (colour off, not interactive) that records every line. `text()` is the whole output in
 * order as a non-interactive terminal would print it, except tables, which are ` | `-joined rows.
 */
export function recordingUi() {
  const lines: RecordedLine[] = [];
  const tables: RecordedTable[] = [];
  const charts: RecordedChart[] = [];
  const spinners: RecordedSpinner[] = [];
  const record = (kind: RecordKind, text: string): void => {
    lines.push({ kind, text: redact(text) });
  };

  const ui = {
    color: false,
    interactive: false,
    lines,
    tables,
    charts,
    spinners,
    /** Everything shown, in order, one line per entry (multi-line entries keep their line breaks). */
    text: (): string => lines.map((line) => line.text).join('\n'),
    /** The texts of one kind of line. */
    of: (kind: RecordKind): string[] => lines.filter((line) => line.kind === kind).map((line) => line.text),
    heading(text: string) {
      record('heading', text);
    },
    info(text: string) {
      record('info', text);
    },
    success(text: string) {
      record('success', `${SYMBOLS.success} ${text}`);
    },
    warn(text: string) {
      record('warn', `${SYMBOLS.warning} ${text}`);
    },
    error(text: string) {
      record('error', `${SYMBOLS.error} ${text}`);
    },
    note(text: string) {
      record('note', text);
    },
    print(text: string) {
      record('print', text.endsWith('\n') ? text.slice(0, -1) : text);
    },
    spinner(start: string): Spinner {
      const entry: RecordedSpinner = { texts: [redact(start)] };
      spinners.push(entry);
      record('spinner', `${SYMBOLS.pending} ${start}`);
      const finish = (state: SpinnerEnd, symbol: string | undefined, text: string | undefined): void => {
        if (entry.end) return;
        const final = redact(text ?? entry.texts[entry.texts.length - 1] ?? '');
        entry.end = { state, text: final };
        if (symbol) record('spinner', `${symbol} ${final}`);
      };
      return {
        update(text) {
          if (!entry.end) entry.texts.push(redact(text));
        },
        succeed: (text) => finish('succeed', SYMBOLS.success, text),
        fail: (text) => finish('fail', SYMBOLS.error, text),
        warn: (text) => finish('warn', SYMBOLS.warning, text),
        stop: () => finish('stop', undefined, undefined),
      };
    },
    table(rows: ReadonlyArray<Record<string, Cell>>, options: TableOptions = {}) {
      const columns = resolveColumns(rows, options);
      const shown = rows.map((row) =>
        columns.map((column) => redact(cellText(row[column.key], column.key) ?? NULL_TEXT)),
      );
      const table: RecordedTable = { headers: columns.map((column) => column.header), rows: shown, raw: rows };
      if (options.title !== undefined) table.title = options.title;
      tables.push(table);
      const body = [table.headers, ...shown].map((cells) => cells.join(' | '));
      record(
        'table',
        [...(options.title ? [options.title] : []), ...(rows.length === 0 ? ['(no rows)'] : body)].join('\n'),
      );
    },
    barChart(bars: ReadonlyArray<{ label: string; value: number }>, options: BarChartOptions = {}) {
      const drawn = barLines(bars, options);
      const chart: RecordedChart = {
        bars: bars.map((item, i) => ({
          label: item.label,
          value: item.value,
          bar: drawn[i]?.bar ?? '',
          shown: drawn[i]?.value ?? '',
        })),
      };
      if (options.title !== undefined) chart.title = options.title;
      charts.push(chart);
      record('chart', renderBarChart(bars, options, plainChalk));
    },
  } satisfies Ui & Record<string, unknown>;
  return ui;
}
