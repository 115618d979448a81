/**
 * The one answer to "is a person at this terminal?", asked the same way for questions, the menu
 * and spinners (as sindresorhus's is-interactive asks it): every stream involved is a TTY, the
 * terminal is not a `dumb` one that cannot move the cursor, and no CI system is driving it. CI
 * runners set `CI` (to `true`, `1`, or even empty): any value counts, since a pseudo-terminal
 * there still has nobody to answer.
 */

/** A stream, as far as this question goes. */
export interface TtyLike {
  readonly isTTY?: boolean | undefined;
}

/** Whether every one of `streams` is a terminal a person is at, given the environment `env`. */
export function isInteractive(env: NodeJS.ProcessEnv, ...streams: readonly TtyLike[]): boolean {
  if (env.CI !== undefined) return false;
  if (env.TERM === 'dumb') return false;
  return streams.length > 0 && streams.every((stream) => stream.isTTY === true);
}
