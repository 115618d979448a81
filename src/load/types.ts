/**
 * What a load tells the one who runs it: events while it runs (the step turns them into
 * spinners) and the counts at the end. The loaders themselves never print.
 */
import type { RejectedRecord } from '../source/types.js';
import type { StagingTableName, StarTableName } from '../sql/tables.js';
import type { CopyLoadState, LoadErrors } from '../warehouse/types.js';

/** One COPY from S3 as it ended: rows, files (when the warehouse said) and how long it took. */
export interface S3CopySummary {
  table: StagingTableName;
  rows: number;
  /** Files read, from the last progress report; undefined when the warehouse reported none. */
  files: number | undefined;
  ms: number;
}

export type LoadEvent =
  /** `from` is the S3 prefix when the warehouse reads the files itself; absent when they stream from here. */
  | { kind: 'copy-started'; table: StagingTableName; from?: string | undefined }
  /** Rows read so far from this machine's files (local loads only). */
  | { kind: 'copy-progress'; table: StagingTableName; rows: number }
  /** What the warehouse reports so far about a running COPY from S3 (read on a second session). */
  | { kind: 'copy-load-state'; table: StagingTableName; state: CopyLoadState; elapsedMs: number }
  | { kind: 'copy-finished'; table: StagingTableName; rows: number }
  | { kind: 'copy-failed'; table: StagingTableName }
  /** Why the warehouse rejected a COPY, from its own load-error log. */
  | { kind: 'load-errors'; table: StagingTableName; errors: LoadErrors }
  | { kind: 'transform-started'; table: StarTableName }
  | { kind: 'transform-finished'; table: StarTableName; rows: number }
  | { kind: 'transform-failed'; table: StarTableName };

export type LoadObserver = (event: LoadEvent) => void;

/** What every loader needs besides its input. */
export interface LoadRun {
  observe: LoadObserver;
  /** Ctrl-C: the load stops before its next statement or batch of rows, and rolls back. */
  signal: AbortSignal;
}

export interface LoadResult {
  songs: number;
  events: number;
  songplays: number;
  /** The first rejected records (file and line), at most REJECTS_LISTED of them. */
  rejected: RejectedRecord[];
  /** All rejected records, listed or not. */
  rejectedTotal: number;
  /** A load from S3: each COPY's rows, files and time, for the closing summary. */
  copies?: S3CopySummary[] | undefined;
}

/** How many rejected records are listed; all of them are counted. */
export const REJECTS_LISTED = 10;
