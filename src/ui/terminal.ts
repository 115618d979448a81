/**
 * The Ui that writes to the terminal: results on stdout, diagnostics (warnings, errors, spinners)
 * on stderr. Every message of the tool's own goes through `cleanMessage` (secrets redacted, control
 * characters shown escaped); the user's data goes through `data`, unaltered. Colour only when
 * asked for (see `detectColor`); spinner animation only when interactive; without either the
 * output is plain text a log can keep.
 */
import type { ChalkInstance } from 'chalk';
import type { default as ora, Ora } from 'ora';
import { chalkFor } from './colors.js';
import { isCapableTerminal, type TtyLike } from './interactive.js';
import { cleanMessage, redact } from './redact.js';
import type * as RenderModule from './render.js';
import type { BarChartOptions, Cell, Spinner, TableOptions, Ui } from './types.js';
import { loadStringWidth, streamColumns, wrapToWidth } from './wrap.js';

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

  const hold = outputHold(stderr);
  const writeLine = (stream: NodeJS.WritableStream, text: string): void => {
    hold.write(stream, `${redact(text)}\n`);
  };
  /**
   * A symbol line; continuation lines (an error's hint, a stack) indented under the text. On a
   * terminal, long lines are wrapped between words (src/ui/wrap.ts), still under the text.
   */
  const symbolLine = (
    stream: NodeJS.WritableStream,
    symbol: string,
    text: string,
    colour: (s: string) => string,
  ): string => {
    // Cleaned (secrets redacted) before wrapping and colouring: a secret cut in two, or an escape
    // code inside one, would hide it from `redact`.
    const [first = '', ...rest] = cleanMessage(text).split('\n');
    const columns = streamColumns(stream);
    const [head = '', ...more] = wrapAfterSymbol(stream, symbol, first).split('\n');
    return [
      `${colour(symbol)} ${colour(head)}`,
      ...more.map((line) => colour(line)),
      ...rest.map((line) => wrapToWidth(`  ${line}`, columns, 2)),
    ].join('\n');
  };
  /** A plain message, wrapped between words on a terminal. */
  const messageLine = (stream: NodeJS.WritableStream, text: string): string =>
    wrapToWidth(cleanMessage(text), streamColumns(stream));

  return {
    color: options.color,
    interactive: options.interactive,
    heading(text) {
      const safe = cleanMessage(text);
      writeLine(stdout, `\n${chalk.bold.cyan(safe)}\n${chalk.dim('─'.repeat(Math.min(safe.length, 72)))}`);
    },
    info(text) {
      writeLine(stdout, messageLine(stdout, text));
    },
    success(text) {
      writeLine(stdout, symbolLine(stdout, SYMBOLS.success, text, chalk.green));
    },
    warn(text) {
      writeLine(stderr, symbolLine(stderr, SYMBOLS.warning, text, chalk.yellow));
    },
    error(text) {
      writeLine(stderr, symbolLine(stderr, SYMBOLS.error, text, chalk.red));
    },
    note(text) {
      writeLine(stdout, chalk.dim(messageLine(stdout, text)));
    },
    print(text) {
      hold.write(stdout, redact(text.endsWith('\n') ? text : `${text}\n`));
    },
    dataIsTerminal: Boolean((stdout as { isTTY?: boolean }).isTTY),
    // Read at each use: the terminal may have been resized since.
    get dataColumns() {
      return streamColumns(stdout);
    },
    data: (text) => writeData(stdout, text),
    spinner(text) {
      if (!options.interactive) return plainSpinner(text, (line) => writeLine(stderr, line), chalk);
      return oraFactory
        ? oraSpinner(oraFactory, text, stderr, chalk, options.color)
        : deferredSpinner(text, stderr, chalk, options.color);
    },
    table(rows: ReadonlyArray<Record<string, Cell>>, tableOptions: TableOptions = {}) {
      writeLine(stdout, tableRenderer().renderTable(rows, tableOptions, chalk));
    },
    barChart(bars, chartOptions: BarChartOptions = {}) {
      const columns = streamColumns(stdout);
      writeLine(stdout, tableRenderer().renderBarChart(bars, { columns, ...chartOptions }, chalk));
    },
    hold: () => hold.start(),
    // A failed import is reported by the first table, which needs it.
    ready: () =>
      loadTableRenderer().then(
        () => undefined,
        () => undefined,
      ),
  };
}

type WriteArguments = Parameters<NodeJS.WritableStream['write']>;

/**
 * The Ui's hold (see Ui.hold). Lines the Ui writes are queued; so is anything else written to
 * stderr meanwhile (Node prints its process warnings there, e.g. a library's deprecation notice
 * when a status read first loads it), by standing in for stderr's `write` until the hold ends.
 * stdout is not intercepted: the prompt being drawn writes there.
 */
function outputHold(stderr: NodeJS.WritableStream) {
  let queue: Array<{ stream: NodeJS.WritableStream; chunk: WriteArguments[0] }> | undefined;
  const flush = (): void => {
    const held = queue ?? [];
    queue = undefined;
    for (const { stream, chunk } of held) stream.write(chunk);
  };
  return {
    write(stream: NodeJS.WritableStream, text: string): void {
      if (queue) queue.push({ stream, chunk: text });
      else stream.write(text);
    },
    start(): () => void {
      if (queue) return () => undefined; // already held: the outer hold prints it all
      queue = [];
      const own = Object.getOwnPropertyDescriptor(stderr, 'write');
      const original = stderr.write.bind(stderr) as (...args: WriteArguments) => boolean;
      const standIn = (...args: WriteArguments): boolean => {
        if (!queue) return original(...args);
        queue.push({ stream: stderr, chunk: args[0] });
        // A writer waiting for its callback (console does) is told the chunk was taken.
        const callback = args.find((arg): arg is (error?: Error | null) => void => typeof arg === 'function');
        if (callback) process.nextTick(callback);
        return true;
      };
      stderr.write = standIn as NodeJS.WritableStream['write'];
      return () => {
        if (own) Object.defineProperty(stderr, 'write', own);
        else delete (stderr as { write?: unknown }).write;
        flush();
      };
    },
  };
}

/** Streams whose reader has gone (EPIPE after `| head`): further data is dropped, not written. */
const closedStreams = new WeakSet<NodeJS.WritableStream>();

/**
 * The user's data, unaltered, with back-pressure: resolves when the stream can take more, false
 * once it cannot take any (the reader closed the pipe), so a long export stops instead of
 * failing or filling memory.
 */
function writeData(stream: NodeJS.WritableStream, text: string): Promise<boolean> {
  if (closedStreams.has(stream)) return Promise.resolve(false);
  if (!errorWatched.has(stream)) watchErrors(stream);
  return new Promise((resolve) => {
    const settle = (open: boolean): void => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onClose);
      resolve(open);
    };
    const onDrain = (): void => settle(true);
    const onClose = (): void => settle(false);
    if (stream.write(text)) {
      resolve(true);
      return;
    }
    stream.once('drain', onDrain);
    stream.once('close', onClose);
    stream.once('error', onClose);
  });
}

const errorWatched = new WeakSet<NodeJS.WritableStream>();

/** An EPIPE on stdout must not crash the program: the reader simply stopped reading. */
function watchErrors(stream: NodeJS.WritableStream): void {
  errorWatched.add(stream);
  stream.on('error', () => closedStreams.add(stream));
  stream.on('close', () => closedStreams.add(stream));
}

/**
 * No animation and no cursor codes: the start text once, then the final line. Updates are not
 * printed, or a log would get one line per tick; the final line carries the result.
 */
function plainSpinner(start: string, writeLine: (text: string) => void, chalk: ChalkInstance): Spinner {
  let current = start;
  let finished = false;
  writeLine(`${SYMBOLS.pending} ${cleanMessage(start)}`);
  const finish = (symbol: string, colour: (s: string) => string, text: string | undefined): void => {
    if (finished) return;
    finished = true;
    writeLine(`${colour(symbol)} ${cleanMessage(text ?? current)}`);
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

/**
 * The text after a ✔/⚠/✖ symbol, wrapped between words on a terminal as the symbol and its space
 * take the first columns: continuation lines start under the text.
 */
function wrapAfterSymbol(stream: NodeJS.WritableStream, symbol: string, text: string): string {
  return wrapToWidth(`${symbol} ${text}`, streamColumns(stream), 2).slice(symbol.length + 1);
}

/** A spinner's final line after its symbol: cleaned, and wrapped as every symbol line is. */
function finalText(stream: NodeJS.WritableStream, symbol: string, text: string): string {
  return wrapAfterSymbol(stream, symbol, cleanMessage(text));
}

type TableRenderer = typeof RenderModule;
let renderer: TableRenderer | undefined;
let rendererLoading: Promise<TableRenderer> | undefined;

/**
 * Tables and charts measure their cells with string-width, whose Unicode regular expressions take
 * 20–40 ms to compile: loaded after the menu's first drawing, not before it (docs/performance.md).
 * A command's step runs once it is loaded (Ui.ready, awaited by src/app.ts and the menu).
 */
export function loadTableRenderer(): Promise<TableRenderer> {
  rendererLoading ??= Promise.all([import('./render.js'), loadStringWidth()]).then(([module]) => (renderer = module));
  return rendererLoading;
}

function tableRenderer(): TableRenderer {
  if (!renderer) throw new Error('a table was drawn before the table renderer was loaded (await ui.ready() first)');
  return renderer;
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
    else stream.write(`${colour(symbol)} ${finalText(stream, symbol, text ?? current)}\n`);
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
    text: cleanMessage(start),
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
    spinner.stopAndPersist({ symbol: colour(symbol), text: finalText(stream, symbol, text ?? spinner.text) });
  };
  return {
    update(text) {
      if (!finished) spinner.text = cleanMessage(text);
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
