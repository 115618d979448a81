/**
 * Reads the song catalog (docs/data.md, Source data): every file under the folder holds one JSON object, usually
 * with no trailing newline. Several objects as JSON lines in one file are accepted too, as
 * Redshift's `COPY … JSON 'auto'` accepts them.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { DEFAULT_MAX_LINE_BYTES, formatLimit, isBlank, LineSplitter } from './lines.js';
import { batchSizeOf, emptyStats, fileReadError, type SourceReadOptions } from './options.js';
import type { ReadStats, SongRecord } from './types.js';
import {
  asObject,
  optionalInteger,
  optionalNumber,
  optionalText,
  parseJson,
  RecordProblem,
  rejectUnstorableText,
  UNICODE_ESCAPE,
  requiredId,
} from './validate.js';
import { listSourceFiles, type SourceFile } from './walk.js';

/** Files read ahead of the one being parsed: song files are small, so latency dominates. */
const READ_AHEAD = 32;

const TEXT_KEYS = ['artist_id', 'artist_location', 'artist_name', 'song_id', 'title'] as const;

type FileContent = { data: Buffer } | { tooLarge: number } | { error: unknown };

/**
 * Batches of songs from every file under `dir`, in path order. Returns the totals (also kept in
 * `options.stats` if given). Throws a UserError when the folder is missing or empty or a file
 * cannot be read.
 */
export async function* readSongs(
  dir: string,
  options: SourceReadOptions,
): AsyncGenerator<SongRecord[], ReadStats, undefined> {
  const batchSize = batchSizeOf(options);
  const maxBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const stats = options.stats ?? emptyStats();
  const files = await listSourceFiles(dir, options);
  const reads: Array<Promise<FileContent>> = [];
  let nextToRead = 0;
  let batch: SongRecord[] = [];

  for (const file of files) {
    options.signal?.throwIfAborted();
    while (nextToRead < files.length && reads.length < READ_AHEAD)
      reads.push(readBounded(files[nextToRead++]!, maxBytes));
    const content = await reads.shift()!;
    stats.files += 1;
    stats.bytes += file.size;
    if ('error' in content) throw fileReadError(content.error, options, file.relativePath);
    const reject = (line: number, reason: string): void => {
      stats.rejected += 1;
      options.onReject({ file: file.relativePath, line, reason });
    };
    if ('tooLarge' in content) {
      reject(1, `file is ${content.tooLarge} bytes, over the ${formatLimit(maxBytes)} limit for one record`);
      continue;
    }
    for (const song of songsInFile(content.data, maxBytes, reject)) {
      stats.records += 1;
      batch.push(song);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
  return { ...stats };
}

/** Never rejects (a rejected read-ahead promise nobody awaits yet would be "unhandled"). */
async function readBounded(file: SourceFile, maxBytes: number): Promise<FileContent> {
  // The listing's size decides: an oversized file is never read into memory.
  if (file.size > maxBytes) return { tooLarge: file.size };
  try {
    // Synchronous on purpose: a song file is a few hundred bytes, and fs/promises' readFile costs
    // four thread-pool round trips per file (open, fstat, read, close), about 10× the sync call.
    return { data: readFileSync(file.path) };
  } catch (error) {
    return { error };
  }
}

/**
 * The songs in one file's bytes: the whole file as one JSON value (the real format, which may
 * also be pretty-printed), or else each line as its own record.
 */
export function songsInFile(
  data: Buffer,
  maxBytes: number,
  reject: (line: number, reason: string) => void,
): SongRecord[] {
  if (data.length === 0) {
    reject(1, 'empty file');
    return [];
  }
  if (data.indexOf(0) === -1 && isUtf8(data)) {
    let text = data.toString('utf8');
    if (text.startsWith('\uFEFF')) text = text.slice(1);
    if (isBlank(text)) {
      reject(1, 'empty file');
      return [];
    }
    try {
      return [parseSong(text)];
    } catch (error) {
      if (!(error instanceof RecordProblem)) throw error;
      // One line: that line's problem. Several: maybe JSON lines, so judge each line alone.
      const firstNewline = text.trimEnd().indexOf('\n');
      if (firstNewline === -1) {
        reject(firstContentLine(text), error.reason);
        return [];
      }
    }
  }
  const splitter = new LineSplitter(maxBytes);
  const songs: SongRecord[] = [];
  let sawLine = false;
  for (const item of [...splitter.push(data), ...splitter.end()]) {
    sawLine = true;
    if (item.kind === 'reject') {
      reject(item.line, item.reason);
      continue;
    }
    try {
      songs.push(parseSong(item.text));
    } catch (error) {
      if (!(error instanceof RecordProblem)) throw error;
      reject(item.line, error.reason);
    }
  }
  if (!sawLine) reject(1, 'empty file');
  return songs;
}

/** One song object, or a RecordProblem naming the field that is wrong. */
export function parseSong(text: string): SongRecord {
  const source = asObject(parseJson(text));
  const song: SongRecord = {
    numSongs: optionalInteger(source, 'num_songs'),
    artistId: requiredId(source, 'artist_id'),
    artistLatitude: optionalNumber(source, 'artist_latitude'),
    artistLongitude: optionalNumber(source, 'artist_longitude'),
    artistLocation: optionalText(source, 'artist_location'),
    artistName: optionalText(source, 'artist_name'),
    songId: requiredId(source, 'song_id'),
    title: optionalText(source, 'title'),
    duration: optionalNumber(source, 'duration'),
    year: optionalInteger(source, 'year'),
  };
  if (text.includes(UNICODE_ESCAPE)) rejectUnstorableText(source, TEXT_KEYS);
  return song;
}

function firstContentLine(text: string): number {
  let line = 1;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x0a) line++;
    else if (code !== 0x20 && code !== 0x09 && code !== 0x0d) return line;
  }
  return 1;
}
