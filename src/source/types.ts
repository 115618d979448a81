/** Records read from the Sparkify source files (docs/data.md, Source data), typed as the staging tables hold them. */

export interface SongRecord {
  numSongs: number | null;
  artistId: string;
  artistLatitude: number | null;
  artistLongitude: number | null;
  artistLocation: string | null;
  artistName: string | null;
  songId: string;
  title: string | null;
  duration: number | null;
  year: number | null;
}

export interface EventRecord {
  artist: string | null;
  auth: string | null;
  firstName: string | null;
  gender: string | null;
  itemInSession: number | null;
  lastName: string | null;
  length: number | null;
  level: string | null;
  location: string | null;
  method: string | null;
  page: string | null;
  registration: number | null;
  sessionId: number | null;
  song: string | null;
  status: number | null;
  /** Epoch milliseconds. */
  ts: number;
  userAgent: string | null;
  /** "" in the source for logged-out visitors; kept as "" in staging. */
  userId: string | null;
}

/** A source record that could not be loaded: never dropped silently. */
export interface RejectedRecord {
  /** Path relative to the data folder the user named. */
  file: string;
  /** 1-based line number (1 for a song file). */
  line: number;
  reason: string;
}

export interface ReadStats {
  files: number;
  records: number;
  rejected: number;
  bytes: number;
}
