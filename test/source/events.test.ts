import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { parseEvent, readEvents } from '../../src/source/events.js';
import { emptyStats } from '../../src/source/options.js';
import type { EventRecord } from '../../src/source/types.js';
import { collecting, drain, folderWith, tempDir } from './fixtures.js';

// The sample line of docs/data.md (Source data), with the user agent as the real logs write it (escaped slashes).
const REAL_LINE =
  '{"artist":"Des\'ree","auth":"Logged ' +
  'In","firstName":"Kaylee","gender":"F","itemInSession":1,"lastName":"Summers","length":246.30812,' +
  '"level":"free","location":"Phoenix-Mesa-Scottsdale, ' +
  'AZ","method":"PUT","page":"NextSong","registration":1540344794796.0,"sessionId":139,' +
  '"song":"You Gotta Be","status":200,"ts":1541106106796,"userAgent":"\\"Mozilla\\/5.0 (Windows NT 6.1; ' +
  'WOW64) AppleWebKit\\/537.36 (KHTML, like Gecko) Chrome\\/35.0.1916.153 Safari\\/537.36\\"","userId":"8"}';

const REAL_RECORD: EventRecord = {
  artist: "Des'ree",
  auth: 'Logged In',
  firstName: 'Kaylee',
  gender: 'F',
  itemInSession: 1,
  lastName: 'Summers',
  length: 246.30812,
  level: 'free',
  location: 'Phoenix-Mesa-Scottsdale, AZ',
  method: 'PUT',
  page: 'NextSong',
  registration: 1540344794796,
  sessionId: 139,
  song: 'You Gotta Be',
  status: 200,
  ts: 1541106106796,
  userAgent:
    '"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/35.0.1916.153 Safari/537.36"',
  userId: '8',
};

const LOGGED_OUT_LINE =
  '{"artist":null,"auth":"Logged Out","firstName":null,"gender":null,"itemInSession":0,"lastName":null,' +
  '"length":null,"level":"free","location":null,"method":"PUT","page":"Login","registration":null,' +
  '"sessionId":52,"song":null,"status":307,"ts":1541207073796,"userAgent":null,"userId":""}';

const LOGGED_OUT_RECORD: EventRecord = {
  artist: null,
  auth: 'Logged Out',
  firstName: null,
  gender: null,
  itemInSession: 0,
  lastName: null,
  length: null,
  level: 'free',
  location: null,
  method: 'PUT',
  page: 'Login',
  registration: null,
  sessionId: 52,
  song: null,
  status: 307,
  ts: 1541207073796,
  userAgent: null,
  userId: '',
};

/** REAL_LINE with one field replaced by raw JSON text (or removed when `json` is undefined). */
function withField(key: string, json: string | undefined): string {
  const value = JSON.parse(REAL_LINE) as Record<string, unknown>;
  const rest = Object.fromEntries(Object.entries(value).filter(([name]) => name !== key));
  const base = JSON.stringify(rest);
  return json === undefined ? base : `${base.slice(0, -1)},"${key}":${json}}`;
}

describe('readEvents on real-format logs', () => {
  it('reads every line into exact records, files in path order, hidden folders included', async () => {
    const dir = await folderWith({
      '2018/11/2018-11-02-events.json': `${LOGGED_OUT_LINE}\n`,
      '2018/11/2018-11-01-events.json': `${REAL_LINE}\n${LOGGED_OUT_LINE}\n`,
      '.hidden/2018-11-03-events.json': REAL_LINE.replace('"userId":"8"', '"userId":"9"'),
    });
    const { rejected, options } = collecting();
    const { records, result } = await drain(readEvents(dir, options));
    expect(rejected).toEqual([]);
    expect(records).toEqual([{ ...REAL_RECORD, userId: '9' }, REAL_RECORD, LOGGED_OUT_RECORD, LOGGED_OUT_RECORD]);
    expect(result).toEqual({
      files: 3,
      records: 4,
      rejected: 0,
      bytes: REAL_LINE.length * 2 + LOGGED_OUT_LINE.length * 2 + 3,
    });
  });

  it('reads CRLF files and a last line without a newline', async () => {
    const dir = await folderWith({ 'a.json': `${REAL_LINE}\r\n\r\n${LOGGED_OUT_LINE}` });
    const { rejected, options } = collecting();
    const { records } = await drain(readEvents(dir, options));
    expect(rejected).toEqual([]);
    expect(records).toEqual([REAL_RECORD, LOGGED_OUT_RECORD]);
  });

  it('ignores keys it does not know and reads missing optional keys as null', async () => {
    expect(parseEvent(withField('extra', '{"nested":[1,2]}'))).toEqual(REAL_RECORD);
    expect(parseEvent(withField('artist', undefined))).toEqual({ ...REAL_RECORD, artist: null });
  });

  it('yields batches of batchSize records and keeps live stats in the given object', async () => {
    const dir = await folderWith({
      'a.json': `${REAL_LINE}\n`.repeat(3),
      'b.json': `${REAL_LINE}\nnot json\n${REAL_LINE}\n`,
    });
    const stats = emptyStats();
    const { rejected, options } = collecting({ batchSize: 2 });
    const generator = readEvents(dir, { ...options, stats });
    const first = await generator.next();
    expect(first.value).toHaveLength(2);
    expect(stats.records).toBe(2);
    const rest = await drain(generator);
    expect(rest.batches.map((batch) => batch.length)).toEqual([2, 1]);
    expect(rest.result).toEqual({ files: 2, records: 5, rejected: 1, bytes: (REAL_LINE.length + 1) * 5 + 9 });
    expect(stats).toEqual(rest.result);
    expect(rejected).toEqual([{ file: 'b.json', line: 2, reason: "invalid JSON: Unexpected token 'o'" }]);
  });
});

describe('readEvents rejections: file, line and a reason naming the problem', () => {
  const cases: Array<[string, string, string]> = [
    ['line cut after a key', REAL_LINE.slice(0, 120), 'invalid JSON: Unexpected end of JSON input'],
    ['line cut inside a string', REAL_LINE.slice(0, 57), 'invalid JSON: Unterminated string in JSON at position 57'],
    [
      'line cut before the closing brace',
      REAL_LINE.slice(0, -1),
      `invalid JSON: Expected ',' or '}' after property value in JSON at position ${REAL_LINE.length - 1}`,
    ],
    ['text that is not JSON', 'hello', "invalid JSON: Unexpected token 'h'"],
    ['valid JSON array', '[1,2,3]', 'not a JSON object (got array)'],
    ['valid JSON number', '42', 'not a JSON object (got number)'],
    ['JSON null', 'null', 'not a JSON object (got null)'],
    ['deeply nested, unterminated', '['.repeat(100_000), 'invalid JSON: Unexpected end of JSON input'],
    ['deeply nested, complete', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'not a JSON object (got array)'],
    ['itemInSession as text', withField('itemInSession', '"1"'), 'itemInSession must be an integer, got string'],
    ['itemInSession fractional', withField('itemInSession', '1.5'), 'itemInSession must be an integer, got 1.5'],
    [
      'sessionId too large',
      withField('sessionId', '3000000000'),
      'sessionId 3000000000 is out of range for an integer column',
    ],
    ['status as boolean', withField('status', 'true'), 'status must be an integer, got boolean'],
    ['length as text', withField('length', '"246.3"'), 'length must be a number, got string'],
    ['length infinite', withField('length', '1e400'), 'length must be a finite number, got Infinity'],
    ['registration as object', withField('registration', '{}'), 'registration must be a number, got object'],
    ['artist as number', withField('artist', '7'), 'artist must be a string, got number'],
    ['page as array', withField('page', '["NextSong"]'), 'page must be a string, got array'],
    ['userId as number', withField('userId', '8'), 'userId must be a string, got number'],
    ['userId missing', withField('userId', undefined), 'userId is missing (logged-out visitors have "")'],
    ['ts missing', withField('ts', undefined), 'ts is missing'],
    ['ts null', withField('ts', 'null'), 'ts is missing'],
    ['ts as text', withField('ts', '"1541106106796"'), 'ts must be an integer (epoch milliseconds), got string'],
    [
      'ts fractional',
      withField('ts', '1541106106796.5'),
      'ts must be an integer (epoch milliseconds), got 1541106106796.5',
    ],
    ['ts in seconds', withField('ts', '1541106106'), 'ts 1541106106 looks like seconds, expected milliseconds'],
    [
      'ts in microseconds',
      withField('ts', '1541106106796000'),
      'ts 1541106106796000 looks like microseconds, expected milliseconds',
    ],
    ['ts negative', withField('ts', '-5'), 'ts -5 is negative, expected epoch milliseconds'],
    [
      'NUL character in a string',
      withField('song', '"a\\u0000b"'),
      'song contains a NUL character (\\u0000), which the warehouse cannot store',
    ],
    [
      'lone high surrogate in a string',
      withField('song', '"a\\ud800b"'),
      'song contains a lone surrogate (\\ud800), half a character, which cannot be stored',
    ],
    [
      'lone low surrogate in a string',
      withField('artist', '"\\uDC00"'),
      'artist contains a lone surrogate (\\udc00), half a character, which cannot be stored',
    ],
    [
      'surrogates in the wrong order',
      withField('userId', '"\\udfb5\\ud83c"'),
      'userId contains a lone surrogate (\\udfb5), half a character, which cannot be stored',
    ],
  ];

  it.each(cases)('%s', async (_name, badLine, reason) => {
    const dir = await folderWith({ 'nested/2018-11-01-events.json': `${REAL_LINE}\n${badLine}\n${LOGGED_OUT_LINE}\n` });
    const { rejected, options } = collecting();
    const { records, result } = await drain(readEvents(dir, options));
    expect(rejected).toEqual([{ file: 'nested/2018-11-01-events.json', line: 2, reason }]);
    expect(records).toEqual([REAL_RECORD, LOGGED_OUT_RECORD]);
    expect(result.rejected).toBe(1);
  });

  it('accepts an escaped backslash before u0000 (not a NUL character)', () => {
    expect(parseEvent(withField('song', '"a\\\\u0000b"')).song).toBe('a\\u0000b');
  });

  it('accepts a surrogate pair (one character, escaped) and an escaped backslash before ud800', () => {
    expect(parseEvent(withField('song', '"Notes \\ud83c\\udfb5"')).song).toBe('Notes 🎵');
    expect(parseEvent(withField('song', '"a\\\\ud800b"')).song).toBe('a\\ud800b');
  });

  it('rejects lines over the limit, invalid UTF-8 and binary data, and keeps reading', async () => {
    const dir = await folderWith({
      'a.json': Buffer.concat([
        Buffer.from(`${REAL_LINE}\n{"artist":"${'x'.repeat(2000)}"}\n`),
        Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]),
        Buffer.from([0x00, 0x01, 0x02, 0x0a]),
        Buffer.from(`${LOGGED_OUT_LINE}\n`),
      ]),
    });
    const { rejected, options } = collecting({ maxLineBytes: 1024 });
    const { records } = await drain(readEvents(dir, options));
    expect(rejected).toEqual([
      { file: 'a.json', line: 2, reason: 'line is 2013 bytes, over the 1 KiB limit' },
      { file: 'a.json', line: 3, reason: 'invalid UTF-8 (at byte 2 of the line)' },
      { file: 'a.json', line: 4, reason: 'binary data (a NUL byte at column 1), not JSON text' },
    ]);
    expect(records).toEqual([REAL_RECORD, LOGGED_OUT_RECORD]);
  });
});

describe('readEvents folder problems', () => {
  it('names the setting and folder when it does not exist', async () => {
    const { options } = collecting();
    const error = await drain(readEvents(`${await tempDir()}/missing`, options)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('[LOCAL] LOG_DATA: folder ./logs does not exist');
  });

  it('says an empty folder is empty and suggests generating data', async () => {
    const { options } = collecting();
    const error = await drain(readEvents(await tempDir(), options)).catch((e: unknown) => e);
    expect((error as UserError).message).toMatch(
      /^\[LOCAL\] LOG_DATA: folder \.\/logs is empty; .*sparkify-dwh generate --out <dir>/,
    );
  });

  it('stops with an AbortError when the signal is aborted', async () => {
    const dir = await folderWith({ 'a.json': `${REAL_LINE}\n` });
    const controller = new AbortController();
    controller.abort();
    const { options } = collecting();
    await expect(drain(readEvents(dir, { ...options, signal: controller.signal }))).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
