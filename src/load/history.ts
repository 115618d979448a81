/**
 * The load history (LOAD_HISTORY in src/sql/tables.ts): every load records where its data came
 * from as the last statements of its own transaction, so the newest row always describes what the
 * tables hold; a step about to replace the tables reads it to tell the demo's own data from the
 * user's (docs/safety.md).
 */
import { createLoadHistoryIfMissingSql } from '../sql/ddl.js';
import type { Dialect } from '../sql/dialect.js';
import {
  latestLoadSql,
  loadHistoryExistsSql,
  recordLoadSql,
  recordS3LoadSql,
  type LoadCounts,
  type SourceKind,
} from '../sql/load-history.js';
import type { Queryable, Transaction } from '../warehouse/types.js';
import type { SourceFolders } from './local.js';
import type { S3LoadPlan } from './s3.js';
import type { LoadStatement } from './statements.js';

export type { SourceKind } from '../sql/load-history.js';

/** One load as the history has it. */
export interface LoadRecord {
  kind: SourceKind;
  /** Absolute folders, or s3:// prefixes (with any --song-prefix). */
  songData: string;
  logData: string;
  /** UTC, as the warehouse wrote it: `2024-05-01 10:32:05.123456`. */
  loadedAt: string;
  songs: number;
  events: number;
  songplays: number;
}

/** Inside the local load's transaction, after the star schema is rebuilt. */
export async function recordLocalLoad(
  tx: Transaction,
  dialect: Dialect,
  folders: SourceFolders,
  counts: LoadCounts,
): Promise<void> {
  await tx.query(createLoadHistoryIfMissingSql(dialect));
  await tx.query(recordLoadSql(dialect, counts), [folders.kind, folders.songs.dir, folders.events.dir]);
}

/** The last statements of an S3 load's batch. */
export function recordS3LoadStatements(dialect: Dialect, plan: S3LoadPlan): LoadStatement[] {
  return [
    { step: 'record', sql: createLoadHistoryIfMissingSql(dialect) },
    { step: 'record', sql: recordS3LoadSql(dialect, { songData: plan.songData, logData: plan.logData }) },
  ];
}

interface LatestRow {
  source_kind: string;
  song_data: string;
  log_data: string;
  loaded_at: string;
  staging_songs: number | string | bigint;
  staging_events: number | string | bigint;
  songplays: number | string | bigint;
}

function isSourceKind(value: string): value is SourceKind {
  return value === 'demo' || value === 'local' || value === 's3';
}

/**
 * The newest load, or undefined when the history is missing (tables made by an older version),
 * empty (nothing loaded since the tables were made) or names a source this version does not know.
 */
export async function latestLoad(warehouse: Queryable): Promise<LoadRecord | undefined> {
  const exists = await warehouse.query<{ n: number | string }>(loadHistoryExistsSql());
  if (Number(exists.rows[0]?.n ?? 0) === 0) return undefined;
  const { rows } = await warehouse.query<LatestRow>(latestLoadSql());
  const row = rows[0];
  if (row === undefined || !isSourceKind(row.source_kind)) return undefined;
  return {
    kind: row.source_kind,
    songData: row.song_data,
    logData: row.log_data,
    loadedAt: String(row.loaded_at),
    songs: Number(row.staging_songs),
    events: Number(row.staging_events),
    songplays: Number(row.songplays),
  };
}
