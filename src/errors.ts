/**
 * Errors the user is meant to read. Anything thrown that is not one of these is a bug and is
 * reported as such (one line, stack only with DEBUG set) by src/ui/errors.ts.
 */

/** A failure with a one-line message that says what went wrong and what to do next. Exit 1. */
export class UserError extends Error {
  readonly exitCode: number;
  /** Optional second sentence: the next action ("run `sparkify-dwh tables create` first"). */
  readonly hint: string | undefined;
  constructor(message: string, options: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }
}

/** Wrong command-line usage: exit 2. */
export class UsageError extends UserError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(message, { exitCode: 2, ...options });
    this.name = 'UsageError';
  }
}

/** A bad value in dwh.cfg: the message always names file, section and key. */
export class ConfigError extends UserError {
  readonly file: string;
  readonly section: string | undefined;
  readonly key: string | undefined;
  constructor(file: string, section: string | undefined, key: string | undefined, problem: string, hint?: string) {
    const where =
      section === undefined ? file : key === undefined ? `${file} [${section}]` : `${file} [${section}] ${key}`;
    super(`${where}: ${problem}`, hint === undefined ? {} : { hint });
    this.name = 'ConfigError';
    this.file = file;
    this.section = section;
    this.key = key;
  }
}

/** Ctrl-C (at a prompt, or SIGINT during a step): exit 130, nothing else printed. */
export class InterruptedError extends Error {
  readonly exitCode = 130;
  constructor(message = 'Interrupted') {
    super(message);
    this.name = 'InterruptedError';
  }
}

export function isInterrupted(error: unknown): boolean {
  if (error instanceof InterruptedError) return true;
  // @inquirer/prompts rejects with ExitPromptError on Ctrl-C; AbortSignal-based waits with AbortError.
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortError');
}
