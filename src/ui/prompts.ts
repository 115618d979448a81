/**
 * The Prompts a command runs with:
 * - `createInquirerPrompts`: a person at a terminal (@inquirer/prompts, imported on the first
 *   question so commands that never ask start fast);
 * - `createUnattendedPrompts`: --yes, every answer from dwh.cfg and the defaults;
 * - `createNoTerminalPrompts`: no terminal and no --yes, so nobody can answer: a clear failure.
 */
import type inquirerConfirm from '@inquirer/confirm';
import type inquirerInput from '@inquirer/input';
import type inquirerPassword from '@inquirer/password';
import type inquirerSelect from '@inquirer/select';
import { InterruptedError, UserError } from '../errors.js';
import { guardTypeAhead, type TerminalInput } from './type-ahead.js';
import { streamColumns, wrapQuestion } from './wrap.js';
import type { Choice, ConfirmPrompt, InputPrompt, PasswordPrompt, Prompts, SelectPrompt } from './types.js';

/**
 * A select withdrawn through its `signal` (not answered, not Ctrl-C): the caller asks again.
 * `highlighted` is the value of the choice under the cursor at that moment (undefined when
 * unknown), so the next question can start there.
 */
export class SelectAbortedError<T = unknown> extends Error {
  override readonly name = 'SelectAbortedError';
  constructor(readonly highlighted: T | undefined) {
    super('the question was withdrawn to be asked again');
  }
}

export function isSelectAborted(error: unknown): error is SelectAbortedError {
  return error instanceof SelectAbortedError;
}

/** "Cluster identifier?" → "Cluster identifier": the subject of a sentence about the prompt. */
export function promptSubject(message: string): string {
  return message.trim().replace(/[\s?:]+$/, '');
}

/** An answer known at once, as a promise: a throw in `work` becomes a rejection, as from a real question. */
function answerNow<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}

/** The choice whose value is `value` (the same object, or equal JSON for plain data). */
export function findChoice<T>(choices: ReadonlyArray<Choice<T>>, value: T): Choice<T> | undefined {
  const same = choices.find((choice) => Object.is(choice.value, value));
  if (same || typeof value !== 'object' || value === null) return same;
  const json = safeJson(value);
  return json === undefined ? undefined : choices.find((choice) => safeJson(choice.value) === json);
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// --yes

const NO_HINT = 'run without --yes to answer it';

/**
 * Under --yes: confirm is yes; select, input and password take their default, checked as a person's
 * answer would be; a prompt with no default is a UserError naming what supplies the value.
 */
export function createUnattendedPrompts(): Prompts {
  const missing = (prompt: { message: string; unattended?: string }): UserError =>
    new UserError(`${promptSubject(prompt.message)} is required under --yes: ${prompt.unattended ?? NO_HINT}`);
  const invalid = (prompt: { message: string; unattended?: string }, shown: string, problem: string): UserError =>
    new UserError(
      `${promptSubject(prompt.message)} under --yes: ${shown} is not valid: ${problem}`,
      prompt.unattended ? { hint: prompt.unattended } : {},
    );

  return {
    unattended: true,
    select: <T>(prompt: SelectPrompt<T>) =>
      answerNow(() => {
        if (prompt.default === undefined) throw missing(prompt);
        const choice = findChoice(prompt.choices, prompt.default);
        if (!choice)
          throw invalid(
            prompt,
            `"${String(prompt.default)}"`,
            `it is not one of ${prompt.choices.map((c) => c.name).join(', ')}`,
          );
        if (choice.disabled)
          throw invalid(
            prompt,
            `"${choice.name}"`,
            typeof choice.disabled === 'string' ? choice.disabled : 'that choice is not available',
          );
        return choice.value;
      }),
    input: (prompt: InputPrompt) =>
      answerNow(() => {
        if (prompt.default === undefined) throw missing(prompt);
        const verdict = prompt.validate?.(prompt.default) ?? true;
        if (verdict !== true) throw invalid(prompt, `"${prompt.default}"`, verdict);
        return prompt.default;
      }),
    password: (prompt: PasswordPrompt) =>
      answerNow(() => {
        // An empty password is never a value someone chose; it is one nobody set.
        if (prompt.default === undefined || prompt.default === '') throw missing(prompt);
        const verdict = prompt.validate?.(prompt.default) ?? true;
        // Never echo the value: it is a secret.
        if (verdict !== true) throw invalid(prompt, 'the value given', verdict);
        return prompt.default;
      }),
    confirm: () => Promise.resolve(true),
  };
}

// ---------------------------------------------------------------------------------------------
// no terminal, no --yes

/**
 * A question nobody could answer: no terminal and no --yes. A step that can say better what to do
 * (e.g. what it would have dropped) catches this one and throws its own.
 */
export class NoTerminalError extends UserError {
  constructor(message: string, hint: string) {
    super(message, { hint });
    this.name = 'NoTerminalError';
  }
}

/** Without a terminal nobody can answer; say how to run it instead of hanging or guessing. */
export function createNoTerminalPrompts(): Prompts {
  const fail = (prompt: { message: string; unattended?: string }): never => {
    const source = prompt.unattended ? ` (${prompt.unattended})` : '';
    throw new NoTerminalError(
      `${promptSubject(prompt.message)}: needs an answer, but there is no terminal to ask in`,
      `run it in a terminal, or pass --yes to take the answers from dwh.cfg and the defaults${source}`,
    );
  };
  return {
    unattended: false,
    select: (prompt) => answerNow(() => fail(prompt)),
    input: (prompt) => answerNow(() => fail(prompt)),
    password: (prompt) => answerNow(() => fail(prompt)),
    confirm: (prompt) => answerNow(() => fail(prompt)),
  };
}

// ---------------------------------------------------------------------------------------------
// a person at a terminal

/**
 * The four prompt packages, each imported on its first use: the menu needs only select (~50 ms to
 * import, against ~115 ms for the whole @inquirer/prompts bundle), which is most of its start-up.
 */
interface InquirerModule {
  select: typeof inquirerSelect;
  input: typeof inquirerInput;
  password: typeof inquirerPassword;
  confirm: typeof inquirerConfirm;
}
type PromptKind = keyof InquirerModule;

const PROMPT_LOADERS: { [K in PromptKind]: () => Promise<InquirerModule[K]> } = {
  select: () => import('@inquirer/select').then((module) => module.default),
  input: () => import('@inquirer/input').then((module) => module.default),
  password: () => import('@inquirer/password').then((module) => module.default),
  confirm: () => import('@inquirer/confirm').then((module) => module.default),
};

/** Start importing the select prompt (the menu's) ahead of the first question. */
export function preloadSelectPrompt(): Promise<unknown> {
  return PROMPT_LOADERS.select();
}

export interface InquirerPromptsOptions {
  /**
   * Colour in the prompts. Inquirer's own colours honour NO_COLOR but not --no-color; when false
   * every prompt is drawn with a plain theme. The caller decides, as for the rest of the output.
   */
  color: boolean;
  /**
   * The terminal's width when a question is asked (messages are wrapped to it between words);
   * default: that of standard output, where inquirer draws.
   */
  columns?: () => number | undefined;
  /** Where inquirer reads keys and draws (default: standard input and output); for tests. */
  streams?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
  /**
   * The terminal the questions read (process.stdin). Given, keys typed while no question is on
   * screen are neither echoed nor kept for the next question (type-ahead.ts).
   */
  terminal?: TerminalInput | undefined;
}

/** Inquirer's themes, with every style function the identity: no escape codes besides cursor movement. */
function plainTheme(): object {
  const plain = (text: string): string => text;
  return {
    prefix: { idle: '?', done: '✔' },
    spinner: { interval: 80, frames: ['-', '\\', '|', '/'] },
    style: {
      answer: plain,
      message: plain,
      error: (text: string) => `> ${text}`,
      defaultAnswer: (text: string) => `(${text})`,
      help: plain,
      highlight: plain,
      key: (text: string) => `<${text}>`,
      disabled: (text: string) => `- ${text}`,
      description: plain,
      keysHelpTip: (keys: Array<[string, string]>) => keys.map(([key, action]) => `${key} ${action}`).join(' • '),
    },
  };
}

/** What a confirm writes after its message: " (Y/n) ", the placeholder's space not counted. */
const CONFIRM_SUFFIX_WIDTH = 6;

/** Inquirer's transformer for `display`: the typed text while typing, `display` of it once answered. */
function finalDisplay(display: (value: string) => string) {
  return (value: string, { isFinal }: { isFinal: boolean }): string => (isFinal ? display(value) : value);
}

export function createInquirerPrompts(options: InquirerPromptsOptions): Prompts {
  const { color, streams } = options;
  const typeAhead = options.terminal === undefined ? undefined : guardTypeAhead(options.terminal);
  // Until the first question, and between questions, nothing typed is shown or kept.
  typeAhead?.hold();
  // Only the keys each prompt knows are read from a theme, so one plain theme serves them all.
  const theme = color ? {} : { theme: plainTheme() };
  const columns = options.columns ?? (() => streamColumns(streams?.output ?? process.stdout));
  /** `message` wrapped between words, room left for what the prompt writes after it. */
  const fit = (message: string, suffixWidth = 0): string => wrapQuestion(message, columns(), suffixWidth);
  // Passed only when given: inquirer is called exactly as before otherwise.
  const context = streams === undefined ? undefined : { input: streams.input, output: streams.output };
  const inContext: [] | [NonNullable<typeof context>] = context === undefined ? [] : [context];
  /** Ctrl-C at a prompt: inquirer rejects with ExitPromptError; the app expects InterruptedError. */
  const ask = async <K extends PromptKind, T>(
    kind: K,
    question: (prompt: InquirerModule[K]) => Promise<T>,
  ): Promise<T> => {
    const prompt = await PROMPT_LOADERS[kind]();
    typeAhead?.release();
    try {
      return await question(prompt);
    } catch (error) {
      if (error instanceof SelectAbortedError) throw error;
      if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError'))
        throw new InterruptedError();
      throw error;
    } finally {
      typeAhead?.hold();
    }
  };

  const selectConfig = <T>(prompt: SelectPrompt<T>) => ({
    message: fit(prompt.message),
    choices: prompt.choices.map((choice) => ({
      name: choice.name,
      value: choice.value,
      ...(choice.short === undefined ? {} : { short: choice.short }),
      ...(choice.description === undefined ? {} : { description: choice.description }),
      ...(choice.disabled === undefined ? {} : { disabled: choice.disabled }),
    })),
    ...(prompt.default === undefined
      ? {}
      : { default: findChoice(prompt.choices, prompt.default)?.value ?? prompt.default }),
    pageSize: Math.min(Math.max(prompt.choices.length, 7), 15),
  });

  /**
   * A select that its signal can withdraw. Inquirer rejects an aborted prompt with
   * AbortPromptError and tells nobody which choice was highlighted, so: the highlight style
   * (which inquirer applies to the active line only, "❯ name") records that line, and the
   * prompt's context is switched to clearPromptOnDone at the abort (inquirer reads it only
   * when it finishes), so the withdrawn question leaves no lines behind.
   */
  const withdrawableSelect = async <T>(
    select: InquirerModule['select'],
    prompt: SelectPrompt<T>,
    signal: AbortSignal,
  ): Promise<T> => {
    if (signal.aborted) throw new SelectAbortedError<T>(prompt.default);
    let activeLine: string | undefined;
    const highlight = color ? (text: string) => `\u001b[36m${text}\u001b[39m` : (text: string) => text;
    const base = color ? {} : plainTheme();
    const baseStyle = (base as { style?: object }).style ?? {};
    const selectContext: { signal: AbortSignal; clearPromptOnDone: boolean } = {
      ...context,
      signal,
      clearPromptOnDone: false,
    };
    const withdraw = (): void => {
      selectContext.clearPromptOnDone = true;
    };
    signal.addEventListener('abort', withdraw, { once: true });
    try {
      return await select<T>(
        {
          ...selectConfig(prompt),
          theme: {
            ...base,
            style: {
              ...baseStyle,
              highlight: (text: string) => {
                activeLine = text;
                return highlight(text);
              },
            },
          },
        },
        selectContext,
      );
    } catch (error) {
      if (signal.aborted && error instanceof Error && error.name === 'AbortPromptError') {
        // The active line is the cursor symbol, a space and the choice's name.
        const name = activeLine?.slice(activeLine.indexOf(' ') + 1);
        throw new SelectAbortedError<T>(prompt.choices.find((choice) => choice.name === name)?.value ?? prompt.default);
      }
      throw error;
    } finally {
      signal.removeEventListener('abort', withdraw);
    }
  };

  return {
    unattended: false,
    select: <T>(prompt: SelectPrompt<T>) =>
      ask('select', (select) =>
        prompt.signal
          ? withdrawableSelect(select, prompt, prompt.signal)
          : select<T>({ ...selectConfig(prompt), ...theme }, ...inContext),
      ),
    input: (prompt: InputPrompt) =>
      ask('input', (input) =>
        input(
          {
            // Room for " (default)" after it.
            message: fit(prompt.message, prompt.default === undefined ? 0 : prompt.default.length + 2),
            ...(prompt.default === undefined || prompt.default === '' ? {} : { default: prompt.default }),
            ...(prompt.validate ? { validate: prompt.validate } : {}),
            ...(prompt.display ? { transformer: finalDisplay(prompt.display) } : {}),
            ...theme,
          },
          ...inContext,
        ),
      ),
    password: (prompt: PasswordPrompt) =>
      ask('password', async (password) => {
        // A password already known (from dwh.cfg) is kept by pressing Enter; it is never shown.
        const known = prompt.default !== undefined && prompt.default !== '' ? prompt.default : undefined;
        const answer = await password(
          {
            message: fit(
              known === undefined ? prompt.message : `${promptSubject(prompt.message)} (Enter keeps the current one):`,
            ),
            mask: '*',
            validate: (value: string) =>
              value === '' && known !== undefined ? true : (prompt.validate?.(value) ?? true),
            ...theme,
          },
          ...inContext,
        );
        return answer === '' && known !== undefined ? known : answer;
      }),
    confirm: (prompt: ConfirmPrompt) =>
      ask('confirm', (confirm) =>
        confirm(
          {
            // Room for " (Y/n) " after it.
            message: fit(prompt.message, CONFIRM_SUFFIX_WIDTH),
            ...(prompt.default === undefined ? {} : { default: prompt.default }),
            ...theme,
          },
          ...inContext,
        ),
      ),
  };
}
