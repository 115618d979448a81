/**
 * PostgreSQL COPY text format (https://www.postgresql.org/docs/current/sql-copy.html, "Text
 * Format"): one line per row, columns separated by tabs, `\N` for NULL, and backslash escapes for
 * the characters that would otherwise end a column or a row. Used for every row of a load, so it
 * avoids per-character work on the common path (strings with nothing to escape).
 */

/** One column value as the sources produce it. `undefined` is written as NULL, like `null`. */
export type CopyValue = string | number | bigint | boolean | null | undefined;

const NULL_MARKER = '\\N';
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPABLE = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeText(value: string): string {
  // The test is much cheaper than the replace, and most values have nothing to escape.
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPABLE, (character) => ESCAPES[character]!) : value;
}

/**
 * A number as text the server parses back to the same value. JavaScript's own shortest
 * round-trip form does that (246.30812 → "246.30812", 1540344794796 → "1540344794796"); only
 * -0 needs help, since String(-0) is "0".
 */
function formatNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot load ${value} through COPY: only finite numbers are allowed`);
  if (value === 0 && 1 / value < 0) return '-0';
  return String(value);
}

function formatValue(value: CopyValue): string {
  switch (typeof value) {
    case 'string':
      return escapeText(value);
    case 'number':
      return formatNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 't' : 'f';
    default:
      return NULL_MARKER; // null and undefined
  }
}

/** One row as a line of COPY text format, ending in `\n`. Throws on NaN or ±Infinity. */
export function encodeCopyRow(row: readonly CopyValue[]): string {
  let line = '';
  for (let index = 0; index < row.length; index++) {
    if (index > 0) line += '\t';
    line += formatValue(row[index]);
  }
  return line + '\n';
}

/** About 64 KiB: large enough to amortise per-chunk overhead, small enough to keep memory flat. */
export const DEFAULT_CHUNK_CHARACTERS = 64 * 1024;

/**
 * Turn batches of rows into chunks of COPY text of about `chunkCharacters` characters each
 * (measured in UTF-16 code units, close enough to bytes for sizing). Every chunk holds whole
 * lines, which the embedded warehouse relies on when it cuts the stream into separate COPYs.
 */
export async function* copyTextChunks(
  batches: AsyncIterable<readonly (readonly CopyValue[])[]> | Iterable<readonly (readonly CopyValue[])[]>,
  chunkCharacters: number = DEFAULT_CHUNK_CHARACTERS,
): AsyncGenerator<string, void, undefined> {
  let pending: string[] = [];
  let pendingCharacters = 0;
  for await (const batch of batches) {
    for (const row of batch) {
      const line = encodeCopyRow(row);
      pending.push(line);
      pendingCharacters += line.length;
      if (pendingCharacters >= chunkCharacters) {
        yield pending.join('');
        pending = [];
        pendingCharacters = 0;
      }
    }
  }
  if (pending.length > 0) yield pending.join('');
}
