/**
 * Everything a step shows goes through Ui, and everything it asks through Prompts, so tests can
 * script the answers and read what was shown. src/ui holds the only code that writes to the terminal.
 */

/** What the menu shows next to a step, read live from the warehouse and dwh.cfg. */
/** `failed`: it ran and found problems (the data-quality checks). */
export type StepState = 'done' | 'todo' | 'stale' | 'failed' | 'unavailable';

export interface StepStatus {
  state: StepState;
  /** Short detail: "42 songplays", "cluster available", "dwh.cfg changed since the load". */
  detail?: string;
}

export interface Spinner {
  /** Replace the spinner's text (elapsed time, row counts, next check…). */
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  warn(text?: string): void;
  /** Stop without a final symbol (e.g. on Ctrl-C). */
  stop(): void;
}

export type Align = 'left' | 'right';

export interface TableColumn {
  /** Key in each row object. */
  key: string;
  /** Header text; the key when omitted. */
  header?: string;
  align?: Align;
}

export type Cell = string | number | bigint | boolean | Date | null | undefined;

export interface TableOptions {
  title?: string;
  columns?: TableColumn[];
}

export interface BarChartOptions {
  title?: string;
  /** Width in characters of the longest bar. */
  width?: number;
  /** The terminal's width, when `width` is not given: the bars shrink (to 10 at least) so each line fits. */
  columns?: number | undefined;
  /** Formats the value printed after each bar. */
  format?: (value: number) => string;
}

export interface Ui {
  /** Colour is on (a capable terminal or FORCE_COLOR, no NO_COLOR, no --no-color: see detectColor). */
  readonly color: boolean;
  /** A person is at the terminal (src/ui/interactive.ts): spinners animate and a step may offer choices. */
  readonly interactive: boolean;
  /** stdout's width in columns when it is a terminal (charts are fitted to it); undefined otherwise. */
  readonly dataColumns?: number | undefined;
  heading(text: string): void;
  info(text: string): void;
  success(text: string): void;
  warn(text: string): void;
  /** A failure line, red, on stderr. */
  error(text: string): void;
  /** Dim secondary text. */
  note(text: string): void;
  /** Print the tool's own preformatted text (redacted) to stdout. */
  print(text: string): void;
  /**
   * Write the user's own data (query results, exports, analytics) to stdout exactly as given:
   * never redacted, never altered (the caller escapes what a terminal must not receive; see
   * src/ui/results.ts and docs/safety.md). Resolves once stdout can take more, so a big export
   * streams in bounded memory; resolves false once the reader has gone (`| head`): stop writing.
   */
  data(text: string): Promise<boolean>;
  /** stdout is a terminal, so data written there has its control characters shown escaped. */
  readonly dataIsTerminal: boolean;
  spinner(text: string): Spinner;
  table(rows: ReadonlyArray<Record<string, Cell>>, options?: TableOptions): void;
  barChart(bars: ReadonlyArray<{ label: string; value: number }>, options?: BarChartOptions): void;
  /**
   * Keep every line back (this Ui's, and anything else written to its stderr, such as a Node
   * warning) while a drawing that will be erased and drawn again is on screen: a line printed
   * under it would shift it, and the erase would leave part of it behind. Returns the function that
   * prints what was kept and ends the hold. Only a terminal Ui has it.
   */
  hold?(): () => void;
  /**
   * Resolves (never rejects) once tables and charts can be drawn: the terminal Ui loads their
   * renderer after start-up, so that the menu draws first. A command's step runs only after it.
   */
  ready?(): Promise<void>;
}

export interface Choice<T> {
  name: string;
  value: T;
  /** What stays on screen as the answer once it is chosen (default: `name`). */
  short?: string;
  description?: string;
  /** A reason shown in place of the choice being selectable. */
  disabled?: boolean | string;
}

interface PromptBase {
  message: string;
  /**
   * What to tell the user under --yes when this prompt has no default: which dwh.cfg key or flag
   * supplies the answer ("set [DWH] DWH_DB_PASSWORD in dwh.cfg").
   */
  unattended?: string;
}

export interface SelectPrompt<T> extends PromptBase {
  choices: ReadonlyArray<Choice<T>>;
  default?: T;
  /**
   * Withdraws the question (e.g. to ask it again with fresher choices): on abort the terminal
   * prompt erases its lines and rejects with `SelectAbortedError` (src/ui/prompts.ts), which
   * carries the value that was under the cursor; never InterruptedError, which stays Ctrl-C's.
   * Prompts that answer at once (--yes, no terminal, scripted tests) ignore it.
   */
  signal?: AbortSignal;
}

export interface InputPrompt extends PromptBase {
  default?: string;
  /** Return true, or the message to show under the prompt. */
  validate?: (value: string) => true | string;
  /**
   * How the answer stays on screen once given (e.g. a URL with its password masked); the value
   * itself is returned unchanged.
   */
  display?: (value: string) => string;
}

export interface PasswordPrompt extends PromptBase {
  /** Under --yes the value already known (from dwh.cfg); never shown. */
  default?: string;
  validate?: (value: string) => true | string;
}

export interface ConfirmPrompt extends PromptBase {
  default?: boolean;
}

/**
 * Questions. The terminal implementation uses @inquirer/prompts; under --yes every prompt takes
 * its default (confirm: yes) or fails with a UserError built from `unattended`; tests script them.
 * Ctrl-C rejects with InterruptedError.
 */
export interface Prompts {
  readonly unattended: boolean;
  select<T>(prompt: SelectPrompt<T>): Promise<T>;
  input(prompt: InputPrompt): Promise<string>;
  password(prompt: PasswordPrompt): Promise<string>;
  confirm(prompt: ConfirmPrompt): Promise<boolean>;
}
