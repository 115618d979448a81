/**
 * Reads the event logs (docs/data.md, Source data): every file under the folder, JSON lines, one event per line.
 * Records come out in batches for throughput; a line that cannot be loaded is reported through
 * `onReject` with its file and line, and the lines around it are still read.
 */
import { readLineBatches } from './lines.js';
import { batchSizeOf, emptyStats, fileReadError, type SourceReadOptions } from './options.js';
import type { EventRecord, ReadStats } from './types.js';
import {
  asObject,
  optionalInteger,
  optionalNumber,
  optionalText,
  parseJson,
  RecordProblem,
  rejectUnstorableText,
  UNICODE_ESCAPE,
} from './validate.js';
import { listSourceFiles } from './walk.js';

export type { SourceReadOptions } from './options.js';

/** Below this a `ts` is in seconds (1e11 ms is March 1973; 1e11 s is the year 5138). */
export const SMALLEST_MILLISECONDS = 1e11;
/** 9999-12-31T23:59:59.999Z: beyond it a `ts` is more likely microseconds than milliseconds. */
export const LARGEST_MILLISECONDS = 253_402_300_799_999;

const TEXT_KEYS = [
  'artist',
  'auth',
  'firstName',
  'gender',
  'lastName',
  'level',
  'location',
  'method',
  'page',
  'song',
  'userAgent',
  'userId',
] as const;

/**
 * Batches of events from every file under `dir`, files in path order, lines in file order.
 * Returns (as the generator's return value) the totals, also kept in `options.stats` if given.
 * Throws a UserError when the folder is missing or empty or a file cannot be read.
 */
export async function* readEvents(
  dir: string,
  options: SourceReadOptions,
): AsyncGenerator<EventRecord[], ReadStats, undefined> {
  const batchSize = batchSizeOf(options);
  const stats = options.stats ?? emptyStats();
  const files = await listSourceFiles(dir, options);
  let batch: EventRecord[] = [];
  for (const file of files) {
    options.signal?.throwIfAborted();
    stats.files += 1;
    stats.bytes += file.size;
    try {
      for await (const items of readLineBatches(file.path, {
        maxLineBytes: options.maxLineBytes,
        signal: options.signal,
      })) {
        for (const item of items) {
          if (item.kind === 'reject') {
            stats.rejected += 1;
            options.onReject({ file: file.relativePath, line: item.line, reason: item.reason });
            continue;
          }
          let event: EventRecord;
          try {
            event = parseEvent(item.text);
          } catch (error) {
            if (!(error instanceof RecordProblem)) throw error;
            stats.rejected += 1;
            options.onReject({ file: file.relativePath, line: item.line, reason: error.reason });
            continue;
          }
          stats.records += 1;
          batch.push(event);
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
    } catch (error) {
      throw fileReadError(error, options, file.relativePath);
    }
  }
  if (batch.length > 0) yield batch;
  return { ...stats };
}

/** One log line as an event, or a RecordProblem naming the field that is wrong. */
export function parseEvent(line: string): EventRecord {
  const source = asObject(parseJson(line));
  const event: EventRecord = {
    artist: optionalText(source, 'artist'),
    auth: optionalText(source, 'auth'),
    firstName: optionalText(source, 'firstName'),
    gender: optionalText(source, 'gender'),
    itemInSession: optionalInteger(source, 'itemInSession'),
    lastName: optionalText(source, 'lastName'),
    length: optionalNumber(source, 'length'),
    level: optionalText(source, 'level'),
    location: optionalText(source, 'location'),
    method: optionalText(source, 'method'),
    page: optionalText(source, 'page'),
    registration: optionalNumber(source, 'registration'),
    sessionId: optionalInteger(source, 'sessionId'),
    song: optionalText(source, 'song'),
    status: optionalInteger(source, 'status'),
    ts: timestamp(source.ts),
    userAgent: optionalText(source, 'userAgent'),
    userId: userId(source.userId),
  };
  if (line.includes(UNICODE_ESCAPE)) rejectUnstorableText(source, TEXT_KEYS);
  return event;
}

function timestamp(value: unknown): number {
  if (value === null || value === undefined) throw new RecordProblem('ts is missing');
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    const got =
      typeof value === 'number'
        ? String(value)
        : typeof value === 'object'
          ? Array.isArray(value)
            ? 'array'
            : 'object'
          : typeof value;
    throw new RecordProblem(`ts must be an integer (epoch milliseconds), got ${got}`);
  }
  if (value < 0) throw new RecordProblem(`ts ${value} is negative, expected epoch milliseconds`);
  if (value < SMALLEST_MILLISECONDS) throw new RecordProblem(`ts ${value} looks like seconds, expected milliseconds`);
  if (value > LARGEST_MILLISECONDS)
    throw new RecordProblem(`ts ${value} looks like microseconds, expected milliseconds`);
  return value;
}

function userId(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) throw new RecordProblem('userId is missing (logged-out visitors have "")');
  throw new RecordProblem(`userId must be a string, got ${Array.isArray(value) ? 'array' : typeof value}`);
}
