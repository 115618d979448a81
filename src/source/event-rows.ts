/**
 * The fast path of the event reader: one JSON log line → one row of PostgreSQL COPY text
 * (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"), written straight from
 * the line's bytes: no string, no object, no JSON.parse. The load spends most of its own time
 * turning events into COPY rows, so this is where it wins (docs/performance.md).
 *
 * Why bytes can be copied as they are: a JSON string's escapes `\" \\ \/ \b \f \n \r \t` mean in
 * COPY text exactly what they mean in JSON (COPY knows `\b \f \n \r \t`, and any other
 * backslashed character stands for itself), and a JSON number is text the server parses to the
 * same value JavaScript would (both round correctly).
 *
 * Only the plain shape of real log lines is taken here. Anything else (a `\u` escape, an
 * exponent, a nested value, a repeated key, a value of the wrong type, broken JSON) is declined
 * (NOT_HANDLED) and the line goes through parseEvent, which loads it or says why it cannot. So this
 * path never rejects a line and never decides what parseEvent would decide differently;
 * test/source/event-rows.test.ts checks that both give the same row.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { STAGING_EVENTS_COLUMNS } from '../sql/tables.js';
import { LARGEST_MILLISECONDS, parseEvent, SMALLEST_MILLISECONDS } from './events.js';
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, type LineSink } from './lines.js';
import { emptyStats, fileReadError, type SourceReadOptions } from './options.js';
import type { EventRecord, ReadStats } from './types.js';
import { RecordProblem } from './validate.js';
import { listSourceFiles } from './walk.js';

/** Returned by transcodeEventLine for a line it leaves to parseEvent. */
export const NOT_HANDLED = -1;

/** The most bytes a row takes beyond its line's own length (`\N` and tabs for 18 missing keys). */
export const ROW_SLACK = 64;

const TEXT = 0;
const INT32 = 1;
const DOUBLE = 2;
const TIMESTAMP = 3;
const USER_ID = 4;
type Kind = typeof TEXT | typeof INT32 | typeof DOUBLE | typeof TIMESTAMP | typeof USER_ID;

/** The JSON key of each staging column and what its value must be (as parseEvent checks it). */
const FIELDS: Record<(typeof STAGING_EVENTS_COLUMNS)[number], { key: string; kind: Kind }> = {
  artist: { key: 'artist', kind: TEXT },
  auth: { key: 'auth', kind: TEXT },
  first_name: { key: 'firstName', kind: TEXT },
  gender: { key: 'gender', kind: TEXT },
  item_in_session: { key: 'itemInSession', kind: INT32 },
  last_name: { key: 'lastName', kind: TEXT },
  length: { key: 'length', kind: DOUBLE },
  level: { key: 'level', kind: TEXT },
  location: { key: 'location', kind: TEXT },
  method: { key: 'method', kind: TEXT },
  page: { key: 'page', kind: TEXT },
  registration: { key: 'registration', kind: DOUBLE },
  session_id: { key: 'sessionId', kind: INT32 },
  song: { key: 'song', kind: TEXT },
  status: { key: 'status', kind: INT32 },
  ts: { key: 'ts', kind: TIMESTAMP },
  user_agent: { key: 'userAgent', kind: TEXT },
  user_id: { key: 'userId', kind: USER_ID },
};

/** In COPY column order. */
const KEYS = STAGING_EVENTS_COLUMNS.map((column) => Buffer.from(FIELDS[column].key, 'latin1'));
const KINDS = Int8Array.from(STAGING_EVENTS_COLUMNS.map((column) => FIELDS[column].kind));
const COLUMNS = KEYS.length;

// What was found for each column in the line being read (module-level scratch: no allocation per line).
const MISSING = 0;
const NULL_VALUE = 1;
const FOUND = 2;
const found = new Uint8Array(COLUMNS);
const valueStart = new Int32Array(COLUMNS);
const valueEnd = new Int32Array(COLUMNS);

/** Bytes that end the plain run of a JSON string: the closing quote, a backslash, a control character. */
const STRING_STOP = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte++) STRING_STOP[byte] = 1;
STRING_STOP[0x22] = 1;
STRING_STOP[0x5c] = 1;
/** The JSON escapes that COPY text reads the same way: \" \\ \/ \b \f \n \r \t. */
const SAME_ESCAPE = new Uint8Array(256);
for (const character of '"\\/bfnrt') SAME_ESCAPE[character.charCodeAt(0)] = 1;

const DIGIT = new Uint8Array(256);
for (let byte = 0x30; byte <= 0x39; byte++) DIGIT[byte] = 1;

/** Longer values are copied by one native call, shorter ones byte by byte (cheaper than the call). */
const NATIVE_COPY_BYTES = 32;

/** Digits of a double taken as they are: well inside the range where no value overflows or underflows. */
const MAX_DOUBLE_DIGITS = 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const TAB = 0x09;
const NEWLINE = 0x0a;

function skipSpace(line: Uint8Array, at: number, end: number): number {
  while (at < end) {
    const byte = line[at]!;
    // JSON whitespace; a line holds no 0x0A.
    if (byte !== 0x20 && byte !== TAB && byte !== 0x0d) break;
    at++;
  }
  return at;
}

/** The column whose key is line[start, end), or -1. Tries the column expected next first. */
function columnOf(line: Uint8Array, start: number, end: number, expected: number): number {
  const length = end - start;
  for (let tried = 0; tried < COLUMNS; tried++) {
    const column = (expected + tried) % COLUMNS;
    const key = KEYS[column]!;
    if (key.length !== length) continue;
    let index = 0;
    while (index < length && key[index] === line[start + index]) index++;
    if (index === length) return column;
  }
  return -1;
}

/** line[at, …) spells `word` (ASCII); the offset after it, or NOT_HANDLED. */
function literal(line: Uint8Array, at: number, end: number, word: string): number {
  if (end - at < word.length) return NOT_HANDLED;
  for (let index = 0; index < word.length; index++) {
    if (line[at + index] !== word.charCodeAt(index)) return NOT_HANDLED;
  }
  return at + word.length;
}

/**
 * Writes the COPY row of the log line line[start, end) (valid UTF-8, no line ending) into `out`
 * at `at` and returns the offset after it, or returns NOT_HANDLED and writes nothing that
 * counts. `out` must have (end - start) + ROW_SLACK bytes free at `at`.
 */
export function transcodeEventLine(line: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
  const written = inColumnOrder(line, start, end, out, at);
  return written !== NOT_HANDLED ? written : inAnyOrder(line, start, end, out, at);
}

/**
 * The shape the logs are written in: every key, in column order, no blank space. One pass that
 * checks and copies at once (a third faster than inAnyOrder); any other shape is inAnyOrder's.
 */
function inColumnOrder(line: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
  let index = start;
  let written = at;
  if (line[index++] !== OPEN_BRACE) return NOT_HANDLED;
  for (let column = 0; column < COLUMNS; column++) {
    // "key":
    const key = KEYS[column]!;
    if (index + key.length + 3 > end || line[index] !== QUOTE) return NOT_HANDLED;
    for (let offset = 0; offset < key.length; offset++) {
      if (line[index + 1 + offset] !== key[offset]) return NOT_HANDLED;
    }
    index += key.length + 1;
    if (line[index] !== QUOTE || line[index + 1] !== COLON) return NOT_HANDLED;
    index += 2;
    if (column > 0) out[written++] = TAB;
    const kind = KINDS[column]!;
    const first = line[index];
    if (first === QUOTE) {
      if (kind !== TEXT && kind !== USER_ID) return NOT_HANDLED;
      index++;
      for (;;) {
        let byte = line[index]!;
        while (index < end && STRING_STOP[byte] === 0) {
          out[written++] = byte;
          byte = line[++index]!;
        }
        if (index >= end) return NOT_HANDLED;
        if (byte === QUOTE) break;
        // See inAnyOrder: only the escapes COPY reads the same way.
        if (byte !== BACKSLASH || index + 1 >= end || SAME_ESCAPE[line[index + 1]!] === 0) return NOT_HANDLED;
        out[written++] = BACKSLASH;
        out[written++] = line[index + 1]!;
        index += 2;
      }
      index++;
    } else if (first === 0x6e) {
      if (kind === TIMESTAMP || kind === USER_ID) return NOT_HANDLED;
      if (literal(line, index, end, 'null') === NOT_HANDLED) return NOT_HANDLED;
      out[written++] = BACKSLASH;
      out[written++] = 0x4e;
      index += 4;
    } else {
      const numberEnd = checkedNumber(line, index, end, kind);
      if (numberEnd === NOT_HANDLED) return NOT_HANDLED;
      while (index < numberEnd) out[written++] = line[index++]!;
    }
    const separator = line[index++];
    if (separator !== (column === COLUMNS - 1 ? CLOSE_BRACE : COMMA)) return NOT_HANDLED;
  }
  if (index !== end) return NOT_HANDLED;
  out[written++] = NEWLINE;
  return written;
}

/**
 * A number at line[index, …) as the column of `kind` takes it (kind -1: a key no column reads,
 * which only has to be a number). The offset after it, or NOT_HANDLED.
 */
function checkedNumber(line: Uint8Array, index: number, end: number, kind: number): number {
  const first = line[index];
  let at = index;
  if (first === MINUS) at++;
  const integerStart = at;
  if (at >= end) return NOT_HANDLED;
  if (line[at] === ZERO) {
    at++;
  } else if (line[at]! > ZERO && line[at]! <= NINE) {
    while (at < end && DIGIT[line[at]!] === 1) at++;
  } else {
    return NOT_HANDLED;
  }
  const integerDigits = at - integerStart;
  let fractionDigits = 0;
  if (at < end && line[at] === DOT) {
    at++;
    const fractionStart = at;
    while (at < end && DIGIT[line[at]!] === 1) at++;
    fractionDigits = at - fractionStart;
    if (fractionDigits === 0) return NOT_HANDLED;
  }
  if (at < end && (line[at] === 0x65 || line[at] === 0x45)) return NOT_HANDLED; // an exponent
  if (kind === INT32) {
    // parseEvent: an integer (1.0 is one too: fractions are left to it) that fits 32 bits.
    if (fractionDigits > 0 || integerDigits > 10) return NOT_HANDLED;
    const value = digitsValue(line, integerStart, at);
    if (first === MINUS ? value > 2_147_483_648 : value > 2_147_483_647) return NOT_HANDLED;
  } else if (kind === DOUBLE) {
    if (integerDigits > MAX_DOUBLE_DIGITS || fractionDigits > MAX_DOUBLE_DIGITS) return NOT_HANDLED;
  } else if (kind === TIMESTAMP) {
    // parseEvent: whole epoch milliseconds in its plausible range; anything else is its to judge.
    if (first === MINUS || fractionDigits > 0 || integerDigits > 15) return NOT_HANDLED;
    const value = digitsValue(line, integerStart, at);
    if (value < SMALLEST_MILLISECONDS || value > LARGEST_MILLISECONDS) return NOT_HANDLED;
  } else if (kind !== -1) {
    return NOT_HANDLED; // a number where text belongs
  }
  return at;
}

/** Any shape of JSON object: keys in any order, blank space anywhere. Scans, then writes. */
function inAnyOrder(line: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
  found.fill(MISSING);
  let index = skipSpace(line, start, end);
  if (index >= end || line[index] !== OPEN_BRACE) return NOT_HANDLED;
  index = skipSpace(line, index + 1, end);
  let expected = 0;
  if (index < end && line[index] === CLOSE_BRACE) {
    index++;
  } else {
    for (;;) {
      // "key"
      if (index >= end || line[index] !== QUOTE) return NOT_HANDLED;
      const keyStart = index + 1;
      let keyEnd = keyStart;
      while (keyEnd < end) {
        const byte = line[keyEnd]!;
        if (byte === QUOTE) break;
        if (byte === BACKSLASH || byte < 0x20) return NOT_HANDLED;
        keyEnd++;
      }
      if (keyEnd >= end) return NOT_HANDLED;
      const column = columnOf(line, keyStart, keyEnd, expected);
      if (column >= 0) {
        if (found[column] !== MISSING) return NOT_HANDLED; // JSON.parse keeps the last one: leave it to it
        expected = column + 1;
      }
      index = skipSpace(line, keyEnd + 1, end);
      if (index >= end || line[index] !== COLON) return NOT_HANDLED;
      index = skipSpace(line, index + 1, end);
      if (index >= end) return NOT_HANDLED;
      const kind = column >= 0 ? KINDS[column]! : -1;
      const first = line[index]!;
      if (first === QUOTE) {
        const bodyStart = index + 1;
        let at2 = bodyStart;
        for (;;) {
          while (at2 < end && STRING_STOP[line[at2]!] === 0) at2++;
          if (at2 >= end) return NOT_HANDLED;
          const byte = line[at2]!;
          if (byte === QUOTE) break;
          // " \ / b f n r t mean the same in COPY text; \u (and anything else) is parseEvent's job.
          // A raw control character is invalid JSON (and a raw tab would end the COPY column).
          if (byte !== BACKSLASH || at2 + 1 >= end || SAME_ESCAPE[line[at2 + 1]!] === 0) return NOT_HANDLED;
          at2 += 2;
        }
        if (column >= 0) {
          if (kind !== TEXT && kind !== USER_ID) return NOT_HANDLED;
          found[column] = FOUND;
          valueStart[column] = bodyStart;
          valueEnd[column] = at2;
        }
        index = at2 + 1;
      } else if (first === MINUS || DIGIT[first] === 1) {
        const numberEnd = checkedNumber(line, index, end, kind);
        if (numberEnd === NOT_HANDLED) return NOT_HANDLED;
        if (column >= 0) {
          found[column] = FOUND;
          valueStart[column] = index;
          valueEnd[column] = numberEnd;
        }
        index = numberEnd;
      } else if (first === 0x6e) {
        index = literal(line, index, end, 'null');
        if (index === NOT_HANDLED) return NOT_HANDLED;
        if (column >= 0) {
          if (kind === TIMESTAMP || kind === USER_ID) return NOT_HANDLED; // required
          found[column] = NULL_VALUE;
        }
      } else if (first === 0x74 || first === 0x66) {
        if (column >= 0) return NOT_HANDLED; // no column holds a boolean
        index = literal(line, index, end, first === 0x74 ? 'true' : 'false');
        if (index === NOT_HANDLED) return NOT_HANDLED;
      } else {
        return NOT_HANDLED; // an object, an array, or not JSON
      }
      index = skipSpace(line, index, end);
      if (index >= end) return NOT_HANDLED;
      const separator = line[index];
      if (separator === COMMA) {
        index = skipSpace(line, index + 1, end);
        continue;
      }
      if (separator !== CLOSE_BRACE) return NOT_HANDLED;
      index++;
      break;
    }
  }
  if (skipSpace(line, index, end) !== end) return NOT_HANDLED;
  // ts and userId must be there: parseEvent says so when they are not.
  for (let column = 0; column < COLUMNS; column++) {
    const kind = KINDS[column];
    if ((kind === TIMESTAMP || kind === USER_ID) && found[column] !== FOUND) return NOT_HANDLED;
  }

  let written = at;
  for (let column = 0; column < COLUMNS; column++) {
    if (column > 0) out[written++] = TAB;
    if (found[column] === FOUND) {
      const from = valueStart[column]!;
      const to = valueEnd[column]!;
      if (to - from > NATIVE_COPY_BYTES) {
        out.set(line.subarray(from, to), written);
        written += to - from;
      } else {
        for (let byte = from; byte < to; byte++) out[written++] = line[byte]!;
      }
    } else {
      out[written++] = BACKSLASH; // \N: NULL, as COPY text spells it
      out[written++] = 0x4e;
    }
  }
  out[written++] = NEWLINE;
  return written;
}

/** The value of ASCII digits (at most 15, so exact). */
function digitsValue(line: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let index = start; index < end; index++) value = value * 10 + (line[index]! - ZERO);
  return value;
}

/** Bytes read from a log file at a time (synchronously: one call instead of a stream's several per read). */
const READ_BYTES = 256 * 1024;
/** COPY text is handed on in pieces of about this many bytes, unless the caller asks otherwise. */
const PIECE_BYTES = 128 * 1024;

export interface EventRowsOptions extends SourceReadOptions {
  /**
   * The COPY row (with its `\n`) of an event the fast path leaves to parseEvent. The caller's
   * encoder, so that such rows are written exactly as the rest of the load writes rows.
   */
  encodeRow: (event: EventRecord) => string;
  /**
   * Bytes per piece (default 128 KiB). The embedded warehouse asks for pieces of its COPY's size,
   * which then move to PGlite's thread as they are (docs/performance.md).
   */
  pieceBytes?: number | undefined;
}

/**
 * COPY text being collected: bytes written in place and handed on as they are (no string is made:
 * decoding and encoding again would cost a quarter of the reader's time).
 */
class RowBuffer {
  bytes: Buffer;
  length = 0;

  constructor(pieceBytes: number) {
    this.bytes = Buffer.allocUnsafe(2 * pieceBytes);
  }

  /** Room for `bytes` more. */
  reserve(bytes: number): void {
    if (this.length + bytes <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.length + bytes));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  append(text: string): void {
    this.reserve(Buffer.byteLength(text));
    this.length += this.bytes.write(text, this.length);
  }

  /**
   * The rows so far, in a buffer of their own and of their exact size (never a view into a larger
   * one: the embedded warehouse hands the whole buffer to its thread); this one is reused.
   */
  take(): Buffer {
    const rows = Buffer.allocUnsafeSlow(this.length);
    this.bytes.copy(rows, 0, 0, this.length);
    this.length = 0;
    return rows;
  }
}

/**
 * Every event under `dir` as PostgreSQL COPY text (UTF-8 bytes), in the order of readEvents (files
 * in path order, lines in file order), in pieces of whole rows. Lines that cannot be loaded go to
 * `onReject` with their file, line and reason, exactly as readEvents reports them. Returns the
 * totals (also kept live in `options.stats`: `records` is the rows written so far).
 */
export async function* readEventRows(
  dir: string,
  options: EventRowsOptions,
): AsyncGenerator<Buffer, ReadStats, undefined> {
  const stats = options.stats ?? emptyStats();
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  // No stat per file: the bytes read are counted instead.
  const files = await listSourceFiles(dir, options);
  const input = Buffer.allocUnsafe(READ_BYTES);
  const pieceBytes = options.pieceBytes ?? PIECE_BYTES;
  const rows = new RowBuffer(pieceBytes);
  let file = files[0]!;
  const sink: LineSink = {
    line(buffer, start, end, lineNumber) {
      rows.reserve(end - start + ROW_SLACK);
      const next = transcodeEventLine(buffer, start, end, rows.bytes, rows.length);
      if (next !== NOT_HANDLED) {
        rows.length = next;
        stats.records += 1;
        return;
      }
      let event: EventRecord;
      try {
        event = parseEvent(buffer.toString('utf8', start, end));
      } catch (error) {
        if (!(error instanceof RecordProblem)) throw error;
        this.reject(lineNumber, error.reason);
        return;
      }
      rows.append(options.encodeRow(event));
      stats.records += 1;
    },
    reject(lineNumber, reason) {
      stats.rejected += 1;
      options.onReject({ file: file.relativePath, line: lineNumber, reason });
    },
  };
  for (file of files) {
    options.signal?.throwIfAborted();
    stats.files += 1;
    const splitter = new LineSplitter(maxLineBytes);
    let fd: number | undefined;
    try {
      fd = openSync(file.path, 'r');
      for (;;) {
        options.signal?.throwIfAborted();
        const read = readSync(fd, input, 0, input.length, null);
        if (read === 0) break;
        stats.bytes += read;
        splitter.pushTo(input.subarray(0, read), sink);
        if (rows.length >= pieceBytes) yield rows.take();
      }
      splitter.endTo(sink);
    } catch (error) {
      throw fileReadError(error, options, file.relativePath);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  if (rows.length > 0) yield rows.take();
  return { ...stats };
}
