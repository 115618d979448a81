/** Options and bookkeeping shared by the song and event readers. */
import { errnoCode, errnoText } from '../error-text.js';
import { UserError } from '../errors.js';
import type { ReadStats, RejectedRecord } from './types.js';

export interface SourceReadOptions {
  /** Names the setting the folder came from, e.g. `[LOCAL] LOG_DATA` (used in error messages). */
  label: string;
  /** The folder as the user wrote it (used in error messages). */
  displayDir: string;
  /** Called once per record that cannot be loaded, with the file relative to the folder. */
  onReject: (rejected: RejectedRecord) => void;
  /** Stops reading between reads; the reader then throws an AbortError. */
  signal?: AbortSignal | undefined;
  /** Records per yielded batch. Default 5,000. */
  batchSize?: number | undefined;
  /** Longest accepted line (event logs) or file (songs) in bytes. Default 1 MiB. */
  maxLineBytes?: number | undefined;
  /**
   * Counters updated while reading, for live progress; the same totals are the generator's
   * return value, which `for await` discards, hence this second way to get them.
   */
  stats?: ReadStats | undefined;
}

export const DEFAULT_BATCH_SIZE = 5_000;

export function emptyStats(): ReadStats {
  return { files: 0, records: 0, rejected: 0, bytes: 0 };
}

export function batchSizeOf(options: SourceReadOptions): number {
  const size = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(size) || size < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${size}`);
  return size;
}

/**
 * A failure that is not about one record but about a whole file (permission denied, file gone):
 * a UserError naming the file. Anything else (an abort, a bug) is passed on unchanged.
 */
export function fileReadError(error: unknown, options: SourceReadOptions, relativePath: string): unknown {
  if (error instanceof UserError || (error instanceof Error && error.name === 'AbortError')) return error;
  const code = errnoCode(error);
  if (code === undefined) return error;
  const where = `${options.label}: ${options.displayDir.replace(/[\\/]+$/, '')}/${relativePath}`;
  const why = errnoText(error, { ENOENT: 'the file disappeared while loading' }) ?? code;
  return new UserError(`${where} cannot be read (${why})`, {
    hint: 'fix the file or remove it from the folder, then load again',
    cause: error,
  });
}
