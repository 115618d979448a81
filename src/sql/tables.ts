/**
 * The warehouse's tables as data: staging tables that hold the source records as they are, and the
 * star schema that analysts query (docs/data.md, Tables). DDL (ddl.ts) and the row-count status (status.ts)
 * are rendered from these definitions, so a column exists in exactly one place.
 */
import type { Renderings } from './dialect.js';
import { sqlIdentifier } from './identifiers.js';

export const STAGING_TABLES = ['staging_events', 'staging_songs'] as const;
/** Star-schema tables in the order they are loaded (time last: it is derived from songplays). */
export const STAR_TABLES = ['songs', 'artists', 'users', 'songplays', 'time'] as const;
export const ALL_TABLES = [...STAGING_TABLES, ...STAR_TABLES] as const;

export type StagingTableName = (typeof STAGING_TABLES)[number];
export type StarTableName = (typeof STAR_TABLES)[number];
export type TableName = StagingTableName | StarTableName;

/**
 * Where the data in the tables came from: one row per load, written in the load's own transaction
 * and dropped and created with the tables, so its newest row always describes what they hold
 * (docs/safety.md). It is not one of the seven: checks, analytics and statuses never see it.
 */
export const LOAD_HISTORY_TABLE = 'sparkify_load_history';
export type MetadataTableName = typeof LOAD_HISTORY_TABLE;

export interface ColumnDefinition {
  name: string;
  /** Column type with any constraint on it, as written in CREATE TABLE: the default, and where a dialect differs. */
  type: Renderings<string>;
}

export interface TableDefinition {
  name: TableName | MetadataTableName;
  layer: 'staging' | 'star' | 'metadata';
  /** One row per … (docs/data.md, Tables). */
  grain: string;
  columns: readonly ColumnDefinition[];
  /** Enforced on PostgreSQL; informational on Redshift (its planner trusts it, nothing checks it). */
  primaryKey?: string;
  /** Table attributes after the column list: none by default, DISTSTYLE / DISTKEY / SORTKEY on Redshift. */
  attributes: Renderings<readonly string[]>;
  /**
   * CREATE UNLOGGED TABLE: the table skips PostgreSQL's write-ahead log (and is emptied after a
   * crash). Staging only, which every load empties and refills; Redshift has no such tables.
   */
  unlogged?: Renderings<boolean>;
}

type ColumnType = Renderings<string>;

// Free text of unknown length (titles, artist names, locations, user agents). Redshift's VARCHAR
// defaults to 256 bytes and its COPY fails on longer values, so these get the maximum width;
// PostgreSQL's TEXT has no limit. Star columns fed from them are as wide, so no INSERT can fail.
const FREE_TEXT: ColumnType = { default: 'TEXT', redshift: 'VARCHAR(65535)' };
// Identifiers and short codes (song ids, user ids, "free"/"paid", page names).
const SHORT_TEXT: ColumnType = { default: 'VARCHAR', redshift: 'VARCHAR(256)' };
const INTEGER: ColumnType = { default: 'INTEGER' };
const SMALLINT: ColumnType = { default: 'SMALLINT' };
const BIGINT: ColumnType = { default: 'BIGINT' };
const DOUBLE: ColumnType = { default: 'DOUBLE PRECISION' };
const TIMESTAMP: ColumnType = { default: 'TIMESTAMP' };

function column(name: string, type: ColumnType, constraint?: 'NOT NULL'): ColumnDefinition {
  const suffix = constraint === undefined ? '' : ` ${constraint}`;
  const withSuffix: ColumnType = { default: `${type.default}${suffix}` };
  if (type.redshift !== undefined) withSuffix.redshift = `${type.redshift}${suffix}`;
  return { name, type: withSuffix };
}

/** Source columns of an event, in the order of the JSONPaths file and of local COPY (docs/data.md, Source data). */
export const STAGING_EVENTS_COLUMNS = [
  'artist',
  'auth',
  'first_name',
  'gender',
  'item_in_session',
  'last_name',
  'length',
  'level',
  'location',
  'method',
  'page',
  'registration',
  'session_id',
  'song',
  'status',
  'ts',
  'user_agent',
  'user_id',
] as const;

/** Source columns of a song file; the JSON keys are these names, so COPY … JSON 'auto' maps them. */
export const STAGING_SONGS_COLUMNS = [
  'num_songs',
  'artist_id',
  'artist_latitude',
  'artist_longitude',
  'artist_location',
  'artist_name',
  'song_id',
  'title',
  'duration',
  'year',
] as const;

const EVENT_COLUMN_TYPES: Record<(typeof STAGING_EVENTS_COLUMNS)[number], ColumnType> = {
  artist: FREE_TEXT,
  auth: SHORT_TEXT,
  first_name: SHORT_TEXT,
  gender: SHORT_TEXT,
  item_in_session: INTEGER,
  last_name: SHORT_TEXT,
  length: DOUBLE,
  level: SHORT_TEXT,
  location: FREE_TEXT,
  method: SHORT_TEXT,
  page: SHORT_TEXT,
  registration: DOUBLE,
  session_id: INTEGER,
  song: FREE_TEXT,
  status: INTEGER,
  ts: BIGINT,
  user_agent: FREE_TEXT,
  // A string in the source, "" for logged-out visitors; kept as the source has it.
  user_id: SHORT_TEXT,
};

const SONG_COLUMN_TYPES: Record<(typeof STAGING_SONGS_COLUMNS)[number], ColumnType> = {
  num_songs: INTEGER,
  artist_id: SHORT_TEXT,
  artist_latitude: DOUBLE,
  artist_longitude: DOUBLE,
  artist_location: FREE_TEXT,
  artist_name: FREE_TEXT,
  song_id: SHORT_TEXT,
  title: FREE_TEXT,
  duration: DOUBLE,
  year: INTEGER,
};

export const TABLES: Readonly<Record<TableName, TableDefinition>> = {
  staging_events: {
    name: 'staging_events',
    layer: 'staging',
    grain: 'event record in the log files',
    columns: [
      // A stable tie-breaker for events that agree on every ordering column; not in the COPY
      // column list, so the database numbers the rows as they arrive.
      {
        name: 'event_id',
        type: { default: 'BIGINT GENERATED ALWAYS AS IDENTITY', redshift: 'BIGINT IDENTITY(0,1)' },
      },
      ...STAGING_EVENTS_COLUMNS.map((name) => column(name, EVENT_COLUMN_TYPES[name])),
    ],
    // Staging is written once by a parallel COPY and read once by the transform: EVEN keeps
    // the COPY spread over all slices, and a single redistribution for the song match is cheap.
    attributes: { default: [], redshift: ['DISTSTYLE EVEN'] },
    unlogged: { default: true, redshift: false },
  },
  staging_songs: {
    name: 'staging_songs',
    layer: 'staging',
    grain: 'song file in the catalog',
    columns: STAGING_SONGS_COLUMNS.map((name) => column(name, SONG_COLUMN_TYPES[name])),
    attributes: { default: [], redshift: ['DISTSTYLE EVEN'] },
    unlogged: { default: true, redshift: false },
  },
  songplays: {
    name: 'songplays',
    layer: 'star',
    grain: 'NextSong event with a user id',
    columns: [
      column('songplay_id', BIGINT, 'NOT NULL'),
      column('start_time', TIMESTAMP, 'NOT NULL'),
      column('user_id', SHORT_TEXT, 'NOT NULL'),
      column('level', SHORT_TEXT),
      column('song_id', SHORT_TEXT),
      column('artist_id', SHORT_TEXT),
      column('session_id', INTEGER),
      column('location', FREE_TEXT),
      column('user_agent', FREE_TEXT),
    ],
    primaryKey: 'songplay_id',
    // Distributed on start_time, not song_id: most plays find no catalog match, so song_id is
    // mostly NULL and would pile those rows onto one slice. start_time spreads evenly and
    // co-locates the join with "time" (same DISTKEY); the other dimensions are small (ALL) or
    // redistribute the few matched plays. Sorted on start_time for time-range filters.
    attributes: { default: [], redshift: ['DISTKEY (start_time)', 'SORTKEY (start_time)'] },
  },
  users: {
    name: 'users',
    layer: 'star',
    grain: 'user id seen in any event',
    columns: [
      column('user_id', SHORT_TEXT, 'NOT NULL'),
      column('first_name', SHORT_TEXT),
      column('last_name', SHORT_TEXT),
      column('gender', SHORT_TEXT),
      column('level', SHORT_TEXT),
    ],
    primaryKey: 'user_id',
    // A few hundred rows: a copy on every node makes every join to it local.
    attributes: { default: [], redshift: ['DISTSTYLE ALL', 'SORTKEY (user_id)'] },
  },
  songs: {
    name: 'songs',
    layer: 'star',
    grain: 'song_id',
    columns: [
      column('song_id', SHORT_TEXT, 'NOT NULL'),
      column('title', FREE_TEXT),
      column('artist_id', SHORT_TEXT),
      column('year', INTEGER),
      column('duration', DOUBLE),
    ],
    primaryKey: 'song_id',
    // The largest dimension (the whole catalog): too big to copy to every node, so distributed
    // and sorted on its join key.
    attributes: { default: [], redshift: ['DISTKEY (song_id)', 'SORTKEY (song_id)'] },
  },
  artists: {
    name: 'artists',
    layer: 'star',
    grain: 'artist_id',
    columns: [
      column('artist_id', SHORT_TEXT, 'NOT NULL'),
      column('name', FREE_TEXT),
      column('location', FREE_TEXT),
      column('latitude', DOUBLE),
      column('longitude', DOUBLE),
    ],
    primaryKey: 'artist_id',
    // Far fewer artists than songs: small enough to copy to every node.
    attributes: { default: [], redshift: ['DISTSTYLE ALL', 'SORTKEY (artist_id)'] },
  },
  time: {
    name: 'time',
    layer: 'star',
    grain: 'distinct songplays.start_time',
    columns: [
      column('start_time', TIMESTAMP, 'NOT NULL'),
      column('hour', SMALLINT),
      column('day', SMALLINT),
      column('week', SMALLINT),
      column('month', SMALLINT),
      column('year', SMALLINT),
      column('weekday', SMALLINT),
    ],
    primaryKey: 'start_time',
    // As many rows as songplays: same DISTKEY as songplays so their join never moves data.
    attributes: { default: [], redshift: ['DISTKEY (start_time)', 'SORTKEY (start_time)'] },
  },
};

/** The load history (LOAD_HISTORY_TABLE). */
export const LOAD_HISTORY: TableDefinition = {
  name: LOAD_HISTORY_TABLE,
  layer: 'metadata',
  grain: 'load that committed',
  columns: [
    // 1, 2, 3 … in the order the loads committed: the newest row describes the tables.
    column('load_number', INTEGER, 'NOT NULL'),
    // demo (the demo's own generated data), local (files on this machine) or s3.
    column('source_kind', SHORT_TEXT, 'NOT NULL'),
    // The folders (absolute paths) or s3:// prefixes read, --song-prefix included.
    column('song_data', FREE_TEXT, 'NOT NULL'),
    column('log_data', FREE_TEXT, 'NOT NULL'),
    // UTC, the time the load's transaction started.
    column('loaded_at', TIMESTAMP, 'NOT NULL'),
    column('staging_songs', BIGINT, 'NOT NULL'),
    column('staging_events', BIGINT, 'NOT NULL'),
    column('songplays', BIGINT, 'NOT NULL'),
  ],
  primaryKey: 'load_number',
  // A handful of small rows: a copy on every node.
  attributes: { default: [], redshift: ['DISTSTYLE ALL'] },
};

export function isTableName(name: string): name is TableName {
  return (ALL_TABLES as readonly string[]).includes(name);
}

/** The table's name as written in SQL: `time` is reserved-ish, so it is always `"time"`. */
export function tableSql(table: TableName | MetadataTableName): string {
  return sqlIdentifier(table);
}
