/**
 * Field checks shared by the song and event readers. A failed check throws a RecordProblem (a
 * plain object, not an Error: no stack is captured, so rejecting many bad lines stays cheap);
 * the readers turn it into a RejectedRecord. The fast path (a valid record) allocates nothing.
 */

export class RecordProblem {
  constructor(readonly reason: string) {}
}

/** The staging tables' INTEGER columns are 32-bit on PostgreSQL and Redshift alike. */
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/** What a JSON value is, for messages: `got string`, `got 1.5`, `got array`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : String(value);
  return typeof value;
}

/** A string field that may be missing or null (both mean NULL, as COPY reads them). */
export function optionalText(record: Record<string, unknown>, key: string): string | null {
  const value = record[key];
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return null;
  throw new RecordProblem(`${key} must be a string, got ${describe(value)}`);
}

/** A string field that must be present and not empty (an id). */
export function requiredId(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value === 'string') {
    if (value === '') throw new RecordProblem(`${key} is empty`);
    return value;
  }
  if (value === null || value === undefined) throw new RecordProblem(`${key} is missing`);
  throw new RecordProblem(`${key} must be a string, got ${describe(value)}`);
}

/** A finite number that may be missing or null. */
export function optionalNumber(record: Record<string, unknown>, key: string): number | null {
  const value = record[key];
  if (typeof value === 'number') {
    // JSON.parse turns 1e400 into Infinity, which no database column can hold.
    if (!Number.isFinite(value)) throw new RecordProblem(`${key} must be a finite number, got ${value}`);
    return value;
  }
  if (value === null || value === undefined) return null;
  throw new RecordProblem(`${key} must be a number, got ${describe(value)}`);
}

/** A 32-bit integer that may be missing or null. `1.0` in the JSON is the integer 1. */
export function optionalInteger(record: Record<string, unknown>, key: string): number | null {
  const value = record[key];
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new RecordProblem(`${key} must be an integer, got ${value}`);
    if (value < INT32_MIN || value > INT32_MAX)
      throw new RecordProblem(`${key} ${value} is out of range for an integer column`);
    return value;
  }
  if (value === null || value === undefined) return null;
  throw new RecordProblem(`${key} must be an integer, got ${describe(value)}`);
}

/** The record as an object, or the reason it is not one. */
export function asObject(value: unknown): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new RecordProblem(`not a JSON object (got ${describe(value)})`);
}

/** Longest parse message kept; V8 quotes the input, which for a 1 MiB line is noise. */
const MAX_PARSE_MESSAGE = 120;

/** JSON.parse, with its failures as short RecordProblems. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RecordProblem(jsonFailure(error));
  }
}

function jsonFailure(error: unknown): string {
  // V8's parser is iterative, but a RangeError (stack overflow) is still possible on other engines
  // or in a reviver; either way the input is nested far deeper than any real record.
  if (error instanceof RangeError) return 'JSON nested too deeply';
  let message = error instanceof Error ? error.message : String(error);
  // `Unexpected token '}', "{"a":}" is not valid JSON` → `Unexpected token '}'`.
  const quoted = message.indexOf(', "');
  if (quoted > 0 && message.endsWith(' is not valid JSON')) message = message.slice(0, quoted);
  if (message.length > MAX_PARSE_MESSAGE) message = `${message.slice(0, MAX_PARSE_MESSAGE - 1)}…`;
  return `invalid JSON: ${message}`;
}

/** A high surrogate not followed by a low one, or a low one not after a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text the warehouse cannot store as it is written. PostgreSQL text cannot hold U+0000, and a lone
 * UTF-16 surrogate (`\ud800` with no partner) is not a character at all: it has no UTF-8 form, so
 * it would reach the tables as U+FFFD, a silently changed value. JSON can spell both only as a
 * `\u` escape (a raw NUL byte or broken UTF-8 is refused earlier, in lines.ts), so the readers call
 * this only when the raw text holds `\u`: records without escapes pay one `includes` for it.
 * Every reader (songs.ts, events.ts, and so every load path) goes through here (docs/data.md).
 */
export function rejectUnstorableText(source: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) {
    const value = source[key];
    if (typeof value !== 'string') continue;
    if (value.includes('\u0000')) {
      throw new RecordProblem(`${key} contains a NUL character (\\u0000), which the warehouse cannot store`);
    }
    const lone = LONE_SURROGATE.exec(value);
    if (lone !== null) {
      const escape = `\\u${lone[0].charCodeAt(0).toString(16)}`;
      throw new RecordProblem(`${key} contains a lone surrogate (${escape}), half a character, which cannot be stored`);
    }
  }
}

/** The start of every JSON escape that can spell NUL or a surrogate. */
export const UNICODE_ESCAPE = '\\u';
