import { describe, expect, test } from 'vitest';
import { copyTextChunks, encodeCopyRow, type CopyValue } from '../../src/warehouse/copy-format.js';

describe('encodeCopyRow', () => {
  test('separates columns with tabs and ends the line with a newline', () => {
    expect(encodeCopyRow(['a', 'b', 'c'])).toBe('a\tb\tc\n');
  });

  test('writes null and undefined as \\N, and keeps the empty string distinct', () => {
    expect(encodeCopyRow([null, undefined, ''])).toBe('\\N\t\\N\t\n');
  });

  test('escapes backslash, tab, newline and carriage return', () => {
    expect(encodeCopyRow(['a\\b', 'tab\there', 'two\nlines', 'cr\rlf\r\n'])).toBe(
      'a\\\\b\ttab\\there\ttwo\\nlines\tcr\\rlf\\r\\n\n',
    );
  });

  test('a literal backslash-N string is not confused with NULL', () => {
    expect(encodeCopyRow(['\\N'])).toBe('\\\\N\n');
  });

  test('passes unicode and other characters through unchanged', () => {
    expect(encodeCopyRow(["Des'ree", 'Björk – «Jóga» 🎵', 'Mozilla\\/5.0'])).toBe(
      "Des'ree\tBjörk – «Jóga» 🎵\tMozilla\\\\/5.0\n",
    );
  });

  test('writes numbers so they parse back to the same value', () => {
    expect(encodeCopyRow([246.30812, 1540344794796, 1541106106796, 0.1, -3, 0, 1e-7, 218.93179])).toBe(
      '246.30812\t1540344794796\t1541106106796\t0.1\t-3\t0\t1e-7\t218.93179\n',
    );
    for (const value of [246.30812, 0.1 + 0.2, Math.PI, 1540344794796.5, -1e-300, Number.MAX_SAFE_INTEGER]) {
      expect(Number(encodeCopyRow([value]).slice(0, -1))).toBe(value);
    }
    expect(encodeCopyRow([-0])).toBe('-0\n');
  });

  test('writes booleans as t/f and bigints in full', () => {
    expect(encodeCopyRow([true, false, 9007199254740993n])).toBe('t\tf\t9007199254740993\n');
  });

  test('refuses NaN and infinities', () => {
    expect(() => encodeCopyRow([Number.NaN])).toThrow('cannot load NaN through COPY');
    expect(() => encodeCopyRow([Number.POSITIVE_INFINITY])).toThrow('cannot load Infinity through COPY');
    expect(() => encodeCopyRow([1, Number.NEGATIVE_INFINITY])).toThrow('cannot load -Infinity through COPY');
  });

  test('an empty row is an empty line', () => {
    expect(encodeCopyRow([])).toBe('\n');
  });
});

describe('copyTextChunks', () => {
  async function* batchesOf(rows: CopyValue[][], size: number): AsyncGenerator<CopyValue[][]> {
    for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
  }

  async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
    const all: string[] = [];
    for await (const chunk of chunks) all.push(chunk);
    return all;
  }

  test('yields whole lines in chunks of about the requested size, and everything once', async () => {
    const rows: CopyValue[][] = Array.from({ length: 1000 }, (_, index) => [
      index,
      `name ${index}`,
      index % 3 === 0 ? null : 'x',
    ]);
    const chunks = await collect(copyTextChunks(batchesOf(rows, 37), 1000));
    expect(chunks.join('')).toBe(rows.map(encodeCopyRow).join(''));
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) {
      expect(chunk.endsWith('\n')).toBe(true);
      // A chunk closes at the first line that reaches the size, so it exceeds it by less than a line.
      expect(chunk.length).toBeLessThan(1000 + 30);
    }
  });

  test('yields nothing for no rows, and accepts plain arrays of batches', async () => {
    expect(await collect(copyTextChunks(batchesOf([], 10)))).toEqual([]);
    expect(await collect(copyTextChunks([[['a', 1]], [], [['b', null]]]))).toEqual(['a\t1\nb\t\\N\n']);
  });

  test('a bad value in any batch fails the stream', async () => {
    await expect(collect(copyTextChunks([[['ok', 1]], [['bad', Number.NaN]]]))).rejects.toThrow('cannot load NaN');
  });
});
