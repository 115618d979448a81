/**
 * The event fast path (JSON bytes → COPY row) against the reference: parseEvent, then the loader's
 * own row encoding. Whatever line the fast path takes, it must give the row the reference gives
 * (the same values once the server reads them), and it must never take a line the reference
 * rejects; the reader around it must report exactly what readEvents reports.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventRow } from '../../src/load/local.js';
import { NOT_HANDLED, readEventRows, ROW_SLACK, transcodeEventLine } from '../../src/source/event-rows.js';
import { parseEvent, readEvents } from '../../src/source/events.js';
import type { RejectedRecord } from '../../src/source/types.js';
import { RecordProblem } from '../../src/source/validate.js';
import { STAGING_EVENTS_COLUMNS } from '../../src/sql/tables.js';
import { encodeCopyRow } from '../../src/warehouse/copy-format.js';
import { collecting, folderWith, tempDir } from './fixtures.js';

const REAL_LINE =
  '{"artist":"Des\'ree","auth":"Logged In","firstName":"Kaylee","gender":"F","itemInSession":1,' +
  '"lastName":"Summers","length":246.30812,"level":"free","location":"Phoenix-Mesa-Scottsdale, AZ",' +
  '"method":"PUT","page":"NextSong","registration":1540344794796.0,"sessionId":139,"song":"You Gotta Be",' +
  '"status":200,"ts":1541106106796,' +
  '"userAgent":"\\"Mozilla\\/5.0 (Windows NT 6.1; WOW64) AppleWebKit\\/537.36 (KHTML, like Gecko) ' +
  'Chrome\\/35.0.1916.153 Safari\\/537.36\\"","userId":"8"}';

const LOGGED_OUT_LINE =
  '{"artist":null,"auth":"Logged Out","firstName":null,"gender":null,"itemInSession":0,"lastName":null,' +
  '"length":null,"level":"free","location":null,"method":"PUT","page":"Login","registration":null,' +
  '"sessionId":52,"song":null,"status":307,"ts":1541207073796,"userAgent":null,"userId":""}';

/** Columns the server reads as numbers: compared by value ("1.0" and "1" are the same double). */
const NUMERIC = new Set(['item_in_session', 'length', 'registration', 'session_id', 'status', 'ts']);

/** A COPY text row as the server reads it: one value (or null) per column. */
function copyValues(row: string): Array<string | number | null> {
  expect(row.endsWith('\n')).toBe(true);
  const fields = row.slice(0, -1).split('\t');
  expect(fields).toHaveLength(STAGING_EVENTS_COLUMNS.length);
  return fields.map((field, index) => {
    if (field === '\\N') return null;
    const text = field.replace(/\\(.)/g, (_, character: string) => {
      const control: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
      return control[character] ?? character;
    });
    return NUMERIC.has(STAGING_EVENTS_COLUMNS[index]!) ? Number(text) : text;
  });
}

type Outcome = { row: string } | { reason: string };

function reference(line: string): Outcome {
  try {
    return { row: encodeCopyRow(eventRow(parseEvent(line))) };
  } catch (error) {
    if (error instanceof RecordProblem) return { reason: error.reason };
    throw error;
  }
}

function fast(line: string): string | undefined {
  const bytes = Buffer.from(line);
  const out = Buffer.alloc(bytes.length + ROW_SLACK + 8);
  const end = transcodeEventLine(bytes, 0, bytes.length, out, 4);
  return end === NOT_HANDLED ? undefined : out.toString('utf8', 4, end);
}

/** The fast path takes the line and agrees with the reference, or leaves it alone. */
function agrees(line: string): 'taken' | 'left' {
  const row = fast(line);
  if (row === undefined) return 'left';
  const expected = reference(line);
  expect(expected, `the fast path took a line the reference rejects: ${line}`).toHaveProperty('row');
  expect(copyValues(row)).toEqual(copyValues((expected as { row: string }).row));
  return 'taken';
}

const withField = (key: string, json: string | undefined): string => {
  const record = JSON.parse(REAL_LINE) as Record<string, unknown>;
  if (json === undefined) delete record[key];
  else record[key] = '\u0000placeholder';
  const text = JSON.stringify(record);
  return json === undefined ? text : text.replace('"\\u0000placeholder"', json);
};

describe('transcodeEventLine', () => {
  it('takes the real lines, logged in and logged out, and writes the reference row', () => {
    expect(agrees(REAL_LINE)).toBe('taken');
    expect(agrees(LOGGED_OUT_LINE)).toBe('taken');
    // The same bytes as the server will read them: strings copied with their JSON escapes.
    expect(fast(LOGGED_OUT_LINE)).toBe(
      '\\N\tLogged Out\t\\N\t\\N\t0\t\\N\t\\N\tfree\t\\N\tPUT\tLogin\t\\N\t52\t\\N\t307\t1541207073796\t\\N\t\n',
    );
  });

  const taken: Array<[string, string]> = [
    ['keys in another order', `{"userId":"8","ts":1541106106796,"artist":"A","page":"NextSong"}`],
    ['whitespace around everything', ` { "userId" : "8" ,\t"ts" : 1541106106796 }\r `],
    [
      'keys it does not know, with scalar values',
      withField('extra', '"x"').replace('{', '{"n":-1.5,"t":true,"f":false,"z":null,'),
    ],
    ['JSON escapes that COPY reads the same', withField('song', '"a\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti"')],
    ['raw UTF-8', withField('artist', '"Björk 東京 😀"')],
    ['a backslash-N string (text, not NULL)', withField('song', '"\\\\N"')],
    ['missing optional keys', `{"ts":1541106106796,"userId":""}`],
    [
      'integers at the int32 limits',
      withField('sessionId', '2147483647').replace('"status":200', '"status":-2147483648'),
    ],
    ['minus zero', withField('itemInSession', '-0').replace('"length":246.30812', '"length":-0.0')],
    ['a double written with many digits', withField('length', '12345678901234567890.12345678901234567890')],
    ['ts at both ends of its range', withField('ts', '100000000000')],
    ['ts at the largest', withField('ts', '253402300799999')],
  ];
  it.each(taken)('takes %s', (_name, line) => {
    expect(agrees(line)).toBe('taken');
  });

  const left: Array<[string, string]> = [
    ['a \\u escape', withField('song', '"caf\\u00e9"')],
    ['a NUL escape (the reference rejects it)', withField('song', '"a\\u0000"')],
    ['a lone surrogate (the reference rejects it)', withField('song', '"a\\ud800"')],
    ['an exponent', withField('length', '2.5e2')],
    ['a fraction in an integer column', withField('status', '200.0')],
    ['ts with a fraction', withField('ts', '1541106106796.0')],
    ['ts in seconds', withField('ts', '1541106106')],
    ['ts negative', withField('ts', '-5')],
    ['an int32 overflow', withField('sessionId', '2147483648')],
    ['a number where text belongs', withField('artist', '7')],
    ['a string where a number belongs', withField('length', '"246.3"')],
    ['a boolean in a column', withField('status', 'true')],
    ['a nested value under an unknown key', withField('extra', '{"a":1}')],
    ['a repeated key', REAL_LINE.replace('{', '{"artist":"first",')],
    ['a key with an escape', REAL_LINE.replace('"artist"', '"art\\u0069st"')],
    ['userId missing', withField('userId', undefined)],
    ['userId null', withField('userId', 'null')],
    ['ts null', withField('ts', 'null')],
    ['a raw tab in a string', withField('song', '"a\tb"')],
    ['a leading zero', withField('status', '0200')],
    ['a trailing comma', REAL_LINE.replace(/}$/, ',}')],
    ['text after the object', `${REAL_LINE} x`],
    ['an array', '[1,2]'],
    ['a cut line', REAL_LINE.slice(0, 100)],
    ['an unknown escape', withField('song', '"a\\qb"')],
    ['a double with too many digits to pass as they are', withField('length', `0.${'0'.repeat(30)}1`)],
  ];
  it.each(left)('leaves %s to parseEvent', (_name, line) => {
    expect(agrees(line)).toBe('left');
  });

  it('agrees with the reference on thousands of damaged lines (seeded)', () => {
    let seed = 12345;
    const random = (below: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % below;
    };
    const alphabet = ['"', '\\', ',', ':', '{', '}', '[', '0', '1', '9', '-', '.', 'e', 'n', 'u', ' ', '\t', 'a', 'é'];
    let takenCount = 0;
    for (let round = 0; round < 5000; round++) {
      // Lines with a space after each comma go the general (any order, any spacing) way.
      const base = round % 2 === 0 ? REAL_LINE : LOGGED_OUT_LINE;
      let line = round % 4 >= 2 ? base.replaceAll(',"', ', "') : base;
      const edits = 1 + random(3);
      for (let edit = 0; edit < edits; edit++) {
        const at = random(line.length);
        const choice = random(3);
        const piece = alphabet[random(alphabet.length)]!;
        if (choice === 0) line = line.slice(0, at) + piece + line.slice(at);
        else if (choice === 1) line = line.slice(0, at) + line.slice(at + 1);
        else line = line.slice(0, at) + piece + line.slice(at + 1);
      }
      if (agrees(line) === 'taken') takenCount++;
    }
    // Many damaged lines are still valid (a changed letter in a value), and the fast path takes those.
    expect(takenCount).toBeGreaterThan(1000);
  });
});

describe('readEventRows', () => {
  const encodeRow = (event: Parameters<typeof eventRow>[0]): string => encodeCopyRow(eventRow(event));

  async function both(dir: string) {
    const slow = collecting();
    const slowRows: string[] = [];
    for await (const batch of readEvents(dir, slow.options)) for (const event of batch) slowRows.push(encodeRow(event));
    const quick = collecting();
    const { batches, result } = await drainText(readEventRows(dir, { ...quick.options, encodeRow }));
    return { slowRows, slowRejected: slow.rejected, text: batches.join(''), rejected: quick.rejected, result };
  }

  async function drainText<R>(generator: AsyncGenerator<Buffer, R, undefined>) {
    const batches: string[] = [];
    for (;;) {
      const step = await generator.next();
      if (step.done) return { batches, result: step.value };
      batches.push(step.value.toString('utf8'));
    }
  }

  it('writes every row in file and line order, left lines in their place, and rejects as readEvents does', async () => {
    const dir = await folderWith({
      'b/2018-11-02-events.json': `${LOGGED_OUT_LINE}\n${withField('song', '"caf\\u00e9"')}\nnot json\n`,
      'a/2018-11-01-events.json': `\uFEFF${REAL_LINE}\r\n\r\n${withField('ts', '1541106106')}\r\n${REAL_LINE}`,
      'c.json': Buffer.concat([Buffer.from(`${REAL_LINE}\n`), Buffer.from([0x7b, 0xff, 0x0a]), Buffer.from(REAL_LINE)]),
    });
    const { slowRows, slowRejected, text, rejected, result } = await both(dir);
    const rows = text.split(/(?<=\n)/);
    expect(rows.map(copyValues)).toEqual(slowRows.map(copyValues));
    expect(rejected).toEqual(slowRejected);
    expect(rejected).toEqual([
      { file: 'a/2018-11-01-events.json', line: 3, reason: 'ts 1541106106 looks like seconds, expected milliseconds' },
      { file: 'b/2018-11-02-events.json', line: 3, reason: "invalid JSON: Unexpected token 'o'" },
      { file: 'c.json', line: 2, reason: 'invalid UTF-8 (at byte 2 of the line)' },
    ] satisfies RejectedRecord[]);
    expect(result).toMatchObject({ files: 3, records: 6, rejected: 3 });
  });

  it('gives whole rows in pieces when files are larger than one read', async () => {
    const lines = Array.from({ length: 15000 }, (_, index) =>
      index % 7 === 3 ? withField('song', `"caf\\u00e9 ${index}"`) : withField('itemInSession', String(index)),
    );
    const dir = await folderWith({ 'big.json': `${lines.join('\n')}\n`, 'small.json': LOGGED_OUT_LINE });
    const quick = collecting();
    const { batches, result } = await drainText(readEventRows(dir, { ...quick.options, encodeRow }));
    expect(batches.length).toBeGreaterThan(3);
    for (const batch of batches) expect(batch.endsWith('\n')).toBe(true);
    const rows = batches.join('').split(/(?<=\n)/);
    expect(rows).toHaveLength(15001);
    expect(rows.map(copyValues)).toEqual(
      [...lines, LOGGED_OUT_LINE].map((line) => copyValues(encodeRow(parseEvent(line)))),
    );
    expect(result).toMatchObject({ files: 2, records: 15001, rejected: 0 });
  });

  it('gives pieces of the size asked for, each a buffer of its own (the embedded COPY moves them whole)', async () => {
    const lines = Array.from({ length: 3000 }, (_, index) => withField('itemInSession', String(index)));
    const dir = await folderWith({ 'big.json': `${lines.join('\n')}\n` });
    const pieces: Buffer[] = [];
    for await (const piece of readEventRows(dir, { ...collecting().options, encodeRow, pieceBytes: 8192 })) {
      pieces.push(piece);
    }
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces.slice(0, -1)) expect(piece.byteLength).toBeGreaterThanOrEqual(8192);
    for (const piece of pieces) {
      expect([piece.byteOffset, piece.byteLength]).toEqual([0, piece.buffer.byteLength]);
      expect(piece.at(-1)).toBe(0x0a);
    }
    expect(Buffer.concat(pieces).toString('utf8').split('\n')).toHaveLength(3001);
  });

  it('rejects a line over the limit, by file and line', async () => {
    const dir = await folderWith({ 'a.json': `${REAL_LINE}\n{"artist":"${'x'.repeat(2000)}"}\n${REAL_LINE}\n` });
    const { slowRejected, rejected, result } = await both(dir);
    expect(rejected).toEqual([{ file: 'a.json', line: 2, reason: 'ts is missing' }]);
    expect(rejected).toEqual(slowRejected);
    const limited = collecting({ maxLineBytes: 1024 });
    await drainText(readEventRows(dir, { ...limited.options, encodeRow }));
    expect(limited.rejected).toEqual([{ file: 'a.json', line: 2, reason: 'line is 2013 bytes, over the 1 KiB limit' }]);
    expect(result.records).toBe(2);
  });

  it('names the setting and folder when it does not exist, and stops when aborted', async () => {
    const { options } = collecting();
    const missing = await drainText(readEventRows(join(await tempDir(), 'missing'), { ...options, encodeRow })).catch(
      (error: unknown) => error,
    );
    expect((missing as Error).message).toBe('[LOCAL] LOG_DATA: folder ./logs does not exist');
    const dir = await tempDir();
    await writeFile(join(dir, 'a.json'), `${REAL_LINE}\n`);
    const controller = new AbortController();
    controller.abort();
    const aborted = await drainText(readEventRows(dir, { ...options, encodeRow, signal: controller.signal })).catch(
      (error: unknown) => error,
    );
    expect((aborted as Error).name).toBe('AbortError');
  });
});
