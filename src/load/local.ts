/**
 * The local stream loader (embedded PGlite and PostgreSQL): the song and event files on this
 * machine → staging through the database's own COPY FROM STDIN → star schema, in ONE
 * transaction, so an interrupted or failed load leaves the tables exactly as they were.
 */
import { join } from 'node:path';
import { InterruptedError } from '../errors.js';
import { readEventRows } from '../source/event-rows.js';
import { emptyStats } from '../source/options.js';
import { readSongs } from '../source/songs.js';
import type { EventRecord, ReadStats, RejectedRecord, SongRecord } from '../source/types.js';
import { STAGING_EVENTS_COLUMNS, STAGING_SONGS_COLUMNS, type StagingTableName } from '../sql/tables.js';
import { encodeCopyRow, type CopyValue } from '../warehouse/copy-format.js';
import type { CopyFromStdin, CopyText, Transaction, Warehouse } from '../warehouse/types.js';
import { recordLocalLoad } from './history.js';
import {
  clearStagingStatements,
  rebuildStarStatements,
  runInTransaction,
  StatementProgress,
  turnOfTheEventLoop,
} from './statements.js';
import { REJECTS_LISTED, type LoadResult, type LoadRun } from './types.js';
import { keepYoungGenerationSmall } from './young-generation.js';

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
 * die young in V8's nursery instead of being promoted, which keeps the heap of a long load small;
 * much smaller ones only add round trips. (Events come from readEventRows in pieces of its own.)
 */
const CHUNK_CHARS = 128 * 1024;

export async function loadFromFolders(
  warehouse: Warehouse,
  copy: CopyFromStdin,
  folders: SourceFolders,
  run: LoadRun,
): Promise<LoadResult> {
  // Streaming makes garbage fast and keeps little: a small young generation holds the peak down.
  keepYoungGenerationSmall();
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

  // Ctrl-C rolls back even after the last statement (the history record): the transaction itself
  // refuses to commit once the signal has fired (Warehouse.transaction).
  const counts = await warehouse.transaction(
    async (tx) => {
      for (const { sql } of clearStagingStatements(warehouse.dialect)) await tx.query(sql);
      const staging = { tx, copy, run };
      const songStats = emptyStats();
      const songs = await copyStaging(
        staging,
        'staging_songs',
        STAGING_SONGS_COLUMNS,
        copyText(readSongs(folders.songs.dir, { ...readOptions(folders.songs), stats: songStats }), songRow),
        songStats,
      );
      // Events are written as COPY rows straight from the log bytes (source/event-rows.ts); the
      // few lines that need JSON.parse come back through encodeRow, so every row is written alike.
      // The bytes go to copyIn as they are: a string in between cost CPU and memory for nothing.
      const eventStats = emptyStats();
      const events = await copyStaging(
        staging,
        'staging_events',
        STAGING_EVENTS_COLUMNS,
        readEventRows(folders.events.dir, {
          ...readOptions(folders.events),
          stats: eventStats,
          encodeRow: (event) => encodeCopyRow(eventRow(event)),
          pieceBytes: copy.pieceBytes,
        }),
        eventStats,
      );
      await runInTransaction(tx, star, progress, run.signal);
      await recordLocalLoad(tx, warehouse.dialect, folders, {
        songs,
        events,
        songplays: progress.rows.get('songplays') ?? 0,
      });
      return { songs, events };
    },
    { signal: run.signal },
  );
  return { ...counts, songplays: progress.rows.get('songplays') ?? 0, rejected, rejectedTotal };
}

/** Stream COPY text into one staging table, reporting the rows read so far (`stats.records`). */
async function copyStaging(
  staging: { tx: Transaction; copy: CopyFromStdin; run: LoadRun },
  table: StagingTableName,
  columns: readonly string[],
  text: AsyncIterable<CopyText>,
  stats: ReadStats,
): Promise<number> {
  const { tx, copy, run } = staging;
  run.observe({ kind: 'copy-started', table });
  async function* observed(): AsyncGenerator<CopyText> {
    for await (const chunk of text) {
      await turnOfTheEventLoop();
      if (run.signal.aborted) throw new InterruptedError();
      run.observe({ kind: 'copy-progress', table, rows: stats.records });
      yield chunk;
    }
  }
  try {
    const copied = await copy.copyIn(tx, table, columns, observed());
    run.observe({ kind: 'copy-finished', table, rows: copied });
    return copied;
  } catch (error) {
    run.observe({ kind: 'copy-failed', table });
    // The readers stop with the signal's own AbortError; a load says it was interrupted.
    if (run.signal.aborted) throw new InterruptedError();
    throw error;
  }
}

/** Records as COPY text, in chunks of about CHUNK_CHARS. */
async function* copyText<R>(batches: AsyncIterable<R[]>, toRow: (record: R) => CopyValue[]): AsyncGenerator<string> {
  let chunk = '';
  for await (const batch of batches) {
    for (const record of batch) {
      chunk += encodeCopyRow(toRow(record));
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
  }
  if (chunk.length > 0) yield chunk;
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

export function eventRow(event: EventRecord): CopyValue[] {
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
