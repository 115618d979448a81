/**
 * Live COPY progress on a Redshift cluster over pg (CopyFromS3.loadState): the session running
 * the COPY is busy until it ends, so a second connection, opened on the first question and closed
 * with the warehouse, reads STV_LOAD_STATE for the first session's pid.
 */
import type pg from 'pg';
import { stvLoadStateSql, type LoadStateRow } from '../sql/copy-progress.js';
import type { CopyLoadState } from './types.js';

export interface PgLoadStateOptions {
  /** The backend pid of the session that runs the COPY. */
  ownPid: number;
  /** Makes and connects the second connection. */
  connect: () => Promise<pg.Client>;
  /** The query to ask (STV_LOAD_STATE unless said otherwise). */
  sql?: string;
}

const count = (value: number | string | null): number => {
  const number = Number(value ?? 0);
  return Number.isFinite(number) ? number : 0;
};

/** A row of src/sql/copy-progress.ts's queries as a CopyLoadState; undefined for none. */
export function toLoadState(row: LoadStateRow | undefined): CopyLoadState | undefined {
  if (row === undefined) return undefined;
  return {
    files: count(row.files),
    filesDone: count(row.files_done),
    rows: count(row.rows_loaded),
    bytesLoaded: count(row.bytes_loaded),
    bytesToLoad: count(row.bytes_to_load),
  };
}

export function pgLoadState(options: PgLoadStateOptions): {
  loadState(): Promise<CopyLoadState | undefined>;
  close(): Promise<void>;
} {
  let probe: Promise<pg.Client> | undefined;
  let closed = false;
  const client = (): Promise<pg.Client> => {
    if (closed) return Promise.reject(new Error('the warehouse is closed'));
    probe ??= options.connect().catch((error: unknown) => {
      probe = undefined; // try again at the next question
      throw error;
    });
    return probe;
  };
  return {
    async loadState() {
      const { rows } = await (await client()).query<LoadStateRow>(options.sql ?? stvLoadStateSql(), [options.ownPid]);
      return toLoadState(rows[0]);
    },
    async close() {
      closed = true;
      const open = probe;
      probe = undefined;
      if (open) await (await open.catch(() => undefined))?.end().catch(() => undefined);
    },
  };
}
