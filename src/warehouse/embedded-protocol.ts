/**
 * The messages between the main thread (embedded-host.ts) and the worker thread that runs PGlite
 * (embedded-worker.ts), and how errors cross between them. PGlite is PostgreSQL compiled to one
 * single-threaded WebAssembly module: in the main thread a long statement would freeze the
 * terminal and Ctrl-C; in a worker it only occupies that thread, and ending the thread ends the
 * statement.
 */

/** What the worker is started with (its workerData). */
export interface EmbeddedWorkerOptions {
  /** The real path of the data folder (symbolic links resolved), or undefined for in memory. */
  dataDir: string | undefined;
  /** A folder made by `npm run build` to copy into an empty data folder instead of running initdb. */
  templateDir: string | undefined;
  /** PostgreSQL settings (`-c name=value`) added to PGlite's start parameters. */
  settings: readonly string[];
}

export type HostRequest =
  | { type: 'query'; id: number; sql: string; params: unknown[] }
  /** One COPY statement whose input (`/dev/blob`) is `data`: whole rows of COPY text, UTF-8. */
  | { type: 'copy'; id: number; sql: string; data: Uint8Array }
  | { type: 'close'; id: number };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'open-failed'; error: SerializedError }
  | {
      type: 'result';
      id: number;
      fields: string[];
      /** Rows as arrays in field order (cheaper to copy between threads than objects). */
      rows: unknown[][];
      rowCount: number;
      command: string | undefined;
    }
  | { type: 'copied'; id: number; rowCount: number }
  | { type: 'closed'; id: number }
  | { type: 'failed'; id: number; error: SerializedError };

/**
 * An error as it crosses the thread boundary. Structured cloning keeps only an Error's message,
 * so the server's fields (code, detail, position…) travel explicitly; `postgresLog` holds the
 * last lines PostgreSQL wrote to its standard error, which are the only place some failures
 * (a damaged data folder, an abort) are described.
 */
export interface SerializedError {
  name: string;
  message: string;
  fields: Record<string, string | number>;
  postgresLog: string[];
}

/** Error fields worth carrying: PGlite's DatabaseError has these, emscripten's ErrnoError `errno`. */
const CARRIED_FIELDS = [
  'code',
  'severity',
  'detail',
  'hint',
  'position',
  'where',
  'schema',
  'table',
  'column',
  'constraint',
  'routine',
  'errno',
] as const;

/** `error` (anything thrown) in a form postMessage copies whole. */
export function serializeError(error: unknown, postgresLog: readonly string[] = []): SerializedError {
  const fields: Record<string, string | number> = {};
  if (typeof error === 'object' && error !== null) {
    const record = error as Record<string, unknown>;
    for (const name of CARRIED_FIELDS) {
      const value = record[name];
      if (typeof value === 'string' || typeof value === 'number') fields[name] = value;
    }
    const name = typeof record.name === 'string' ? record.name : 'Error';
    const message = typeof record.message === 'string' ? record.message : '';
    return { name, message, fields, postgresLog: [...postgresLog] };
  }
  return { name: 'Error', message: String(error), fields, postgresLog: [...postgresLog] };
}

/** An error thrown in the worker, rebuilt as an Error with the same name, message and fields. */
export class WorkerError extends Error {
  readonly postgresLog: readonly string[];
  constructor(serialized: SerializedError) {
    super(serialized.message);
    this.name = serialized.name;
    Object.assign(this, serialized.fields);
    this.postgresLog = serialized.postgresLog;
  }
}
