/** One place that turns "colour on/off" into a chalk instance. */
import defaultChalk, { Chalk, type ChalkInstance } from 'chalk';

/**
 * A chalk that colours exactly when `color` says so, whatever chalk's own detection thinks of
 * process.stdout: with `color` false its output has no escape codes at all.
 */
export function chalkFor(color: boolean): ChalkInstance {
  return new Chalk({ level: color ? (Math.max(defaultChalk.level, 1) as 1 | 2 | 3) : 0 });
}
