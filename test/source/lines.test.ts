import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineSplitter, readLineBatches, readLines, type LineItem } from '../../src/source/lines.js';
import { tempDir } from './fixtures.js';

async function fileWith(content: string | Buffer): Promise<string> {
  const path = join(await tempDir(), 'log.json');
  await writeFile(path, content);
  return path;
}

async function all(path: string, options: Parameters<typeof readLines>[1] = {}): Promise<LineItem[]> {
  const items: LineItem[] = [];
  for await (const item of readLines(path, options)) items.push(item);
  return items;
}

const line = (n: number, text: string): LineItem => ({ kind: 'line', line: n, text });
const reject = (n: number, reason: string): LineItem => ({ kind: 'reject', line: n, reason });

describe('readLines', () => {
  it('splits LF and CRLF lines, keeps numbering over blank lines, reads a last line without newline', async () => {
    const path = await fileWith('{"a":1}\r\n\r\n  \n{"b":"é"}\n{"c":3}');
    expect(await all(path)).toEqual([line(1, '{"a":1}'), line(4, '{"b":"é"}'), line(5, '{"c":3}')]);
  });

  it('gives the same lines whatever the read size (lines and characters cut across reads)', async () => {
    const text = '{"x":"ü€😀"}\r\n\n{"y":2}\n' + 'z'.repeat(50) + '\r\n{"last":true}';
    const path = await fileWith(text);
    const expected = await all(path);
    expect(expected).toEqual([
      line(1, '{"x":"ü€😀"}'),
      line(3, '{"y":2}'),
      line(4, 'z'.repeat(50)),
      line(5, '{"last":true}'),
    ]);
    for (const readBytes of [1, 2, 3, 5, 7, 16, 64]) expect(await all(path, { readBytes })).toEqual(expected);
  });

  it('rejects a line over the limit without keeping it, and reads the lines around it', async () => {
    const long = 'x'.repeat(5_000);
    const path = await fileWith(`{"a":1}\n${long}\r\n{"b":2}\n${'y'.repeat(101)}`);
    for (const readBytes of [1, 7, 64, 5001, 5002, 1024 * 1024]) {
      expect(await all(path, { maxLineBytes: 100, readBytes })).toEqual([
        line(1, '{"a":1}'),
        reject(2, 'line is 5000 bytes, over the 100-byte limit'),
        line(3, '{"b":2}'),
        reject(4, 'line is 101 bytes, over the 100-byte limit'),
      ]);
    }
  });

  it('accepts a line exactly at the limit, also when it ends in CRLF', async () => {
    const path = await fileWith(`${'a'.repeat(10)}\r\n${'b'.repeat(10)}`);
    expect(await all(path, { maxLineBytes: 10, readBytes: 4 })).toEqual([
      line(1, 'a'.repeat(10)),
      line(2, 'b'.repeat(10)),
    ]);
  });

  it('counts multi-byte characters in bytes for the limit', async () => {
    const path = await fileWith(`${'é'.repeat(6)}\n${'é'.repeat(5)}\n`); // 12 bytes, 10 bytes
    expect(await all(path, { maxLineBytes: 10 })).toEqual([
      reject(1, 'line is 12 bytes, over the 10-byte limit'),
      line(2, 'é'.repeat(5)),
    ]);
  });

  it('rejects invalid UTF-8 and NUL bytes line by line', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"ok":1}\n{"bad":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}\n{"nul":"a'),
      Buffer.from([0x00]),
      Buffer.from('"}\n{"ok":2}\n'),
    ]);
    const path = await fileWith(bytes);
    const expected = [
      line(1, '{"ok":1}'),
      reject(2, 'invalid UTF-8 (at byte 9 of the line)'),
      reject(3, 'binary data (a NUL byte at column 10), not JSON text'),
      line(4, '{"ok":2}'),
    ];
    expect(await all(path)).toEqual(expected);
    expect(await all(path, { readBytes: 3 })).toEqual(expected);
  });

  it('drops a UTF-8 byte order mark at the start of the file', async () => {
    const path = await fileWith('\uFEFF{"a":1}\n');
    expect(await all(path)).toEqual([line(1, '{"a":1}')]);
  });

  it('yields batches, one per read, and nothing for an empty file', async () => {
    const path = await fileWith('1\n2\n3\n4\n');
    const batches: LineItem[][] = [];
    for await (const batch of readLineBatches(path, { readBytes: 4 })) batches.push(batch);
    expect(batches).toEqual([
      [line(1, '1'), line(2, '2')],
      [line(3, '3'), line(4, '4')],
    ]);
    expect(await all(await fileWith(''))).toEqual([]);
  });

  it('stops with an AbortError when the signal fires', async () => {
    const path = await fileWith('1\n'.repeat(1000));
    const controller = new AbortController();
    controller.abort();
    await expect(all(path, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('LineSplitter', () => {
  it('gives the same items for every way of cutting the input in two', () => {
    const input = Buffer.from('{"a":"ä"}\r\n\n' + 'q'.repeat(12) + '\nlast');
    const whole = new LineSplitter(10);
    const expected = [...whole.push(input), ...whole.end()];
    expect(expected).toEqual([
      line(1, '{"a":"ä"}'),
      reject(3, 'line is 12 bytes, over the 10-byte limit'),
      line(4, 'last'),
    ]);
    for (let cut = 0; cut <= input.length; cut++) {
      const splitter = new LineSplitter(10);
      const items = [
        ...splitter.push(input.subarray(0, cut)),
        ...splitter.push(input.subarray(cut)),
        ...splitter.end(),
      ];
      expect(items, `cut at ${cut}`).toEqual(expected);
    }
  });

  it('keeps memory bounded on a huge line: nothing of it is carried once it is too long', () => {
    const splitter = new LineSplitter(1024);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let index = 0; index < 300; index++) expect(splitter.push(chunk)).toEqual([]); // ~19 MiB, no newline
    expect((splitter as unknown as { carry: Buffer | undefined }).carry).toBeUndefined();
    expect(splitter.push(Buffer.from('\n{"after":1}\n'))).toEqual([
      reject(1, 'line is 19660800 bytes, over the 1 KiB limit'),
      line(2, '{"after":1}'),
    ]);
  });
});
