/**
 * One event-log file straight to PostgreSQL COPY text: read, split, parse, check, encode. This is
 * the ONE implementation of that work; it runs in a worker thread (event-worker.ts) when the
 * program is built, and in the calling thread otherwise (see event-copy-pool.ts), so both give
 * the same rows and the same rejections, in the same order, as `readEvents` does.
 */
import { encodeCopyRow } from '../warehouse/copy-format.js';
import { parseEvent } from './events.js';
import { readLineBatches } from './lines.js';
import type { EventRecord } from './types.js';
import { RecordProblem } from './validate.js';

/** A line of a file that could not be loaded; the caller adds the file's name. */
export interface LineReject {
  line: number;
  reason: string;
}

/** A piece of one file's COPY text (whole rows) and the lines rejected since the last piece. */
export interface EventCopyPiece {
  /** COPY text format, whole lines; may be "" when the piece only carries rejections. */
  text: string;
  /** Rows in `text`. */
  rows: number;
  rejects: LineReject[];
}

export interface EncodeFileOptions {
  /** A piece is handed on once its text reaches this many characters. */
  chunkChars: number;
  maxLineBytes?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Rejections are handed on in groups of at most this many, so a file of garbage stays bounded. */
const REJECTS_PER_PIECE = 1000;

/** The staging_events row of an event. Order: STAGING_EVENTS_COLUMNS in src/sql/tables.ts. */
export function eventCopyRow(event: EventRecord): Array<string | number | null> {
  return [
    event.artist, event.auth, event.firstName, event.gender, event.itemInSession, event.lastName, event.length, event.level,
    event.location, event.method, event.page, event.registration, event.sessionId, event.song, event.status, event.ts,
    event.userAgent, event.userId,
  ];
}

/**
 * The pieces of one file in line order. The last piece may be empty (no text, no rejections)
 * only when the whole file is. Throws what the read throws (a missing file, an abort).
 */
export async function* encodeEventFile(path: string, options: EncodeFileOptions): AsyncGenerator<EventCopyPiece, void, undefined> {
  let text = '';
  let rows = 0;
  let rejects: LineReject[] = [];
  for await (const items of readLineBatches(path, { maxLineBytes: options.maxLineBytes, signal: options.signal })) {
    for (const item of items) {
      if (item.kind === 'reject') {
        rejects.push({ line: item.line, reason: item.reason });
      } else {
        try {
          text += encodeCopyRow(eventCopyRow(parseEvent(item.text)));
          rows += 1;
        } catch (error) {
          if (!(error instanceof RecordProblem)) throw error;
          rejects.push({ line: item.line, reason: error.reason });
        }
      }
      if (text.length >= options.chunkChars || rejects.length >= REJECTS_PER_PIECE) {
        yield { text, rows, rejects };
        text = '';
        rows = 0;
        rejects = [];
      }
    }
  }
  if (text.length > 0 || rejects.length > 0) yield { text, rows, rejects };
}
