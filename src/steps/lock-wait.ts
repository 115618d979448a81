/**
 * A step blocked by another session's lock says so (docs/safety.md, Never wait in silence): in a
 * terminal its spinner tells what it waits for and for whom, and it waits on (Ctrl-C stops it);
 * unattended (--yes, or no terminal) it gives up after a bounded wait with that explanation.
 */
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { formatDuration } from '../ui/format.js';
import type { Spinner } from '../ui/types.js';
import { describeLockWait, watchLockWaits } from '../warehouse/lock-watch.js';
import type { LockWaitState, Warehouse } from '../warehouse/types.js';

/** How long an unattended run waits for another session's lock (SPARKIFY_LOCK_WAIT, seconds, overrides). */
export const UNATTENDED_LOCK_WAIT_MS = 30_000;
export const LOCK_WAIT_VARIABLE = 'SPARKIFY_LOCK_WAIT';

/** The bound for an unattended run, from the environment or the default. */
export function unattendedLockWaitMs(env: NodeJS.ProcessEnv): number {
  const text = env[LOCK_WAIT_VARIABLE];
  if (text === undefined || text.trim() === '') return UNATTENDED_LOCK_WAIT_MS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`${LOCK_WAIT_VARIABLE} must be a number of seconds above 0, not "${text}"`);
  return seconds * 1000;
}

/**
 * Shows a wait: in the spinner the step shows at the time (or one of its own while the step shows
 * none), restoring its text when the wait is over; without a terminal, one warning line.
 */
export class LockWaitDisplay {
  private own: Spinner | undefined;
  private followed: { spinner: Spinner; text: string } | undefined;
  private warned = false;

  constructor(
    private readonly ctx: Context,
    private readonly giveUpAfterMs: number | undefined,
  ) {}

  /** The spinner that shows the step's work from now on, and its text. */
  follow(spinner: Spinner, text: string): void {
    this.endOwn();
    this.followed = { spinner, text };
  }

  /** The followed spinner's own text changed (progress): what to restore after a wait. */
  followedText(text: string): void {
    if (this.followed) this.followed.text = text;
  }

  /** The followed spinner has ended. */
  unfollow(): void {
    this.followed = undefined;
  }

  waiting(wait: LockWaitState): void {
    const what = describeLockWait(wait);
    const waited = wait.waitedMs === undefined ? '' : ` ${formatDuration(wait.waitedMs)}`;
    if (!this.ctx.ui.interactive) {
      if (this.warned) return;
      this.warned = true;
      const bound = this.giveUpAfterMs === undefined ? '' : `; giving up after ${formatDuration(this.giveUpAfterMs)}`;
      this.ctx.ui.warn(`Waiting for ${what}${bound}`);
      return;
    }
    const then =
      this.giveUpAfterMs === undefined
        ? "end that session's transaction, or press Ctrl-C to stop"
        : `giving up after ${formatDuration(this.giveUpAfterMs)}`;
    const text = `waiting${waited} for ${what}: ${then}`;
    if (this.followed) this.followed.spinner.update(`${this.followed.text} — ${text}`);
    else if (this.own) this.own.update(`Waiting${text.slice('waiting'.length)}`);
    else this.own = this.ctx.ui.spinner(`Waiting${text.slice('waiting'.length)}`);
  }

  over(): void {
    if (this.followed) this.followed.spinner.update(this.followed.text);
    this.endOwn();
  }

  /** However the step ended. */
  end(): void {
    this.endOwn();
    this.followed = undefined;
  }

  private endOwn(): void {
    this.own?.stop();
    this.own = undefined;
  }
}

/** Runs the warehouse parts of a step watching for lock waits (not its questions: nothing waits then). */
export interface LockWatch {
  readonly display: LockWaitDisplay;
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** Lock waits shown through one display; bounded when nobody watches (--yes, or no terminal to show a spinner in). */
export function lockWatch(ctx: Context, warehouse: Warehouse): LockWatch {
  const attended = ctx.ui.interactive && !ctx.prompts.unattended;
  const giveUpAfterMs = attended ? undefined : unattendedLockWaitMs(ctx.env);
  const display = new LockWaitDisplay(ctx, giveUpAfterMs);
  return {
    display,
    async run(work) {
      try {
        return await watchLockWaits(
          warehouse,
          {
            signal: ctx.signal,
            giveUpAfterMs,
            onWaiting: (wait) => display.waiting(wait),
            onWaitOver: () => display.over(),
            waitLongerHint:
              `set ${LOCK_WAIT_VARIABLE}=<seconds> to wait longer, ` +
              'or run it in a terminal to wait as long as it takes',
          },
          work,
        );
      } finally {
        display.end();
      }
    },
  };
}
