import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { readSongs } from '../../src/source/songs.js';
import type { SongRecord } from '../../src/source/types.js';
import { collecting, drain, folderWith, tempDir } from './fixtures.js';

// The sample file of docs/data.md (Source data): Python json.dumps style, no trailing newline.
const REAL_FILE =
  '{"num_songs": 1, "artist_id": "ARD7TVE1187B99BFB1", "artist_latitude": null, "artist_longitude": ' +
  'null, "artist_location": "California - LA", ' +
  '"artist_name": "Casual", "song_id": "SOMZWCG12A8C13C480", "title": "I Didn\'t Mean To", "duration": ' +
  '218.93179, "year": 0}';

const REAL_SONG: SongRecord = {
  numSongs: 1,
  artistId: 'ARD7TVE1187B99BFB1',
  artistLatitude: null,
  artistLongitude: null,
  artistLocation: 'California - LA',
  artistName: 'Casual',
  songId: 'SOMZWCG12A8C13C480',
  title: "I Didn't Mean To",
  duration: 218.93179,
  year: 0,
};

const OTHER_FILE =
  '{"num_songs": 1, "artist_id": "ARMJAGH1187FB546F3", "artist_latitude": 35.14968, "artist_longitude": ' +
  '-90.04892, "artist_location": "Memphis, TN", ' +
  '"artist_name": "The Box Tops", "song_id": "SOCIWDW12A8C13D406", "title": "Soul Deep", "duration": ' +
  '148.03546, "year": 1969}';

const OTHER_SONG: SongRecord = {
  numSongs: 1,
  artistId: 'ARMJAGH1187FB546F3',
  artistLatitude: 35.14968,
  artistLongitude: -90.04892,
  artistLocation: 'Memphis, TN',
  artistName: 'The Box Tops',
  songId: 'SOCIWDW12A8C13D406',
  title: 'Soul Deep',
  duration: 148.03546,
  year: 1969,
};

function songOptions(extra: { batchSize?: number; maxLineBytes?: number } = {}) {
  const collected = collecting(extra);
  return {
    rejected: collected.rejected,
    options: { ...collected.options, label: '[LOCAL] SONG_DATA', displayDir: './songs' },
  };
}

/** OTHER_FILE with one field's JSON text replaced (or removed when undefined). */
function withField(key: string, json: string | undefined): string {
  const value = JSON.parse(OTHER_FILE) as Record<string, unknown>;
  const rest = JSON.stringify(Object.fromEntries(Object.entries(value).filter(([name]) => name !== key)));
  return json === undefined ? rest : `${rest.slice(0, -1)},"${key}":${json}}`;
}

describe('readSongs on real-format files', () => {
  it('reads one object per file into exact records, in path order, hidden folders included', async () => {
    const dir = await folderWith({
      'A/B/C/TRABCXX128F4286A2B.json': REAL_FILE,
      '.hidden/A/TRAAAAW128F429D538.json': OTHER_FILE,
    });
    const { rejected, options } = songOptions();
    const { records, result } = await drain(readSongs(dir, options));
    expect(rejected).toEqual([]);
    expect(records).toEqual([OTHER_SONG, REAL_SONG]);
    expect(result).toEqual({ files: 2, records: 2, rejected: 0, bytes: REAL_FILE.length + OTHER_FILE.length });
  });

  it('accepts a trailing newline, CRLF, a byte order mark and a pretty-printed object', async () => {
    const pretty = JSON.stringify(JSON.parse(OTHER_FILE), null, 2).replaceAll('\n', '\r\n');
    const dir = await folderWith({ 'a.json': `${REAL_FILE}\r\n`, 'b.json': pretty, 'c.json': `\uFEFF${REAL_FILE}` });
    const { rejected, options } = songOptions();
    const { records } = await drain(readSongs(dir, options));
    expect(rejected).toEqual([]);
    expect(records).toEqual([REAL_SONG, OTHER_SONG, REAL_SONG]);
  });

  it('reads several objects in one file as JSON lines, rejecting only the bad line', async () => {
    const dir = await folderWith({ 'many.json': `${REAL_FILE}\n{"song_id": "SOX"}\n\n${OTHER_FILE}` });
    const { rejected, options } = songOptions();
    const { records } = await drain(readSongs(dir, options));
    expect(records).toEqual([REAL_SONG, OTHER_SONG]);
    expect(rejected).toEqual([{ file: 'many.json', line: 2, reason: 'artist_id is missing' }]);
  });

  it('yields batches of batchSize', async () => {
    const files: Record<string, string> = {};
    for (let index = 0; index < 5; index++) files[`s${index}.json`] = REAL_FILE;
    const { options } = songOptions({ batchSize: 2 });
    const { batches } = await drain(readSongs(await folderWith(files), options));
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
  });
});

describe('readSongs rejections', () => {
  const cases: Array<[string, string | Buffer, string]> = [
    ['song_id missing', withField('song_id', undefined), 'song_id is missing'],
    ['song_id null', withField('song_id', 'null'), 'song_id is missing'],
    ['song_id empty', withField('song_id', '""'), 'song_id is empty'],
    ['song_id a number', withField('song_id', '12'), 'song_id must be a string, got number'],
    ['artist_id missing', withField('artist_id', undefined), 'artist_id is missing'],
    ['year as text', withField('year', '"1969"'), 'year must be an integer, got string'],
    ['year fractional', withField('year', '1969.5'), 'year must be an integer, got 1969.5'],
    ['num_songs as boolean', withField('num_songs', 'false'), 'num_songs must be an integer, got boolean'],
    ['duration as text', withField('duration', '"148"'), 'duration must be a number, got string'],
    ['latitude as array', withField('artist_latitude', '[35]'), 'artist_latitude must be a number, got array'],
    ['title as number', withField('title', '1'), 'title must be a string, got number'],
    ['artist_name as object', withField('artist_name', '{}'), 'artist_name must be a string, got object'],
    ['an array', '[1, 2]', 'not a JSON object (got array)'],
    ['a string', '"song"', 'not a JSON object (got string)'],
    ['truncated', REAL_FILE.slice(0, 40), 'invalid JSON: Unterminated string in JSON at position 40'],
    ['empty file', '', 'empty file'],
    ['whitespace only', ' \r\n\n ', 'empty file'],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('{"title": "'), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from('"}')]),
      'invalid UTF-8 (at byte 12 of the line)',
    ],
    [
      'binary data',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]),
      'binary data (a NUL byte at column 5), not JSON text',
    ],
    ['deeply nested', '['.repeat(100_000), 'invalid JSON: Unexpected end of JSON input'],
    [
      'NUL character in a string',
      withField('title', '"a\\u0000"'),
      'title contains a NUL character (\\u0000), which the warehouse cannot store',
    ],
    [
      'lone surrogate in a string',
      withField('title', '"a\\ud800"'),
      'title contains a lone surrogate (\\ud800), half a character, which cannot be stored',
    ],
    [
      'lone surrogate in an id',
      withField('artist_id', '"AR\\udc00"'),
      'artist_id contains a lone surrogate (\\udc00), half a character, which cannot be stored',
    ],
  ];

  it.each(cases)('%s', async (_name, content, reason) => {
    const dir = await folderWith({
      'A/A/TRAAA.json': OTHER_FILE,
      'A/B/TRABB.json': content,
      'A/C/TRACC.json': REAL_FILE,
    });
    const { rejected, options } = songOptions();
    const { records, result } = await drain(readSongs(dir, options));
    expect(rejected).toEqual([{ file: 'A/B/TRABB.json', line: 1, reason }]);
    expect(records).toEqual([OTHER_SONG, REAL_SONG]);
    expect(result).toMatchObject({ files: 3, records: 2, rejected: 1 });
  });

  it('rejects a file over the limit without reading it', async () => {
    const dir = await folderWith({ 'big.json': OTHER_FILE, 'ok.json': '{"song_id":"S","artist_id":"A"}' });
    const { rejected, options } = songOptions({ maxLineBytes: 100 });
    const { records } = await drain(readSongs(dir, options));
    expect(rejected).toEqual([
      {
        file: 'big.json',
        line: 1,
        reason: `file is ${OTHER_FILE.length} bytes, over the 100-byte limit for one record`,
      },
    ]);
    expect(records).toEqual([
      {
        numSongs: null,
        artistId: 'A',
        artistLatitude: null,
        artistLongitude: null,
        artistLocation: null,
        artistName: null,
        songId: 'S',
        title: null,
        duration: null,
        year: null,
      },
    ]);
  });

  it('reports the line of a one-line file after leading blank lines', async () => {
    const dir = await folderWith({ 'a.json': '\n\n[1]' });
    const { rejected, options } = songOptions();
    await drain(readSongs(dir, options));
    expect(rejected).toEqual([{ file: 'a.json', line: 3, reason: 'not a JSON object (got array)' }]);
  });
});

describe('readSongs folder problems', () => {
  it('names the setting and folder when it does not exist', async () => {
    const { options } = songOptions();
    const error = await drain(readSongs(`${await tempDir()}/song_data`, options)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('[LOCAL] SONG_DATA: folder ./songs does not exist');
  });

  it('says an empty folder is empty', async () => {
    const { options } = songOptions();
    const error = await drain(readSongs(await tempDir(), options)).catch((e: unknown) => e);
    expect((error as UserError).message).toContain('[LOCAL] SONG_DATA: folder ./songs is empty');
  });
});
