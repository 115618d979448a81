import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { readEvents } from '../../src/source/events.js';
import { generateDataset, type GeneratedDataset } from '../../src/source/generate.js';
import { readSongs } from '../../src/source/songs.js';
import type { EventRecord, RejectedRecord, SongRecord } from '../../src/source/types.js';
import { drain, tempDir } from './fixtures.js';

const SONGS = 400;
const EVENTS = 30_000;
const SEED = 11;

/** Every file under `dir` as relative path → bytes, sorted by path. */
async function tree(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
  files.sort();
  const result = new Map<string, Buffer>();
  for (const file of files) result.set(file, await readFile(join(dir, file)));
  return result;
}

function hashTree(files: Map<string, Buffer>, prefix = ''): string {
  const hash = createHash('sha256');
  for (const [path, bytes] of files) {
    if (!path.startsWith(prefix)) continue;
    hash.update(path).update('\0').update(bytes).update('\0');
  }
  return hash.digest('hex');
}

async function generateInto(options: {
  songs: number;
  events: number;
  seed: number;
}): Promise<{ dir: string; result: GeneratedDataset; progress: number[] }> {
  const dir = await tempDir();
  const progress: number[] = [];
  const result = await generateDataset({ out: dir, ...options, onProgress: (written) => progress.push(written) });
  return { dir, result, progress };
}

async function readAll(
  dir: string,
): Promise<{ songs: SongRecord[]; events: EventRecord[]; rejected: RejectedRecord[] }> {
  const rejected: RejectedRecord[] = [];
  const options = { label: '[LOCAL] X', displayDir: dir, onReject: (r: RejectedRecord) => rejected.push(r) };
  const songs = (await drain(readSongs(join(dir, 'song_data'), options))).records;
  const events = (await drain(readEvents(join(dir, 'log_data'), options))).records;
  return { songs, events, rejected };
}

const LOG_KEYS = [
  'artist',
  'auth',
  'firstName',
  'gender',
  'itemInSession',
  'lastName',
  'length',
  'level',
  'location',
  'method',
  'page',
  'registration',
  'sessionId',
  'song',
  'status',
  'ts',
  'userAgent',
  'userId',
];
const SONG_FILE_SHAPE =
  /^\{"num_songs": 1, "artist_id": "AR[0-9A-Z]{16}", "artist_latitude": (null|-?\d+\.\d+), "artist_longitude": (null|-?\d+\.\d+), "artist_location": "[^"]*", "artist_name": "[^"]+", "song_id": "SO[A-Z]{5}[0-9A-F]{11}", "title": "[^"]+", "duration": \d+\.\d+, "year": \d+\}$/;

describe('generateDataset', () => {
  let first: Awaited<ReturnType<typeof generateInto>>;
  let files: Map<string, Buffer>;
  let data: Awaited<ReturnType<typeof readAll>>;

  beforeAll(async () => {
    first = await generateInto({ songs: SONGS, events: EVENTS, seed: SEED });
    files = await tree(first.dir);
    data = await readAll(first.dir);
  });

  it('reports what it wrote, and progress up to the total', () => {
    expect(first.result).toMatchObject({ songFiles: SONGS, eventFiles: 30, events: EVENTS });
    expect(first.progress.at(-1)).toBe(EVENTS);
    expect(first.progress.slice(0, 3)).toEqual([10_000, 20_000, 30_000]);
  });

  it('gives identical bytes for the same seed and different bytes for another seed', async () => {
    const again = await generateInto({ songs: SONGS, events: EVENTS, seed: SEED });
    const other = await generateInto({ songs: SONGS, events: EVENTS, seed: SEED + 1 });
    const againFiles = await tree(again.dir);
    expect([...againFiles.keys()]).toEqual([...files.keys()]);
    expect(hashTree(againFiles)).toBe(hashTree(files));
    expect(again.result).toEqual(first.result);
    const otherFiles = await tree(other.dir);
    expect(hashTree(otherFiles, 'song_data')).not.toBe(hashTree(files, 'song_data'));
    expect(hashTree(otherFiles, 'log_data')).not.toBe(hashTree(files, 'log_data'));
  });

  it('keeps the catalog when only the number of events changes', async () => {
    const fewer = await generateInto({ songs: SONGS, events: 100, seed: SEED });
    expect(hashTree(await tree(fewer.dir), 'song_data')).toBe(hashTree(files, 'song_data'));
    expect(fewer.result.events).toBe(100);
  });

  it('writes song files in the real layout: A/B/C/TRABC….json, one Python-style object, no newline', () => {
    const songPaths = [...files.keys()].filter((path) => path.startsWith('song_data/'));
    expect(songPaths).toHaveLength(SONGS);
    for (const path of songPaths) {
      expect(path).toMatch(/^song_data\/([A-Z])\/([A-Z])\/([A-Z])\/TR\1\2\3[A-Z]{2}128F[0-9A-F]{7}\.json$/);
      const text = files.get(path)!.toString('utf8');
      expect(text).toMatch(SONG_FILE_SHAPE);
      expect(text).toMatch(/^[\x20-\x7e]*$/); // non-ASCII escaped as \u00e9, as json.dumps does
    }
    const escaped = songPaths.map((path) => files.get(path)!.toString()).find((text) => text.includes('\\u00'));
    expect(escaped).toBeDefined();
  });

  it('writes log files in the real layout and style: one JSON line per event, real key order, escaped slashes', () => {
    const logPaths = [...files.keys()].filter((path) => path.startsWith('log_data/'));
    expect(logPaths).toEqual(
      Array.from(
        { length: 30 },
        (_, day) => `log_data/2018/11/2018-11-${String(day + 1).padStart(2, '0')}-events.json`,
      ),
    );
    let lines = 0;
    for (const path of logPaths) {
      const text = files.get(path)!.toString('utf8');
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.slice(0, -1).split('\n')) {
        lines++;
        expect(Object.keys(JSON.parse(line) as object)).toEqual(LOG_KEYS);
        expect(line.replaceAll('\\/', '')).not.toContain('/');
        expect(line).toMatch(/"registration":(null|\d{13}\.0),/);
      }
    }
    expect(lines).toBe(EVENTS);
    const sample = files.get(logPaths[0]!)!.toString();
    expect(sample).toContain('"userAgent":"Mozilla\\/5.0 (');
  });

  it('reads back with the project readers with zero rejections', () => {
    expect(data.rejected).toEqual([]);
    expect(data.songs).toHaveLength(SONGS);
    expect(data.events).toHaveLength(EVENTS);
    expect(new Set(data.songs.map((song) => song.songId)).size).toBe(SONGS);
  });

  it('has a catalog with multi-song artists, unknown years, missing coordinates and empty locations', () => {
    const songsPerArtist = new Map<string, number>();
    for (const song of data.songs) songsPerArtist.set(song.artistId, (songsPerArtist.get(song.artistId) ?? 0) + 1);
    const multi = [...songsPerArtist.values()].filter((count) => count >= 2).length;
    expect(multi).toBeGreaterThanOrEqual(20);
    expect(songsPerArtist.size).toBeLessThan(SONGS * 0.8);
    const share = (test: (song: SongRecord) => boolean): number => data.songs.filter(test).length / SONGS;
    expect(share((song) => song.year === 0)).toBeGreaterThan(0.3);
    expect(share((song) => song.year! >= 1958 && song.year! <= 2010)).toBeGreaterThan(0.3);
    expect(share((song) => song.artistLatitude === null && song.artistLongitude === null)).toBeGreaterThan(0.5);
    expect(share((song) => song.artistLatitude !== null)).toBeGreaterThan(0.1);
    expect(share((song) => song.artistLocation === '')).toBeGreaterThan(0.3);
    expect(data.songs.every((song) => song.numSongs === 1 && song.duration! > 0)).toBe(true);
  });

  it('keeps ts in epoch milliseconds, strictly increasing within each day file and inside that day', async () => {
    const logDir = join(first.dir, 'log_data', '2018', '11');
    for (const name of await readdir(logDir)) {
      const day = Date.parse(`${name.slice(0, 10)}T00:00:00Z`);
      const ts = (await readFile(join(logDir, name), 'utf8'))
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as { ts: number }).ts);
      for (let index = 0; index < ts.length; index++) {
        expect(ts[index]).toBeGreaterThanOrEqual(day);
        expect(ts[index]).toBeLessThan(day + 86_400_000);
        if (index > 0) expect(ts[index]).toBeGreaterThan(ts[index - 1]!);
      }
    }
  });

  it('has sessions with itemInSession 0, 1, 2 … in time order, each with one user', () => {
    const sessions = new Map<number, EventRecord[]>();
    for (const event of data.events) {
      const list = sessions.get(event.sessionId!) ?? [];
      list.push(event);
      sessions.set(event.sessionId!, list);
    }
    expect(sessions.size).toBeGreaterThan(500);
    let longest = 0;
    for (const events of sessions.values()) {
      events.sort((a, b) => a.ts - b.ts);
      expect(events.map((event) => event.itemInSession)).toEqual(events.map((_, index) => index));
      expect(new Set(events.map((event) => event.userId).filter((id) => id !== '')).size).toBeLessThanOrEqual(1);
      longest = Math.max(longest, events.length);
    }
    expect(longest).toBeGreaterThan(50);
  });

  it('has about a hundred users with consistent names, and logged-out visitors with no names', () => {
    const users = new Map<string, string>();
    for (const event of data.events) {
      if (event.userId === '') continue;
      const who = [event.firstName, event.lastName, event.gender, event.location, event.userAgent, event.registration]
        .map(String)
        .join(' ');
      expect(users.get(event.userId!) ?? who).toBe(who);
      users.set(event.userId!, who);
    }
    expect(users.size).toBeGreaterThanOrEqual(90);
    expect(users.size).toBeLessThanOrEqual(104);
    const loggedOut = data.events.filter((event) => event.userId === '');
    expect(loggedOut.length).toBeGreaterThan(50);
    for (const event of loggedOut) {
      expect(event).toMatchObject({
        auth: 'Logged Out',
        firstName: null,
        lastName: null,
        gender: null,
        location: null,
        userAgent: null,
        registration: null,
        artist: null,
        song: null,
        length: null,
      });
      expect(event.page).not.toBe('NextSong');
    }
  });

  it('has ≈85 % NextSong and every page docs/data.md lists; song fields only on NextSong', () => {
    const pages = new Map<string, number>();
    for (const event of data.events) pages.set(event.page!, (pages.get(event.page!) ?? 0) + 1);
    const nextSong = (pages.get('NextSong') ?? 0) / EVENTS;
    expect(nextSong).toBeGreaterThan(0.8);
    expect(nextSong).toBeLessThan(0.9);
    for (const page of [
      'NextSong',
      'Home',
      'Login',
      'Logout',
      'Downgrade',
      'Upgrade',
      'Submit Upgrade',
      'Settings',
      'Help',
      'About',
      'Error',
    ]) {
      expect(pages.get(page), page).toBeGreaterThan(0);
    }
    for (const event of data.events) {
      const isPlay = event.page === 'NextSong';
      expect(event.artist !== null && event.song !== null && event.length !== null).toBe(isPlay);
      expect(event.status).toBe(event.page === 'Error' ? 404 : event.method === 'PUT' && !isPlay ? 307 : 200);
    }
  });

  it('has users who change level mid-month, free → paid after a Submit Upgrade (and back)', () => {
    const byUser = new Map<string, EventRecord[]>();
    for (const event of data.events) {
      if (event.userId === '' || event.auth !== 'Logged In') continue;
      const list = byUser.get(event.userId!) ?? [];
      list.push(event);
      byUser.set(event.userId!, list);
    }
    let upgrades = 0;
    let downgrades = 0;
    for (const events of byUser.values()) {
      events.sort((a, b) => a.ts - b.ts);
      const changes = events.filter((event, index) => index > 0 && event.level !== events[index - 1]!.level);
      expect(changes.length).toBeLessThanOrEqual(1);
      if (changes.length === 0) continue;
      const at = events.indexOf(changes[0]!);
      expect(events[at - 1]!.page).toBe(changes[0]!.level === 'paid' ? 'Submit Upgrade' : 'Submit Downgrade');
      if (changes[0]!.level === 'paid') upgrades++;
      else downgrades++;
    }
    expect(upgrades).toBeGreaterThanOrEqual(2);
    expect(downgrades).toBeGreaterThanOrEqual(1);
  });

  it('matches 30–50 % of plays to a catalog song exactly (title, artist, length) and counts them right', () => {
    const catalog = new Set(data.songs.map((song) => `${song.title}|${song.artistName}|${song.duration}`));
    const plays = data.events.filter((event) => event.page === 'NextSong');
    const matched = plays.filter((event) => catalog.has(`${event.song}|${event.artist}|${event.length}`)).length;
    expect(matched).toBe(first.result.matchedPlays);
    expect(matched / plays.length).toBeGreaterThan(0.3);
    expect(matched / plays.length).toBeLessThan(0.5);
    // Unmatched plays include near misses: a catalog title and artist at another length.
    const titles = new Set(data.songs.map((song) => `${song.title}|${song.artistName}`));
    const nearMisses = plays.filter(
      (event) =>
        titles.has(`${event.song}|${event.artist}`) && !catalog.has(`${event.song}|${event.artist}|${event.length}`),
    );
    expect(nearMisses.length).toBeGreaterThan(0);
    // Popularity is skewed: the most played catalog song is played far more than the median one.
    const counts = new Map<string, number>();
    for (const event of plays)
      counts.set(
        `${event.song}|${event.artist}|${event.length}`,
        (counts.get(`${event.song}|${event.artist}|${event.length}`) ?? 0) + 1,
      );
    const sorted = [...counts.values()].sort((a, b) => b - a);
    expect(sorted[0]!).toBeGreaterThan(10 * sorted[Math.floor(sorted.length / 2)]!);
  });
});

describe('generateDataset options', () => {
  const invalid: Array<[string, Partial<{ out: string; songs: number; events: number; seed: number }>, string]> = [
    ['songs zero', { songs: 0 }, '--songs must be a whole number from 1 to 500,000, got 0'],
    ['songs fractional', { songs: 1.5 }, '--songs must be a whole number from 1 to 500,000, got 1.5'],
    ['songs too many', { songs: 500_001 }, '--songs must be a whole number from 1 to 500,000, got 500001'],
    ['events negative', { events: -3 }, '--events must be a whole number from 1 to 100,000,000, got -3'],
    ['events NaN', { events: Number.NaN }, '--events must be a whole number from 1 to 100,000,000, got NaN'],
    ['seed negative', { seed: -1 }, '--seed must be a whole number from 0 to 9,007,199,254,740,991, got -1'],
    ['out empty', { out: ' ' }, '--out is empty'],
  ];

  it.each(invalid)('%s', async (_name, change, message) => {
    const out = await tempDir();
    const error = await generateDataset({ out, songs: 1, events: 1, seed: 1, ...change }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(message);
    expect(await readdir(out)).toEqual([]);
  });

  it('--out naming a file is refused as a file, not as the song_data inside it; the file is untouched', async () => {
    const parent = await tempDir();
    const file = join(parent, 'afile');
    await writeFile(file, 'keep me');
    const error = await generateDataset({ out: file, songs: 1, events: 1, seed: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`--out ${file} is a file, not a folder`);
    const under = await generateDataset({ out: join(file, 'data'), songs: 1, events: 1, seed: 1 }).catch(
      (e: unknown) => e,
    );
    expect((under as UserError).message).toBe(
      `--out ${join(file, 'data')}: a part of the path is a file, not a folder`,
    );
    expect(await readFile(file, 'utf8')).toBe('keep me');
  });

  it('refuses to write into a folder that already holds a data set', async () => {
    const out = await tempDir();
    await mkdir(join(out, 'log_data'));
    await writeFile(join(out, 'log_data', 'old.json'), '{}\n');
    const error = await generateDataset({ out, songs: 1, events: 1, seed: 1 }).catch((e: unknown) => e);
    expect((error as UserError).message).toBe(
      `--out ${out} already holds a data set (${join(out, 'log_data')} is not empty)`,
    );
  });

  it('writes the smallest data set (one song, one event) that reads back cleanly', async () => {
    const { dir, result } = await generateInto({ songs: 1, events: 1, seed: 0 });
    expect(result).toMatchObject({ songFiles: 1, eventFiles: 1, events: 1 });
    const read = await readAll(dir);
    expect(read.rejected).toEqual([]);
    expect(read.songs).toHaveLength(1);
    expect(read.events).toHaveLength(1);
  });

  it('creates the output folder when it does not exist yet', async () => {
    const out = join(await tempDir(), 'new', 'data');
    const result = await generateDataset({ out, songs: 3, events: 40, seed: 5 });
    expect(result.songFiles).toBe(3);
    expect((await readdir(out)).sort()).toEqual(['log_data', 'song_data']);
  });
});
