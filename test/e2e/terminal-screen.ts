/**
 * The screen a person sees, not the byte stream: the pseudo-terminal's output fed to a headless
 * terminal emulator (xterm.js), read back as rows of text. A row that was overwritten or erased is
 * gone, as it is on a real screen; a row that scrolled off the top is in the scroll-back.
 *
 * One behaviour of real terminals is modelled on top of xterm.js: an erase of the whole screen
 * (ED 2, or ED 0 from the top-left corner) keeps what was on screen in the scroll-back. tmux does
 * this by default (its `scroll-on-clear` option, tmux 3.3+), as do PuTTY and Windows Terminal for
 * ED 2; xterm.js alone would simply blank the screen. So a drawing "erased" that way is not gone
 * for the user: it waits above the next one when they scroll up.
 */
import xtermHeadless from '@xterm/headless';
import type { IPty } from 'node-pty';

// @xterm/headless is CommonJS: its classes come off the default export.
const { Terminal } = xtermHeadless;

export class TerminalScreen {
  readonly terminal: InstanceType<typeof Terminal>;
  /** Rows a whole-screen erase pushed to the scroll-back (see the module comment), oldest first. */
  private readonly clearedAway: string[] = [];
  /** Every byte the program wrote, for failure messages and for checks on the stream itself. */
  raw = '';
  private written: Promise<void> = Promise.resolve();
  private ended = false;
  private readonly exit: Promise<number>;

  constructor(
    readonly pty: IPty,
    readonly cols: number,
    readonly rows: number,
  ) {
    this.terminal = new Terminal({ cols, rows, scrollback: 5000, allowProposedApi: true });
    this.terminal.parser.registerCsiHandler({ final: 'J' }, (params) => {
      const mode = typeof params[0] === 'number' ? params[0] : 0;
      const buffer = this.terminal.buffer.active;
      if (mode === 2 || (mode === 0 && buffer.cursorX === 0 && buffer.cursorY === 0)) {
        this.clearedAway.push(...this.visibleRows().filter((row) => row !== ''));
      }
      return false; // and let the emulator erase as usual
    });
    pty.onData((data) => {
      this.raw += data;
      this.written = this.written.then(
        () => new Promise<void>((resolveWrite) => this.terminal.write(data, resolveWrite)),
      );
    });
    this.exit = new Promise((resolveExit) =>
      pty.onExit(({ exitCode }) => {
        this.ended = true;
        resolveExit(exitCode);
      }),
    );
  }

  /** The rows on screen now, right-trimmed, top to bottom. */
  visibleRows(): string[] {
    const buffer = this.terminal.buffer.active;
    const rows: string[] = [];
    for (let y = buffer.baseY; y < buffer.baseY + this.rows; y++)
      rows.push(buffer.getLine(y)?.translateToString(true) ?? '');
    return rows;
  }

  /** Rows above the screen that the user reaches by scrolling up (scrolled off, or pushed by a clear). */
  scrollback(): string[] {
    const buffer = this.terminal.buffer.active;
    const rows = [...this.clearedAway];
    for (let y = 0; y < buffer.baseY; y++) rows.push(buffer.getLine(y)?.translateToString(true) ?? '');
    return rows;
  }

  /** Everything the user can see, scrolling included: the scroll-back, then the screen. */
  transcript(): string[] {
    return [...this.scrollback(), ...this.visibleRows()];
  }

  /** The screen as one text (rows joined with newlines, trailing blank rows dropped). */
  async screen(): Promise<string> {
    await this.settled();
    return this.visibleRows().join('\n').trimEnd();
  }

  /** Wait until the emulator has taken in everything received so far. */
  async settled(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.written;
      await current;
    } while (current !== this.written);
  }

  /** Wait until the screen (not the scroll-back) matches `pattern`. */
  waitForScreen(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    return this.waitFor(pattern, () => this.screen(), timeoutMs);
  }

  /** Wait until everything the user can see, scroll-back included, matches `pattern`. */
  waitForTranscript(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    return this.waitFor(
      pattern,
      async () => {
        await this.settled();
        return this.transcript().join('\n');
      },
      timeoutMs,
    );
  }

  private async waitFor(pattern: RegExp, read: () => Promise<string>, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const shown = await read();
      if (pattern.test(shown)) return shown;
      if (this.ended) throw new Error(`the program ended before ${pattern}; screen:\n${shown}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; screen:\n${shown}`);
      await new Promise((resolveSleep) => setTimeout(resolveSleep, 50));
    }
  }

  /** Wait until nothing has arrived for `quietMs` (the program waits for the user). */
  async quiet(quietMs = 400, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = this.raw.length;
    let since = Date.now();
    while (Date.now() - since < quietMs) {
      if (Date.now() > deadline) throw new Error('the program kept writing');
      await new Promise((resolveSleep) => setTimeout(resolveSleep, 50));
      if (this.raw.length !== seen) {
        seen = this.raw.length;
        since = Date.now();
      }
    }
    await this.settled();
  }

  async keys(...sequence: string[]): Promise<void> {
    for (const key of sequence) {
      this.pty.write(key);
      await new Promise((resolveKey) => setTimeout(resolveKey, 80));
    }
  }

  exited(): Promise<number> {
    return this.exit;
  }

  dispose(): void {
    if (!this.ended) this.pty.kill();
    this.terminal.dispose();
  }
}
