/**
 * The local stream loader (embedded PGlite and PostgreSQL): the song and event files on this
 * machine → staging through the database's own COPY FROM STDIN → star schema, in ONE
 * transaction, so an interrupted or failed load leaves the tables exactly as they were.
 */
import { join } from 'node:path';
import { InterruptedError } from '../errors.js';
import { readEvents } from '../source/events.js';
import { readSongs } from '../source/songs.js';
import type { EventRecord, RejectedRecord, SongRecord } from '../source/types.js';
import { STAGING_EVENTS_COLUMNS, STAGING_SONGS_COLUMNS, type StagingTableName } from '../sql/tables.js';
import { encodeCopyRow, type CopyValue } from '../warehouse/copy-format.js';
import type { CopyFromStdin, Transaction, Warehouse } from '../warehouse/types.js';
import { recordLocalLoad } from './history.js';
import {
  clearStagingStatements,
  rebuildStarStatements,
  runInTransaction,
  StatementProgress,
  turnOfTheEventLoop,
} from './statements.js';
import { REJECTS_LISTED, type LoadResult, type LoadRun } from './types.js';

/** A folder of source files. */
export interface SourceFolder {
  /** Absolute path. */
  dir: string;
  /** The folder as the user knows it (relative to where they are), for rejections and errors. */
  displayDir: string;
  /** The setting it came from, e.g. `[LOCAL] SONG_DATA`. */
  label: string;
}

export interface SourceFolders {
  /** `demo` when these are the demo's own generated files: recorded in the load history. */
  kind: 'demo' | 'local';
  songs: SourceFolder;
  events: SourceFolder;
}

/**
 * COPY text is handed to the database in chunks of about this many characters. Smaller chunks
 * (and smaller event batches, below) die young in V8's nursery instead of being promoted, which
 * keeps the heap of a long load small; much smaller ones only add round trips.
 */
const CHUNK_CHARS = 128 * 1024;
/** Events per batch from the reader: see CHUNK_CHARS. */
const EVENT_BATCH_SIZE = 1000;

export async function loadFromFolders(
  warehouse: Warehouse,
  copy: CopyFromStdin,
  folders: SourceFolders,
  run: LoadRun,
): Promise<LoadResult> {
  const rejected: RejectedRecord[] = [];
  let rejectedTotal = 0;
  // Rejections name the file as the user knows it: under the folder named in dwh.cfg.
  const rejectUnder =
    (displayDir: string) =>
    (record: RejectedRecord): void => {
      rejectedTotal += 1;
      if (rejected.length < REJECTS_LISTED) rejected.push({ ...record, file: join(displayDir, record.file) });
    };
  const readOptions = (folder: SourceFolder) => ({
    label: folder.label,
    displayDir: folder.displayDir,
    onReject: rejectUnder(folder.displayDir),
    signal: run.signal,
  });
  const star = rebuildStarStatements(warehouse.dialect);
  const progress = new StatementProgress(star, run.observe);

  const counts = await warehouse.transaction(async (tx) => {
    for (const { sql } of clearStagingStatements(warehouse.dialect)) await tx.query(sql);
    const staging = { tx, copy, run };
    const songs = await copyStaging(
      staging,
      'staging_songs',
      STAGING_SONGS_COLUMNS,
      readSongs(folders.songs.dir, readOptions(folders.songs)),
      songRow,
    );
    const events = await copyStaging(
      staging,
      'staging_events',
      STAGING_EVENTS_COLUMNS,
      readEvents(folders.events.dir, { ...readOptions(folders.events), batchSize: EVENT_BATCH_SIZE }),
      eventRow,
    );
    await runInTransaction(tx, star, progress, run.signal);
    await recordLocalLoad(tx, warehouse.dialect, folders, {
      songs,
      events,
      songplays: progress.rows.get('songplays') ?? 0,
    });
    return { songs, events };
  });
  return { ...counts, songplays: progress.rows.get('songplays') ?? 0, rejected, rejectedTotal };
}

/** Stream one source into one staging table through COPY, reporting the rows read so far. */
async function copyStaging<R>(
  staging: { tx: Transaction; copy: CopyFromStdin; run: LoadRun },
  table: StagingTableName,
  columns: readonly string[],
  batches: AsyncIterable<R[]>,
  toRow: (record: R) => CopyValue[],
): Promise<number> {
  const { tx, copy, run } = staging;
  run.observe({ kind: 'copy-started', table });
  let rows = 0;
  async function* copyText(): AsyncGenerator<string> {
    let chunk = '';
    for await (const batch of batches) {
      await turnOfTheEventLoop();
      if (run.signal.aborted) throw new InterruptedError();
      for (const record of batch) {
        chunk += encodeCopyRow(toRow(record));
        if (chunk.length >= CHUNK_CHARS) {
          yield chunk;
          chunk = '';
        }
      }
      rows += batch.length;
      run.observe({ kind: 'copy-progress', table, rows });
    }
    if (chunk.length > 0) yield chunk;
  }
  try {
    const copied = await copy.copyIn(tx, table, columns, copyText());
    run.observe({ kind: 'copy-finished', table, rows: copied });
    return copied;
  } catch (error) {
    run.observe({ kind: 'copy-failed', table });
    // The readers stop with the signal's own AbortError; a load says it was interrupted.
    if (run.signal.aborted) throw new InterruptedError();
    throw error;
  }
}

function songRow(song: SongRecord): CopyValue[] {
  // Order: STAGING_SONGS_COLUMNS.
  return [
    song.numSongs,
    song.artistId,
    song.artistLatitude,
    song.artistLongitude,
    song.artistLocation,
    song.artistName,
    song.songId,
    song.title,
    song.duration,
    song.year,
  ];
}

function eventRow(event: EventRecord): CopyValue[] {
  // Order: STAGING_EVENTS_COLUMNS.
  return [
    event.artist,
    event.auth,
    event.firstName,
    event.gender,
    event.itemInSession,
    event.lastName,
    event.length,
    event.level,
    event.location,
    event.method,
    event.page,
    event.registration,
    event.sessionId,
    event.song,
    event.status,
    event.ts,
    event.userAgent,
    event.userId,
  ];
}
