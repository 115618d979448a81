/**
 * A streaming line splitter for JSON-lines files. It works on the raw bytes (so a line's size,
 * a NUL byte or broken UTF-8 are seen before any text is made) and keeps memory bounded by the
 * read size plus the line limit, whatever the size of the file or of its longest line.
 *
 * Speed matters here (millions of lines): a whole read chunk is checked (NUL bytes, UTF-8) with
 * one native call each when it is clean, which is the normal case, then each line is decoded
 * alone; only a chunk with a problem is checked line by line to find and reject the bad lines.
 */
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';

/** Lines longer than this are rejected (Redshift's own limit for a JSON record is 4 MB). */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
/** Bytes read per chunk; large reads keep the per-chunk overhead negligible. */
export const DEFAULT_READ_BYTES = 1024 * 1024;

export interface TextLine {
  kind: 'line';
  /** 1-based line number in the file. */
  line: number;
  /** The line without its line ending. */
  text: string;
}

export interface BadLine {
  kind: 'reject';
  line: number;
  reason: string;
}

export type LineItem = TextLine | BadLine;

/**
 * Where LineSplitter puts the lines it finds, as bytes: readers that transcode lines without
 * decoding them (event-rows.ts) take them from here; `push` collects them as LineItems.
 */
export interface LineSink {
  /**
   * A line that holds something: buffer[start, end) is valid UTF-8 without NUL bytes, without
   * its line ending, and (on line 1) without a byte order mark. Only valid during the call.
   */
  line(buffer: Buffer, start: number, end: number, lineNumber: number): void;
  /** A line that cannot be a record, and why. */
  reject(lineNumber: number, reason: string): void;
}

export interface LineReaderOptions {
  /** Longest accepted line in bytes, without its line ending. Default 1 MiB. */
  maxLineBytes?: number | undefined;
  /** Bytes per read. Default 1 MiB. */
  readBytes?: number | undefined;
  /** Stops the read; the generator then throws an AbortError. */
  signal?: AbortSignal | undefined;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NUL = 0x00;

/**
 * The lines of a file in order, in batches (one per read chunk, possibly empty), with blank
 * lines skipped (their numbers still count) and bad lines as `reject` items.
 */
export async function* readLineBatches(
  path: string,
  options: LineReaderOptions = {},
): AsyncGenerator<LineItem[], void, undefined> {
  const splitter = new LineSplitter(options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const stream = createReadStream(path, {
    highWaterMark: options.readBytes ?? DEFAULT_READ_BYTES,
    signal: options.signal,
  });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const items = splitter.push(chunk);
      if (items.length > 0) yield items;
    }
    const last = splitter.end();
    if (last.length > 0) yield last;
  } finally {
    // An early `return` (the consumer stopped) must not leave the file open.
    stream.destroy();
  }
}

/** The same lines one at a time: simpler for callers that are not in a hurry. */
export async function* readLines(
  path: string,
  options: LineReaderOptions = {},
): AsyncGenerator<LineItem, void, undefined> {
  for await (const batch of readLineBatches(path, options)) yield* batch;
}

/**
 * Splits a sequence of byte chunks into lines. Kept apart from the stream so its state is plain
 * fields (no closures) and so it can be tested with chunks cut anywhere.
 */
export class LineSplitter {
  private readonly maxLineBytes: number;
  /** Bytes of a line that started in an earlier chunk and has not ended yet. */
  private carry: Buffer | undefined;
  /** True while skipping the rest of a line that is already known to be too long. */
  private skipping = false;
  private skippedBytes = 0;
  /** The last byte skipped, to leave a "\r" before the newline out of the count. */
  private lastSkippedByte = -1;
  private lineNumber = 0;

  constructor(maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1)
      throw new RangeError(`maxLineBytes must be a positive integer, got ${maxLineBytes}`);
    this.maxLineBytes = maxLineBytes;
  }

  /** The lines completed by this chunk. */
  push(chunk: Buffer): LineItem[] {
    const items: LineItem[] = [];
    this.pushTo(chunk, collect(items));
    return items;
  }

  /** The last line when the file does not end with a newline (and a pending too-long line). */
  end(): LineItem[] {
    const items: LineItem[] = [];
    this.endTo(collect(items));
    return items;
  }

  /** The lines completed by this chunk, handed to `sink` in order. */
  pushTo(chunk: Buffer, sink: LineSink): void {
    let start = 0;
    const firstNewline = chunk.indexOf(NEWLINE);
    if (this.skipping) {
      if (firstNewline === -1) {
        this.skippedBytes += chunk.length;
        if (chunk.length > 0) this.lastSkippedByte = chunk[chunk.length - 1]!;
        return;
      }
      this.skippedBytes += firstNewline;
      const beforeNewline = firstNewline > 0 ? chunk[firstNewline - 1]! : this.lastSkippedByte;
      if (beforeNewline === CARRIAGE_RETURN) this.skippedBytes -= 1;
      this.tooLong(++this.lineNumber, this.skippedBytes, sink);
      this.skipping = false;
      this.skippedBytes = 0;
      start = firstNewline + 1;
    } else if (this.carry !== undefined) {
      if (firstNewline === -1) {
        this.extendCarry(chunk, 0);
        return;
      }
      // The carried line ends in this chunk: at most maxLineBytes + one chunk, so joining is cheap.
      const line = Buffer.concat([this.carry, chunk.subarray(0, firstNewline)]);
      this.carry = undefined;
      this.lineAt(line, 0, line.length, ++this.lineNumber, sink);
      start = firstNewline + 1;
    }

    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline >= start) {
      this.linesIn(chunk, start, lastNewline + 1, sink);
      start = lastNewline + 1;
    }
    if (start < chunk.length) this.extendCarry(chunk, start);
  }

  /** The end of the input: the last line if it has no newline, or a pending too-long line. */
  endTo(sink: LineSink): void {
    if (this.skipping) {
      this.tooLong(++this.lineNumber, this.skippedBytes, sink);
      this.skipping = false;
    } else if (this.carry !== undefined) {
      const line = this.carry;
      this.carry = undefined;
      this.lineAt(line, 0, line.length, ++this.lineNumber, sink);
    }
  }

  /** Keep the unfinished tail of a chunk, or switch to skipping once it is over the limit. */
  private extendCarry(chunk: Buffer, start: number): void {
    const carried = this.carry?.length ?? 0;
    const total = carried + chunk.length - start;
    // +1: the line may still turn out to end in "\r\n", and the "\r" does not count.
    if (total > this.maxLineBytes + 1) {
      this.carry = undefined;
      this.skipping = true;
      this.skippedBytes = total;
      this.lastSkippedByte = chunk[chunk.length - 1]!;
      return;
    }
    // Copied: the stream may reuse the chunk's memory, and a small copy frees the big chunk.
    this.carry =
      this.carry === undefined
        ? Buffer.from(chunk.subarray(start))
        : Buffer.concat([this.carry, chunk.subarray(start)]);
  }

  /** Every line of chunk[start, end), which ends just after a newline. */
  private linesIn(chunk: Buffer, start: number, end: number, sink: LineSink): void {
    const nul = chunk.indexOf(NUL, start);
    const clean = (nul === -1 || nul >= end) && isUtf8(chunk.subarray(start, end));
    if (!clean) {
      // Rare: find the bad lines one by one so the good lines around them are still read.
      let lineStart = start;
      while (lineStart < end) {
        const newline = chunk.indexOf(NEWLINE, lineStart);
        this.lineAt(chunk, lineStart, newline, ++this.lineNumber, sink);
        lineStart = newline + 1;
      }
      return;
    }
    // Valid UTF-8 has no 0x0A inside a multi-byte character, so byte lines are text lines.
    const maxLineBytes = this.maxLineBytes;
    let lineStart = start;
    while (lineStart < end) {
      const newline = chunk.indexOf(NEWLINE, lineStart);
      let lineEnd = newline;
      if (lineEnd > lineStart && chunk[lineEnd - 1] === CARRIAGE_RETURN) lineEnd--;
      const lineNumber = ++this.lineNumber;
      const length = lineEnd - lineStart;
      if (length > maxLineBytes) this.tooLong(lineNumber, length, sink);
      else if (length > 0) this.content(chunk, lineStart, lineEnd, lineNumber, sink);
      lineStart = newline + 1;
    }
  }

  /** One line, checked byte by byte: buffer[start, end) without its newline. */
  private lineAt(buffer: Buffer, start: number, end: number, lineNumber: number, sink: LineSink): void {
    if (end > start && buffer[end - 1] === CARRIAGE_RETURN) end--;
    const length = end - start;
    if (length === 0) return;
    if (length > this.maxLineBytes) {
      this.tooLong(lineNumber, length, sink);
      return;
    }
    const nul = buffer.indexOf(NUL, start);
    if (nul !== -1 && nul < end) {
      sink.reject(lineNumber, `binary data (a NUL byte at column ${nul - start + 1}), not JSON text`);
      return;
    }
    if (!isUtf8(buffer.subarray(start, end))) {
      sink.reject(
        lineNumber,
        `invalid UTF-8 (at byte ${firstInvalidUtf8(buffer, start, end) - start + 1} of the line)`,
      );
      return;
    }
    this.content(buffer, start, end, lineNumber, sink);
  }

  /** A checked line to the sink, without the byte order mark of line 1, unless it is blank. */
  private content(buffer: Buffer, start: number, end: number, lineNumber: number, sink: LineSink): void {
    if (
      lineNumber === 1 &&
      end - start >= 3 &&
      buffer[start] === 0xef &&
      buffer[start + 1] === 0xbb &&
      buffer[start + 2] === 0xbf
    )
      start += 3;
    for (let index = start; index < end; index++) {
      const byte = buffer[index];
      if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== 0x0a) {
        sink.line(buffer, start, end, lineNumber);
        return;
      }
    }
  }

  private tooLong(lineNumber: number, bytes: number, sink: LineSink): void {
    sink.reject(lineNumber, `line is ${bytes} bytes, over the ${formatLimit(this.maxLineBytes)} limit`);
  }
}

/** A sink that decodes each line, for callers that want text. */
function collect(items: LineItem[]): LineSink {
  return {
    line: (buffer, start, end, line) =>
      void items.push({ kind: 'line', line, text: buffer.toString('utf8', start, end) }),
    reject: (line, reason) => void items.push({ kind: 'reject', line, reason }),
  };
}

/** True for "" and lines of JSON whitespace only, which hold no record. */
export function isBlank(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0d && code !== 0x0a) return false;
  }
  return true;
}

export function formatLimit(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes}-byte`;
}

/** Offset of the first byte where the UTF-8 in buffer[start, end) goes wrong (for the message). */
function firstInvalidUtf8(buffer: Buffer, start: number, end: number): number {
  // Grow a valid prefix one character at a time; only called for a line already known to be bad.
  let position = start;
  while (position < end) {
    const lead = buffer[position]!;
    const size =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead <= 0xdf
          ? 2
          : lead >= 0xe0 && lead <= 0xef
            ? 3
            : lead >= 0xf0 && lead <= 0xf4
              ? 4
              : 0;
    if (size === 0 || position + size > end || !isUtf8(buffer.subarray(position, position + size))) return position;
    position += size;
  }
  return end;
}
