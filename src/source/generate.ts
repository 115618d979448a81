/**
 * `generate`: a deterministic synthetic data set in exactly the real layout and format (docs/data.md, Source data),
 * realistic enough that the analytics mean something:
 * - a catalog of artists with one or several songs, some with year 0, null coordinates and "";
 * - about a hundred users with names, genders, places and browsers, a few changing level;
 * - sessions through November 2018 with increasing itemInSession, ≈85 % NextSong, logged-out
 *   visitors, and plays of catalog songs (exact title, artist and length) mixed with plays of
 *   songs the catalog does not have, so songplays has matched and unmatched rows.
 *
 * The same seed gives the same bytes. Event logs are written day by day as a stream, so memory
 * holds the catalog and one day's sessions, never the whole log.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, errnoText } from '../error-text.js';
import { UserError } from '../errors.js';
import { logString, pythonFloat, pythonNullable, pythonNullableFloat, pythonString } from './json-style.js';
import { Random, WeightedPicker } from './random.js';
import {
  ADJECTIVES,
  ARTIST_FIRST_NAMES,
  ARTIST_LAST_NAMES,
  ARTIST_PLACES,
  FIRST_NAMES_FEMALE,
  FIRST_NAMES_MALE,
  GUEST_PAGES,
  LAST_NAMES,
  NOUNS,
  OTHER_PAGES,
  PAGE_REQUESTS,
  TITLE_STARTS,
  USER_AGENTS,
  USER_LOCATIONS,
} from './vocabulary.js';

export interface GenerateDatasetOptions {
  /** Folder that receives song_data/ and log_data/. */
  out: string;
  songs: number;
  events: number;
  seed: number;
  /** Called with the number of events written so far (every 10,000 and at the end). */
  onProgress?: ((written: number) => void) | undefined;
  signal?: AbortSignal | undefined;
}

export interface GeneratedDataset {
  songFiles: number;
  eventFiles: number;
  events: number;
  /** NextSong events whose song, artist and length equal a catalog song (songplays with a song_id). */
  matchedPlays: number;
}

/** The catalog is held in memory (≈0.5 KB a song) to make plays that match it; events are streamed. */
export const GENERATE_LIMITS = { songs: 500_000, events: 100_000_000 } as const;

/** Share of plays that pick a catalog song; the rest are songs the catalog does not have. */
const CATALOG_PLAY_SHARE = 0.4;
/** Share of a logged-in user's page views that are NextSong (guest views bring it to ≈85 %). */
const NEXT_SONG_SHARE = 0.9;
const MONTH_START = Date.UTC(2018, 10, 1);
const DAYS = 30;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Plays per hour of day (UTC), shaped like the real logs: quiet at night, busiest late afternoon. */
const HOUR_WEIGHTS = [4, 3, 2, 2, 2, 2, 3, 4, 5, 6, 7, 8, 8, 9, 10, 11, 13, 14, 13, 12, 10, 8, 6, 5];
const PROGRESS_EVERY = 10_000;
/** Log text handed to the file stream at a time. */
const CHUNK_CHARS = 64 * 1024;
/** Song files written concurrently. */
const SONG_WRITE_BATCH = 256;

export async function generateDataset(options: GenerateDatasetOptions): Promise<GeneratedDataset> {
  validateOptions(options);
  const songRoot = join(options.out, 'song_data');
  const logRoot = join(options.out, 'log_data');
  await prepareOutput(options.out, [songRoot, logRoot]);

  const { songFiles, plays } = await writeCatalog(songRoot, options);

  // Separate streams: the catalog, say, stays the same when only the event count changes.
  const users = buildUsers(new Random(options.seed, 2));
  const random = new Random(options.seed, 3);
  const state: LogState = {
    random,
    users,
    plays,
    userPicker: new WeightedPicker(users.map((user) => user.activity)),
    hourPicker: new WeightedPicker(HOUR_WEIGHTS),
    otherPagePicker: new WeightedPicker(OTHER_PAGES.map((page) => page.weight)),
    lastSessionId: random.between(1, 50),
    written: 0,
    matched: 0,
    line: '',
    onProgress: options.onProgress,
  };

  let eventFiles = 0;
  const dayCounts = splitAcrossDays(options.events, new Random(options.seed, 5));
  for (let day = 0; day < DAYS; day++) {
    const count = dayCounts[day]!;
    if (count === 0) continue;
    const date = new Date(MONTH_START + day * DAY_MS).toISOString().slice(0, 10);
    const folder = join(logRoot, date.slice(0, 4), date.slice(5, 7));
    await mkdir(folder, { recursive: true });
    await pipeline(Readable.from(dayLog(state, day, count)), createWriteStream(join(folder, `${date}-events.json`)), {
      signal: options.signal,
    });
    eventFiles++;
  }
  options.onProgress?.(state.written);
  return { songFiles, eventFiles, events: state.written, matchedPlays: state.matched };
}

/**
 * The song files, and what users can play. Kept in its own function so the catalog records can
 * be collected once the plays are made: the event loop needs only the plays.
 */
async function writeCatalog(
  songRoot: string,
  options: GenerateDatasetOptions,
): Promise<{ songFiles: number; plays: Plays }> {
  const catalog = buildCatalog(new Random(options.seed, 1), options.songs);
  const songFiles = await writeSongFiles(songRoot, catalog, options.signal);
  return { songFiles, plays: buildPlays(new Random(options.seed, 4), catalog) };
}

function validateOptions(options: GenerateDatasetOptions): void {
  if (typeof options.out !== 'string' || options.out.trim() === '')
    throw new UserError('--out is empty', { hint: 'name the folder to write the data set into' });
  wholeNumber('--songs', options.songs, 1, GENERATE_LIMITS.songs);
  wholeNumber('--events', options.events, 1, GENERATE_LIMITS.events);
  wholeNumber('--seed', options.seed, 0, Number.MAX_SAFE_INTEGER);
}

function wholeNumber(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = `${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
    throw new UserError(`${name} must be a whole number from ${range}, got ${String(value)}`, { exitCode: 2 });
  }
}

/**
 * Refuse to mix a new data set into an old one: leftover files would be loaded too. `out` itself is
 * looked at first, so a file given as --out is named as such, not as the song_data inside it.
 */
async function prepareOutput(out: string, roots: string[]): Promise<void> {
  const kind = await outputKind(out);
  if (kind === 'file') {
    throw new UserError(`--out ${out} is a file, not a folder`, {
      hint: 'name a new or empty folder to write the data set into',
    });
  }
  if (kind === 'under a file') {
    throw new UserError(`--out ${out}: a part of the path is a file, not a folder`, {
      hint: 'name a new or empty folder to write the data set into',
    });
  }
  for (const root of roots) {
    let entries: string[];
    try {
      entries = await readdir(root);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT') continue;
      // `out` is a folder (checked above), so this is a file named song_data or log_data inside it.
      if (code === 'ENOTDIR')
        throw new UserError(`--out ${out}: ${root} is a file, not a folder`, { hint: 'choose another --out folder' });
      throw new UserError(`--out ${out}: cannot read ${root} (${errnoText(error) ?? String(code ?? error)})`, {
        cause: error,
      });
    }
    if (entries.length > 0) {
      throw new UserError(`--out ${out} already holds a data set (${root} is not empty)`, {
        hint: 'choose an empty folder, or delete the old data set first, so old and new files are not mixed',
      });
    }
  }
  try {
    await mkdir(out, { recursive: true });
    if (!(await stat(out)).isDirectory()) throw new Error('ENOTDIR');
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`--out ${out} cannot be created as a folder`, {
      hint: 'choose a folder path that is not a file and that you may write to',
      cause: error,
    });
  }
}

/** What is at `out` now: nothing yet, a folder, a file (or other non-folder), or a path through a file. */
async function outputKind(out: string): Promise<'none' | 'folder' | 'file' | 'under a file'> {
  try {
    return (await stat(out)).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOTDIR') return 'under a file';
    if (code === 'ENOENT') return 'none';
    throw new UserError(`--out ${out} cannot be read (${errnoText(error) ?? String(code ?? error)})`, {
      cause: error,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The catalog

interface Artist {
  id: string;
  name: string;
  location: string;
  latitude: number | null;
  longitude: number | null;
}

interface CatalogSong {
  trackId: string;
  songId: string;
  title: string;
  duration: number;
  year: number;
  artist: Artist;
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEX = '0123456789ABCDEF';
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function characters(random: Random, alphabet: string, count: number): string {
  let text = '';
  for (let index = 0; index < count; index++) text += alphabet[random.int(alphabet.length)];
  return text;
}

/** An id of the real shape, unique within `taken`. */
function uniqueId(taken: Set<string>, make: () => string): string {
  for (;;) {
    const id = make();
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

/** 5 decimals and never a whole number, as the real durations and coordinates are written. */
function fiveDecimals(value: number): number {
  const rounded = Math.round(value * 1e5) / 1e5;
  return Number.isInteger(rounded) ? rounded + 0.00001 : rounded;
}

function plural(noun: string): string {
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  if (/(s|sh|ch|x)$/.test(noun)) return `${noun}es`;
  return `${noun}s`;
}

function artistName(random: Random): string {
  const style = random.float();
  if (style < 0.3) return `${random.pick(ARTIST_FIRST_NAMES)} ${random.pick(ARTIST_LAST_NAMES)}`;
  if (style < 0.55) return `The ${random.pick(ADJECTIVES)} ${plural(random.pick(NOUNS))}`;
  if (style < 0.7) return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
  if (style < 0.8) return `DJ ${random.pick(NOUNS)}`;
  if (style < 0.9) return `${random.pick(ARTIST_FIRST_NAMES)} & The ${plural(random.pick(NOUNS))}`;
  return `${random.pick(ARTIST_LAST_NAMES)} feat. ${random.pick(ARTIST_FIRST_NAMES)} ${random.pick(ARTIST_LAST_NAMES)}`;
}

const VERSIONS = ['Remix', 'Live', 'Album Version', 'Demo'] as const;

function songTitle(random: Random): string {
  const style = random.float();
  if (style < 0.35) return `${random.pick(TITLE_STARTS)} ${random.pick(NOUNS)}`;
  if (style < 0.65) return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`;
  if (style < 0.8) return random.pick(NOUNS);
  if (style < 0.9) return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)} (${random.pick(VERSIONS)})`;
  return `${random.pick(NOUNS)} of ${random.pick(ADJECTIVES)} ${plural(random.pick(NOUNS))}`;
}

/** A song length in seconds: mostly 2–6 minutes, a few short or long ones. */
function songDuration(random: Random): number {
  return fiveDecimals(60 + random.exponential(60) + random.float() * 240);
}

function playKey(title: string, artist: string, duration: number): string {
  return `${title}\u0001${artist}\u0001${duration}`;
}

function buildCatalog(random: Random, songCount: number): CatalogSong[] {
  const artistIds = new Set<string>();
  const songIds = new Set<string>();
  const trackIds = new Set<string>();
  const plays = new Set<string>();
  const songs: CatalogSong[] = [];
  while (songs.length < songCount) {
    const place = random.chance(0.55) ? random.pick(ARTIST_PLACES) : undefined;
    const withCoordinates = place !== undefined && random.chance(0.55);
    const artist: Artist = {
      id: uniqueId(artistIds, () => `AR${characters(random, ALPHANUMERIC, 16)}`),
      name: artistName(random),
      location: place?.name ?? '',
      latitude: withCoordinates ? fiveDecimals(place.latitude + (random.float() - 0.5) * 0.2) : null,
      longitude: withCoordinates ? fiveDecimals(place.longitude + (random.float() - 0.5) * 0.2) : null,
    };
    // Most artists have one song; some have several, so "top artists" differs from "top songs".
    const shape = random.float();
    const wanted = shape < 0.55 ? 1 : shape < 0.75 ? 2 : shape < 0.85 ? 3 : random.between(4, 8);
    for (let index = 0; index < wanted && songs.length < songCount; index++) {
      let title = songTitle(random);
      let duration = songDuration(random);
      // Title, artist and length identify a song when plays are matched: keep them unique.
      while (plays.has(playKey(title, artist.name, duration))) {
        title = songTitle(random);
        duration = songDuration(random);
      }
      plays.add(playKey(title, artist.name, duration));
      songs.push({
        trackId: uniqueId(trackIds, () => `TR${characters(random, LETTERS, 5)}128F${characters(random, HEX, 7)}`),
        songId: uniqueId(songIds, () => `SO${characters(random, LETTERS, 5)}${characters(random, HEX, 11)}`),
        title,
        duration,
        year: random.chance(0.45) ? 0 : random.between(1958, 2010),
        artist,
      });
    }
  }
  return songs;
}

/** One song file, byte for byte like the real ones (Python json.dumps, no trailing newline). */
export function songFileText(song: CatalogSong): string {
  const artist = song.artist;
  return (
    `{"num_songs": 1, "artist_id": ${pythonString(artist.id)}, ` +
    `"artist_latitude": ${pythonNullableFloat(artist.latitude)}, ` +
    `"artist_longitude": ${pythonNullableFloat(artist.longitude)}, ` +
    `"artist_location": ${pythonNullable(artist.location)}, ` +
    `"artist_name": ${pythonString(artist.name)}, "song_id": ${pythonString(song.songId)}, ` +
    `"title": ${pythonString(song.title)}, ` +
    `"duration": ${pythonFloat(song.duration)}, "year": ${song.year}}`
  );
}

async function writeSongFiles(
  songRoot: string,
  catalog: CatalogSong[],
  signal: AbortSignal | undefined,
): Promise<number> {
  const madeFolders = new Set<string>();
  for (let start = 0; start < catalog.length; start += SONG_WRITE_BATCH) {
    signal?.throwIfAborted();
    const batch = catalog.slice(start, start + SONG_WRITE_BATCH);
    // The third to fifth letters of the track id name the folders: TRABC… → A/B/C/.
    const folders = batch.map((song) => join(songRoot, song.trackId[2]!, song.trackId[3]!, song.trackId[4]!));
    const newFolders = [...new Set(folders)].filter((folder) => !madeFolders.has(folder));
    await Promise.all(newFolders.map((folder) => mkdir(folder, { recursive: true })));
    for (const folder of newFolders) madeFolders.add(folder);
    await Promise.all(
      batch.map((song, index) => writeFile(join(folders[index]!, `${song.trackId}.json`), songFileText(song))),
    );
  }
  return catalog.length;
}

// ---------------------------------------------------------------------------------------------
// What users play

interface Play {
  /** Already in log-line form: `"Des'ree"`, `246.30812`. */
  artist: string;
  title: string;
  length: string;
  lengthMs: number;
  inCatalog: boolean;
}

interface Plays {
  catalog: Play[];
  other: Play[];
  catalogPicker: WeightedPicker;
  otherPicker: WeightedPicker;
}

function play(title: string, artist: string, duration: number, inCatalog: boolean): Play {
  return {
    artist: logString(artist),
    title: logString(title),
    length: String(duration),
    lengthMs: Math.round(duration * 1000),
    inCatalog,
  };
}

function buildPlays(random: Random, catalog: CatalogSong[]): Plays {
  const catalogKeys = new Set(catalog.map((song) => playKey(song.title, song.artist.name, song.duration)));
  // Popularity follows catalog order shuffled, so it is unrelated to ids and file names.
  const catalogPlays = random.shuffle(catalog.map((song) => play(song.title, song.artist.name, song.duration, true)));
  const otherCount = Math.min(200_000, Math.max(300, Math.round(catalog.length * 1.5)));
  const otherPlays: Play[] = [];
  while (otherPlays.length < otherCount) {
    const style = random.float();
    let title: string;
    let artist: string;
    let duration: number;
    if (style < 0.15) {
      // A near miss: the catalog's title and artist at another length (another recording).
      const song = random.pick(catalog);
      title = song.title;
      artist = song.artist.name;
      duration = fiveDecimals(song.duration + (random.chance(0.5) ? 1 : -1) * (0.5 + random.float() * 3));
    } else {
      title = songTitle(random);
      artist = style < 0.4 ? random.pick(catalog).artist.name : artistName(random);
      duration = songDuration(random);
    }
    if (catalogKeys.has(playKey(title, artist, duration))) continue;
    otherPlays.push(play(title, artist, duration, false));
  }
  return {
    catalog: catalogPlays,
    other: otherPlays,
    catalogPicker: WeightedPicker.zipf(catalogPlays.length, 0.9),
    otherPicker: WeightedPicker.zipf(otherPlays.length, 0.9),
  };
}

// ---------------------------------------------------------------------------------------------
// Users

type Level = 'free' | 'paid';

interface User {
  /** Fields in log-line form. */
  userId: string;
  firstName: string;
  lastName: string;
  gender: string;
  location: string;
  userAgent: string;
  registration: string;
  level: Level;
  /** A change of level at this time (the user submits an upgrade or downgrade). */
  change: { at: number; to: Level; done: boolean } | undefined;
  /** Relative share of the sessions. */
  activity: number;
}

function buildUsers(random: Random): User[] {
  const count = random.between(96, 104);
  const ids = random.shuffle(Array.from({ length: 150 }, (_, index) => index + 2)).slice(0, count);
  const activityRanks = random.shuffle(Array.from({ length: count }, (_, index) => index));
  const users = ids.map((id, index): User => {
    const female = random.chance(0.5);
    const level: Level = random.chance(0.25) ? 'paid' : 'free';
    const registered = Date.UTC(2018, 5, 1) + random.int(150 * DAY_MS);
    return {
      userId: logString(String(id)),
      firstName: logString(random.pick(female ? FIRST_NAMES_FEMALE : FIRST_NAMES_MALE)),
      lastName: logString(random.pick(LAST_NAMES)),
      gender: female ? '"F"' : '"M"',
      location: logString(random.pick(USER_LOCATIONS)),
      userAgent: logString(random.pick(USER_AGENTS)),
      registration: `${registered}.0`,
      level,
      change: undefined,
      // Busy users and casual ones; paying users listen more.
      activity: (level === 'paid' ? 1.6 : 1) / Math.pow(activityRanks[index]! + 1, 0.7),
    };
  });
  // A few users change level mid-month: more upgrades than downgrades, at least one of each.
  const free = users.filter((user) => user.level === 'free');
  const paid = users.filter((user) => user.level === 'paid');
  const upgrades = Math.max(1, Math.round(free.length * 0.08));
  const downgrades = Math.max(1, Math.round(paid.length * 0.08));
  for (const user of random.shuffle([...free]).slice(0, upgrades))
    user.change = { at: MONTH_START + (4 + random.float() * 20) * DAY_MS, to: 'paid', done: false };
  for (const user of random.shuffle([...paid]).slice(0, downgrades))
    user.change = { at: MONTH_START + (4 + random.float() * 20) * DAY_MS, to: 'free', done: false };
  return users;
}

// ---------------------------------------------------------------------------------------------
// The event log

interface LogState {
  random: Random;
  users: User[];
  plays: Plays;
  userPicker: WeightedPicker;
  hourPicker: WeightedPicker;
  otherPagePicker: WeightedPicker;
  lastSessionId: number;
  written: number;
  matched: number;
  /** The line emitEvent made last. */
  line: string;
  onProgress: ((written: number) => void) | undefined;
}

interface Session {
  id: number;
  /** undefined: a visitor who never logs in. */
  user: User | undefined;
  /** Events still to emit, this one included. */
  remaining: number;
  item: number;
  nextTs: number;
  /** Gaps are multiplied by this so the session ends before midnight. */
  pace: number;
  guestPrefix: boolean;
  logoutAtEnd: boolean;
  guestAfterLogout: boolean;
}

/** Events per day: weekends a little quieter, the month slowly growing; exact total. */
function splitAcrossDays(total: number, random: Random): number[] {
  const weights = Array.from({ length: DAYS }, (_, day) => {
    const weekday = new Date(MONTH_START + day * DAY_MS).getUTCDay();
    return (weekday === 0 || weekday === 6 ? 0.8 : 1) * (1 + day * 0.01) * (0.9 + random.float() * 0.2);
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((weight) => (weight / sum) * total);
  const counts = exact.map(Math.floor);
  // Largest remainders get the events left over, so the days add up to the total exactly.
  const order = exact
    .map((value, day) => ({ day, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.day - b.day);
  let left = total - counts.reduce((a, b) => a + b, 0);
  for (const { day } of order) {
    if (left-- <= 0) break;
    counts[day]! += 1;
  }
  return counts;
}

/** One day's log as text chunks, events in time order (sessions interleave, as in real logs). */
function* dayLog(state: LogState, day: number, count: number): Generator<string, void, undefined> {
  const random = state.random;
  const dayStart = MONTH_START + day * DAY_MS;
  const dayEnd = dayStart + DAY_MS;
  const sessions: Session[] = [];
  let planned = 0;
  while (planned < count) {
    const events = Math.min(1 + Math.floor(random.exponential(24)), count - planned);
    planned += events;
    const guestOnly = random.chance(0.03);
    const logoutAtEnd = !guestOnly && events >= 2 && random.chance(0.12);
    const start = dayStart + state.hourPicker.pick(random) * HOUR_MS + random.int(HOUR_MS);
    // Room for the session before midnight, with a margin for long songs.
    const needed = events * 230_000 * 1.5;
    const room = dayEnd - start - events;
    sessions.push({
      id: 0,
      user: guestOnly ? undefined : state.users[state.userPicker.pick(random)],
      remaining: events,
      item: 0,
      nextTs: start,
      pace: needed > room ? Math.max(room, 0) / needed : 1,
      guestPrefix: !guestOnly && events >= 3 && random.chance(0.08),
      logoutAtEnd,
      guestAfterLogout: logoutAtEnd && events >= 3 && random.chance(0.5),
    });
  }
  // Session ids grow with start time, as the real ones do.
  sessions.sort((a, b) => a.nextTs - b.nextTs);
  for (const session of sessions) session.id = ++state.lastSessionId;

  const queue = new SessionQueue(sessions);
  let lastTs = dayStart - 1;
  let chunk = '';
  for (let session = queue.pop(); session !== undefined; session = queue.pop()) {
    // Strictly increasing within the file; 1 ms later than planned when two sessions collide.
    let ts = session.nextTs > lastTs ? session.nextTs : lastTs + 1;
    if (ts >= dayEnd) ts = dayEnd - 1;
    lastTs = ts;
    const gap = emitEvent(state, session, ts);
    chunk += state.line;
    session.item++;
    session.remaining--;
    if (session.remaining > 0) {
      session.nextTs = Math.min(ts + Math.max(1, Math.round(gap * session.pace)), dayEnd - session.remaining);
      queue.push(session);
    }
    state.written++;
    if (state.written % PROGRESS_EVERY === 0) state.onProgress?.(state.written);
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** Sessions by their next event time (then id): a binary min-heap. */
class SessionQueue {
  private readonly heap: Session[] = [];

  constructor(sessions: Session[]) {
    for (const session of sessions) this.push(session);
  }

  push(session: Session): void {
    const heap = this.heap;
    heap.push(session);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >>> 1;
      if (!earlier(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  pop(): Session | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && earlier(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && earlier(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return top;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
  }
}

function earlier(a: Session, b: Session): boolean {
  return a.nextTs < b.nextTs || (a.nextTs === b.nextTs && a.id < b.id);
}

/**
 * The session's next event as a log line in `state.line` (a field rather than a return value
 * so the gap can be returned without an object per event). Returns the gap to the next event.
 */
function emitEvent(state: LogState, session: Session, ts: number): number {
  const random = state.random;
  const user = session.user;
  const item = session.item;
  const remaining = session.remaining;
  const logoutAt = session.guestAfterLogout ? 2 : 1;

  if (user === undefined || (session.guestPrefix && item < 2) || (session.guestAfterLogout && remaining === 1)) {
    const page =
      user === undefined
        ? item === 0
          ? 'Home'
          : random.pick(GUEST_PAGES)
        : session.guestPrefix && item === 1
          ? 'Login'
          : 'Home';
    state.line = guestLine(page, user?.level ?? 'free', item, session.id, ts);
    return 2_000 + random.int(30_000);
  }
  if (session.logoutAtEnd && remaining === logoutAt) {
    state.line = userLine(user, 'Logout', user.level, item, session.id, ts, undefined);
    return 1_000 + random.int(5_000);
  }
  const change = user.change;
  if (change !== undefined && !change.done && ts >= change.at) {
    // The submit event still carries the old level; every later event the new one.
    const page = change.to === 'paid' ? 'Submit Upgrade' : 'Submit Downgrade';
    state.line = userLine(user, page, user.level, item, session.id, ts, undefined);
    user.level = change.to;
    change.done = true;
    return 2_000 + random.int(20_000);
  }
  if (random.chance(NEXT_SONG_SHARE)) {
    const plays = state.plays;
    const fromCatalog = random.chance(CATALOG_PLAY_SHARE);
    const played = fromCatalog
      ? plays.catalog[plays.catalogPicker.pick(random)]!
      : plays.other[plays.otherPicker.pick(random)]!;
    if (fromCatalog) state.matched++;
    state.line = userLine(user, 'NextSong', user.level, item, session.id, ts, played);
    // The next page comes when the song ends (or a little earlier: a skip).
    return random.chance(0.1) ? 5_000 + random.int(played.lengthMs) : played.lengthMs + random.int(3_000);
  }
  let page: string = OTHER_PAGES[state.otherPagePicker.pick(random)]!.page;
  if (page === 'Upgrade' && user.level === 'paid') page = 'Downgrade';
  state.line = userLine(user, page, user.level, item, session.id, ts, undefined);
  return 2_000 + random.int(40_000);
}

function request(page: string): { method: string; status: number } {
  const found = PAGE_REQUESTS[page];
  if (found === undefined) throw new Error(`no request shape for page ${page}`);
  return found;
}

/** A logged-in event in the real key order and style. */
function userLine(
  user: User,
  page: string,
  level: Level,
  item: number,
  sessionId: number,
  ts: number,
  played: Play | undefined,
): string {
  const { method, status } = request(page);
  return (
    `{"artist":${played === undefined ? 'null' : played.artist},"auth":"Logged In",` +
    `"firstName":${user.firstName},"gender":${user.gender},"itemInSession":${item},"lastName":${user.lastName},` +
    `"length":${played === undefined ? 'null' : played.length},"level":"${level}","location":${user.location},` +
    `"method":"${method}","page":"${page}","registration":${user.registration},"sessionId":${sessionId},` +
    `"song":${played === undefined ? 'null' : played.title},"status":${status},"ts":${ts},` +
    `"userAgent":${user.userAgent},"userId":${user.userId}}\n`
  );
}

/** A logged-out visitor's event: no user id (""), no names, no place or browser. */
function guestLine(page: string, level: Level, item: number, sessionId: number, ts: number): string {
  const { method, status } = request(page);
  return (
    `{"artist":null,"auth":"Logged Out","firstName":null,"gender":null,"itemInSession":${item},` +
    `"lastName":null,"length":null,"level":"${level}","location":null,"method":"${method}","page":"${page}",` +
    `"registration":null,"sessionId":${sessionId},` +
    `"song":null,"status":${status},"ts":${ts},"userAgent":null,"userId":""}\n`
  );
}
