/**
 * The Ui that writes to the terminal: results on stdout, diagnostics (warnings, errors, spinners)
 * on stderr, every byte through `redact`. Colour only when asked for (see `detectColor`); spinner
 * animation only when interactive; without either the output is plain text a log can keep.
 */
import type { ChalkInstance } from 'chalk';
import type { default as ora, Ora } from 'ora';
import { chalkFor } from './colors.js';
import { isCapableTerminal, type TtyLike } from './interactive.js';
import { redact } from './redact.js';
import { renderBarChart, renderTable } from './render.js';
import type { BarChartOptions, Cell, Spinner, TableOptions, Ui } from './types.js';

export interface TerminalUiOptions {
  color: boolean;
  /** A person is at the terminal (src/ui/interactive.ts): spinners animate (rewrite their line) only then. */
  interactive: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export const SYMBOLS = {
  success: '✔',
  warning: '⚠',
  error: '✖',
  /** Prefix of a spinner's start line when it cannot animate. */
  pending: '-',
} as const;

/**
 * Whether output on `stream` gets colour: never with --no-color, a non-empty NO_COLOR
 * (https://no-color.org) or FORCE_COLOR=0/false; always with any other FORCE_COLOR; otherwise only
 * on a TTY whose TERM is not "dumb". The explicit opt-outs win over FORCE_COLOR.
 */
export function detectColor(argv: readonly string[], env: NodeJS.ProcessEnv, stream: TtyLike): boolean {
  if (argv.includes('--no-color')) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force.toLowerCase() === 'false') return false;
    return true;
  }
  return isCapableTerminal(env, stream);
}

export function createTerminalUi(options: TerminalUiOptions): Ui {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const chalk = chalkFor(options.color);

  const writeLine = (stream: NodeJS.WritableStream, text: string): void => {
    stream.write(`${redact(text)}\n`);
  };
  /** A symbol line; continuation lines (an error's hint, a stack) indented under the text. */
  const symbolLine = (symbol: string, text: string, colour: (s: string) => string): string => {
    // Redacted before colouring: an escape code inside a secret would hide it from `redact`.
    const [first = '', ...rest] = redact(text).split('\n');
    return [`${colour(symbol)} ${colour(first)}`, ...rest.map((line) => `  ${line}`)].join('\n');
  };

  return {
    color: options.color,
    interactive: options.interactive,
    heading(text) {
      const safe = redact(text);
      writeLine(stdout, `\n${chalk.bold.cyan(safe)}\n${chalk.dim('─'.repeat(Math.min(safe.length, 72)))}`);
    },
    info(text) {
      writeLine(stdout, text);
    },
    success(text) {
      writeLine(stdout, symbolLine(SYMBOLS.success, text, chalk.green));
    },
    warn(text) {
      writeLine(stderr, symbolLine(SYMBOLS.warning, text, chalk.yellow));
    },
    error(text) {
      writeLine(stderr, symbolLine(SYMBOLS.error, text, chalk.red));
    },
    note(text) {
      writeLine(stdout, chalk.dim(redact(text)));
    },
    print(text) {
      stdout.write(redact(text.endsWith('\n') ? text : `${text}\n`));
    },
    spinner(text) {
      if (!options.interactive) return plainSpinner(text, (line) => writeLine(stderr, line), chalk);
      return oraFactory
        ? oraSpinner(oraFactory, text, stderr, chalk, options.color)
        : deferredSpinner(text, stderr, chalk, options.color);
    },
    table(rows: ReadonlyArray<Record<string, Cell>>, tableOptions: TableOptions = {}) {
      writeLine(stdout, renderTable(rows, tableOptions, chalk));
    },
    barChart(bars, chartOptions: BarChartOptions = {}) {
      writeLine(stdout, renderBarChart(bars, chartOptions, chalk));
    },
  };
}

/**
 * No animation and no cursor codes: the start text once, then the final line. Updates are not
 * printed, or a log would get one line per tick; the final line carries the result.
 */
function plainSpinner(start: string, writeLine: (text: string) => void, chalk: ChalkInstance): Spinner {
  let current = start;
  let finished = false;
  writeLine(`${SYMBOLS.pending} ${start}`);
  const finish = (symbol: string, colour: (s: string) => string, text: string | undefined): void => {
    if (finished) return;
    finished = true;
    writeLine(`${colour(symbol)} ${text ?? current}`);
  };
  return {
    update(text) {
      if (!finished) current = text;
    },
    succeed: (text) => finish(SYMBOLS.success, chalk.green, text),
    fail: (text) => finish(SYMBOLS.error, chalk.red, text),
    warn: (text) => finish(SYMBOLS.warning, chalk.yellow, text),
    stop() {
      finished = true;
    },
  };
}

type OraFactory = typeof ora;
let oraFactory: OraFactory | undefined;
let oraLoading: Promise<OraFactory> | undefined;

/** ora takes ~75 ms to import: it is loaded by the first spinner, not at start-up, so the menu draws at once. */
export function loadSpinnerLibrary(): Promise<OraFactory> {
  oraLoading ??= import('ora').then((module) => (oraFactory = module.default));
  return oraLoading;
}

/**
 * A spinner asked for before ora has loaded: it starts animating as soon as ora is there (a few
 * tens of milliseconds, once per process); if it finishes before that, only its final line shows.
 */
function deferredSpinner(start: string, stream: NodeJS.WritableStream, chalk: ChalkInstance, color: boolean): Spinner {
  let current = start;
  let finished = false;
  let real: Spinner | undefined;
  void loadSpinnerLibrary().then(
    (factory) => {
      if (!finished) real = oraSpinner(factory, current, stream, chalk, color);
    },
    () => undefined, // without ora the spinner simply does not animate; its final line still shows
  );
  const finish = (
    symbol: string,
    colour: (s: string) => string,
    text: string | undefined,
    method: 'succeed' | 'fail' | 'warn',
  ): void => {
    if (finished) return;
    finished = true;
    if (real) real[method](text);
    else stream.write(`${colour(symbol)} ${redact(text ?? current)}\n`);
  };
  return {
    update(text) {
      if (finished) return;
      current = text;
      real?.update(text);
    },
    succeed: (text) => finish(SYMBOLS.success, chalk.green, text, 'succeed'),
    fail: (text) => finish(SYMBOLS.error, chalk.red, text, 'fail'),
    warn: (text) => finish(SYMBOLS.warning, chalk.yellow, text, 'warn'),
    stop() {
      if (finished) return;
      finished = true;
      real?.stop();
    },
  };
}

function oraSpinner(
  ora: OraFactory,
  start: string,
  stream: NodeJS.WritableStream,
  chalk: ChalkInstance,
  color: boolean,
): Spinner {
  const spinner: Ora = ora({
    text: redact(start),
    stream,
    // The caller decided the terminal is interactive; ora's own check would look at process.stderr.
    isEnabled: true,
    color: color ? 'cyan' : false,
    // Raw-mode stdin would swallow Ctrl-C as a SIGINT, which the app relies on to stop a step safely.
    discardStdin: false,
  }).start();
  let finished = false;
  // ora's own success/fail symbols are coloured by its chalk, which knows nothing of --no-color.
  const finish = (symbol: string, colour: (s: string) => string, text: string | undefined): void => {
    if (finished) return;
    finished = true;
    spinner.stopAndPersist({ symbol: colour(symbol), text: redact(text ?? spinner.text) });
  };
  return {
    update(text) {
      if (!finished) spinner.text = redact(text);
    },
    succeed: (text) => finish(SYMBOLS.success, chalk.green, text),
    fail: (text) => finish(SYMBOLS.error, chalk.red, text),
    warn: (text) => finish(SYMBOLS.warning, chalk.yellow, text),
    stop() {
      if (finished) return;
      finished = true;
      spinner.stop();
    },
  };
}
