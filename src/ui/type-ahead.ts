/**
 * Keys typed while no question is on screen (a step runs, the menu reads its statuses). A terminal
 * in its usual mode echoes them into the spinner's line and keeps them for whoever reads next, so
 * the next question took them as its answer: "a" and Enter typed during a load chose Analytics in
 * the menu that followed. So on a terminal, between questions, stdin is read in raw mode (nothing
 * is echoed) and what arrives is dropped. Raw mode also stops the terminal from turning Ctrl-C,
 * Ctrl-\ and Ctrl-Z into signals, so those keys are raised as the same signals here: Ctrl-C still
 * stops a step at once (src/app.ts, runCommand), as it does at a question.
 */

/** The keys that the terminal turns into signals in its usual mode. */
const CTRL_C = 0x03;
const CTRL_BACKSLASH = 0x1c;
const CTRL_Z = 0x1a;

export interface TypeAhead {
  /** No question on screen: keys are neither echoed nor kept (Ctrl-C, Ctrl-\ and Ctrl-Z still act). */
  hold(): void;
  /** A question is about to be drawn: it reads the keys from now on; nothing typed before reaches it. */
  release(): void;
}

/** The part of a terminal's stdin this needs (tty.ReadStream). */
export interface TerminalInput {
  readonly isTTY?: boolean | undefined;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
  read(): unknown;
  ref?(): unknown;
  unref?(): unknown;
}

const WINDOWS = process.platform === 'win32';

/**
 * Sent to this process, as the terminal sends it (its default action when nothing listens). On
 * Windows, where process.kill ends a process whatever the signal, Ctrl-C goes to the listeners.
 */
const raiseSignal = (signal: NodeJS.Signals): void => {
  if (!WINDOWS) process.kill(process.pid, signal);
  else if (signal === 'SIGINT') process.emit('SIGINT', 'SIGINT');
};

/** Nothing to guard (not a terminal): typed keys wait for the next question, as everywhere. */
const UNGUARDED: TypeAhead = { hold: () => undefined, release: () => undefined };

export function guardTypeAhead(input: TerminalInput, raise: (signal: NodeJS.Signals) => void = raiseSignal): TypeAhead {
  const setRawMode = input.setRawMode?.bind(input);
  if (input.isTTY !== true || setRawMode === undefined) return UNGUARDED;
  let holding = false;
  /** After Ctrl-Z, once the shell lets the program go on: the terminal is back in its usual mode. */
  const onContinue = (): void => {
    if (holding) setRawMode(true);
  };
  const onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes.includes(CTRL_C)) raise('SIGINT');
    else if (bytes.includes(CTRL_BACKSLASH)) raise('SIGQUIT');
    else if (bytes.includes(CTRL_Z)) {
      // Stopped in raw mode, the shell's prompt would be typed blind.
      setRawMode(false);
      raise('SIGTSTP');
    }
  };
  return {
    hold() {
      if (holding) return;
      holding = true;
      setRawMode(true);
      input.on('data', onData);
      input.resume();
      // Reading to drop keys must not keep the program alive once its work is done.
      input.unref?.();
      // Windows has no SIGCONT (nor Ctrl-Z stopping a program).
      if (!WINDOWS) process.on('SIGCONT', onContinue);
    },
    release() {
      if (!holding) return;
      holding = false;
      if (!WINDOWS) process.off('SIGCONT', onContinue);
      input.off('data', onData);
      input.pause();
      // Read from the terminal but not yet handed out: typed before the question, so dropped.
      let dropped = input.read();
      while (dropped !== null) dropped = input.read();
      input.ref?.();
    },
  };
}
