/**
 * How a COPY from S3 is shown while it runs and once the load is done (docs/redshift.md, "Live
 * progress"): what the warehouse reports so far, then one row per table.
 */
import { formatBytes, formatCount, formatDuration } from './format.js';
import type { Cell } from './types.js';

/** A running COPY as the warehouse reports it (src/warehouse/types.ts CopyLoadState). */
export interface LoadStateShown {
  files: number;
  filesDone: number;
  rows: number;
  bytesLoaded: number;
  bytesToLoad: number;
}

/** "staging_songs: COPY from s3://… · 12 of 71 files · 14,896 rows · 3.1 MB of 9.8 MB · 1m 12s" */
export function copyProgressText(table: string, from: string, elapsedMs: number, state?: LoadStateShown): string {
  const parts = [`${table}: COPY from ${from}`];
  if (state !== undefined) {
    if (state.files > 0) parts.push(`${formatCount(state.filesDone)} of ${formatCount(state.files)} files`);
    parts.push(`${formatCount(state.rows)} rows`);
    if (state.bytesToLoad > 0) parts.push(`${formatBytes(state.bytesLoaded)} of ${formatBytes(state.bytesToLoad)}`);
    else if (state.bytesLoaded > 0) parts.push(formatBytes(state.bytesLoaded));
  }
  parts.push(formatDuration(elapsedMs));
  return parts.join(' · ');
}

/** The closing table of a load from S3: rows, files and seconds per table. */
export function copySummaryRows(
  copies: ReadonlyArray<{ table: string; rows: number; files: number | undefined; ms: number }>,
): Array<Record<string, Cell>> {
  return copies.map((copy) => ({
    table: copy.table,
    rows: formatCount(copy.rows),
    files: copy.files === undefined ? '' : formatCount(copy.files),
    seconds: (copy.ms / 1000).toFixed(1),
  }));
}
