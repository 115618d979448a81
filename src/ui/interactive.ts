/**
 * The one answer to "is a person at this terminal?", asked the same way for questions, the menu
 * and spinners (as sindresorhus's is-interactive asks it): every stream involved is a terminal
 * that can move its cursor, and no CI system is driving it. CI runners set `CI` (to `true`, `1`,
 * or even empty): any value counts, since a pseudo-terminal there still has nobody to answer.
 */

/** A stream, as far as these questions go. */
export interface TtyLike {
  readonly isTTY?: boolean | undefined;
}

/**
 * A TTY whose TERM is not `dumb`: it can show colour and have its lines rewritten. Colour asks
 * only this (see `detectColor`): a CI log shows colour well, it just has nobody to answer.
 */
export function isCapableTerminal(env: NodeJS.ProcessEnv, stream: TtyLike): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Whether a person is at the terminal behind every one of `streams`, given the environment `env`. */
export function isInteractive(env: NodeJS.ProcessEnv, ...streams: readonly TtyLike[]): boolean {
  if (env.CI !== undefined) return false;
  return streams.length > 0 && streams.every((stream) => isCapableTerminal(env, stream));
}
