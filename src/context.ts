import type { ConfigStore, Target } from './config/types.js';
import type { Prompts, Ui } from './ui/types.js';
import type { Warehouse } from './warehouse/types.js';
import type { AwsChoice, AwsClients } from './aws/clients.js';

/** Global options from the command line (docs/commands.md, Global options). */
export interface GlobalOptions {
  /** --target: overrides [WAREHOUSE] TARGET. */
  target?: Target | undefined;
  /** -y/--yes: never prompt. */
  yes: boolean;
  /** False with --no-color or NO_COLOR. */
  color: boolean;
  /**
   * --dry-run: every step shows what it would do and changes nothing (docs/commands.md, --dry-run).
   * The context swaps its seams (warehouse, AWS clients, dwh.cfg, clock) for planning ones, so steps
   * run unchanged.
   */
  dryRun?: boolean | undefined;
}

/** Time, injectable so polling loops are testable without waiting. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The one object every step receives. Flags and prompts fill the same context; AWS clients and
 * the warehouse are made on first use so the local path never loads the AWS SDK, and `--version`
 * loads neither.
 */
export interface Context {
  readonly cwd: string;
  /** The environment the program was started with (process.env in production, a plain object in tests). */
  readonly env: NodeJS.ProcessEnv;
  readonly options: GlobalOptions;
  readonly config: ConfigStore;
  readonly prompts: Prompts;
  readonly ui: Ui;
  readonly clock: Clock;
  /** Fires on Ctrl-C while a step runs: long waits stop, transactions roll back. */
  readonly signal: AbortSignal;
  /** The effective target: --target, else [WAREHOUSE] TARGET, else embedded. */
  target(): Target;
  /** The open warehouse for the effective target (opened once, closed by `close`). */
  warehouse(): Promise<Warehouse>;
  /**
   * AWS SDK clients for the configured region and credentials (SDK imported on first call). They
   * are made again when the settings behind them change: another profile, keys or region in dwh.cfg
   * or in `awsChoice`.
   */
  aws(): Promise<AwsClients>;
  /** The credentials picked in `credentials` for the rest of this session, over dwh.cfg's. */
  awsChoice: AwsChoice | undefined;
  close(): Promise<void>;
}

/** What the command line and the menu hold: a Context whose running step can be interrupted. */
export interface AppContext extends Context {
  /** Abort the running step (Ctrl-C). */
  abort(): void;
  /** After an interrupted step, the menu carries on with a fresh signal. */
  resetInterrupt(): void;
}

/**
 * What every step returns, so the menu, `setup` and the command line treat all steps alike:
 * `ok` decides the exit status (0 or 1).
 */
export interface StepResult {
  ok: boolean;
  /** One line for the menu and `setup` to show after the step. */
  summary?: string;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : abortError());
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

function abortError(): Error {
  const error = new Error('The wait was interrupted');
  error.name = 'AbortError';
  return error;
}
