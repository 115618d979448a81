/**
 * The `embedded` target: PGlite, PostgreSQL compiled to WebAssembly, its data kept in a folder
 * ([WAREHOUSE] EMBEDDED_DIR) or only in memory (tests). PGlite runs in a worker thread
 * (embedded-worker.ts) and this module drives it from the main thread, so the terminal stays live
 * while it works and `cancel()` can end a statement at once. The other targets never load it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readlink, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Target } from '../config/types.js';
import { oneLine } from '../error-text.js';
import { UserError } from '../errors.js';
import type { Dialect } from '../sql/dialect.js';
import type { QueryResult } from '../sql/result.js';
import { WorkerEngine, failureCause } from './embedded-host.js';
import { builtTemplateDir, hasUnfinishedCopy, usableTemplate } from './embedded-template.js';
import { SessionWarehouse, type SessionDescription } from './session.js';
import type {
  BatchOptions,
  StreamResults,
  Transaction,
  TransactionOptions,
  Warehouse,
  WarehouseCapabilities,
} from './types.js';

/**
 * PGlite reads COPY input from one in-memory Blob, so a load is cut into COPYs of about this
 * many characters: big enough that per-statement overhead vanishes, small enough that memory
 * stays flat however many rows come through. Each chunk exists in up to five copies at once
 * (text, bytes, Blob, PGlite's buffer; two chunks in flight): 4 MB chunks cost ~70 MB more peak
 * memory than 1 MB ones for a 300k-event load, with no measurable gain in time (docs/performance.md).
 */
export const EMBEDDED_COPY_CHUNK_CHARACTERS = 1024 * 1024;

/**
 * PostgreSQL settings on top of PGlite's own. PGlite keeps PostgreSQL's shared buffers in its
 * WebAssembly memory, where every page counts towards the program's memory: the default 128 MB
 * made `sql "SELECT 1"` take ~350 MB, 16 MB takes ~210 MB (docs/performance.md). The data folder
 * is written through the operating system's cache anyway (fsync is off in PGlite), so a
 * smaller pool costs little. For the same reason the load's key builds after the insert sort in
 * 16 MB instead of PostgreSQL's 64 MB (maintenance_work_mem): WebAssembly memory never shrinks,
 * and a 1M-event load's songplays key filled most of the 64 MB (docs/performance.md).
 */
export const EMBEDDED_SETTINGS: readonly string[] = ['shared_buffers=16MB', 'maintenance_work_mem=16MB'];

let templateOverride: string | undefined;

/**
 * The template a new warehouse is copied from, for tests that run the TypeScript sources (where
 * `npm run build` has not put one beside this module).
 */
export function setEmbeddedTemplateDir(dir: string | undefined): void {
  templateOverride = dir;
}

export interface OpenEmbeddedOptions {
  /** Characters per COPY when loading (default EMBEDDED_COPY_CHUNK_CHARACTERS); tests make it small. */
  copyChunkCharacters?: number;
  /**
   * The template folder a new warehouse starts as a copy of (embedded-template.ts); by default the
   * one `npm run build` made; `false` runs PGlite's initdb instead.
   */
  template?: string | false;
}

function openFailure(folder: string, real: string, error: unknown): UserError {
  const where = folder === real ? folder : `${folder} (${real})`;
  return new UserError(`cannot open the embedded warehouse in ${where}: ${failureCause(error, real)}`, {
    cause: error,
    hint:
      'if the folder is damaged or was made by another PGlite version, move it aside (rename it) and run ' +
      '`sparkify-dwh tables create` and `sparkify-dwh load` to start a new warehouse there',
  });
}

/**
 * Create the folder, or make sure an existing one is a PGlite data folder (or empty); returns its
 * real path. PGlite cannot open a data folder through a symbolic link, so it is given the folder
 * the link points to.
 */
async function prepareDataDir(folder: string): Promise<string> {
  if (existsSync(folder) && !statSync(folder).isDirectory()) {
    throw new UserError(`the embedded warehouse folder ${folder} is a file: set [WAREHOUSE] EMBEDDED_DIR to a folder`);
  }
  if (!existsSync(folder) && lstatSync(folder, { throwIfNoEntry: false })?.isSymbolicLink()) {
    const target = await readlink(folder);
    throw new UserError(
      `the embedded warehouse folder ${folder} is a symbolic link to ${target}, which does not exist: ` +
        'create that folder, or set [WAREHOUSE] EMBEDDED_DIR to another one',
    );
  }
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(
      `cannot create the embedded warehouse folder ${folder} (${oneLine(reason)}): ` +
        'set [WAREHOUSE] EMBEDDED_DIR to a folder you can write to',
      { cause: error },
    );
  }
  const real = await realpath(folder);
  // PGlite would happily initialise a database among someone's other files; refuse instead. What
  // is there is not ours to judge, so there is no advice about it beyond choosing another folder.
  if (readdirSync(real).length > 0 && !existsSync(join(real, 'PG_VERSION')) && !hasUnfinishedCopy(real)) {
    throw new UserError(
      `${folder} is not an embedded warehouse folder (it holds other files and no PG_VERSION): ` +
        'set [WAREHOUSE] EMBEDDED_DIR to a new folder',
    );
  }
  return real;
}

function chooseTemplate(option: string | false | undefined): string | undefined {
  if (option === false) return undefined;
  const dir = option ?? templateOverride ?? builtTemplateDir();
  return usableTemplate(dir);
}

interface OpenSession {
  engine: WorkerEngine;
  session: SessionWarehouse;
}

function sessionOver(engine: WorkerEngine, about: SessionDescription): OpenSession {
  return {
    engine,
    session: new SessionWarehouse(engine, about, {
      copyIn: (table, columns, lines) => engine.copyIn(table, columns, lines),
    }),
  };
}

/**
 * The embedded warehouse as the main thread sees it: one SessionWarehouse over the current
 * worker, with every capability it offers (COPY FROM STDIN, streamed results, cancel). After a
 * cancel (or a crash of the worker) the next call starts a new worker on the same folder; a
 * transaction that was running stays failed, because it belonged to the worker that ended.
 */
export class EmbeddedWarehouse implements Warehouse {
  readonly target: Target = 'embedded';
  readonly dialect: Dialect = 'postgres';
  readonly description: string;
  readonly capabilities: WarehouseCapabilities;
  private current: OpenSession | undefined;
  private reopening: Promise<OpenSession> | undefined;
  /** Resolves once the last ended worker has let go of the data folder. */
  private stopped: Promise<void> = Promise.resolve();
  private closedBecause: Error | undefined;
  /** The session a transaction's work runs on: calls made inside it stay there. */
  private readonly transactionSession = new AsyncLocalStorage<SessionWarehouse>();

  constructor(
    first: WorkerEngine,
    private readonly startEngine: () => Promise<WorkerEngine>,
    private readonly about: SessionDescription,
    private readonly inMemory: boolean,
  ) {
    this.description = about.description;
    this.current = sessionOver(first, about);
    this.capabilities = {
      copyFromStdin: {
        pieceBytes: EMBEDDED_COPY_CHUNK_CHARACTERS,
        copyIn: (tx, table, columns, lines) => {
          // A transaction's work runs on the session that began it (see transaction()).
          const session = this.transactionSession.getStore() ?? this.current?.session;
          const copy = session?.capabilities.copyFromStdin;
          if (copy === undefined) return Promise.reject(new Error('copyIn needs a transaction of this warehouse'));
          return copy.copyIn(tx, table, columns, lines);
        },
      },
      streamResults: {
        streamReadOnly: (sql, options) => this.use((session) => streamOf(session).streamReadOnly(sql, options)),
      },
      cancel: { cancelRunning: () => this.cancel() },
    };
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return this.use((session) => session.query<Row>(sql, params));
  }

  readOnlyQuery<Row = Record<string, unknown>>(sql: string): Promise<QueryResult<Row>> {
    return this.use((session) => session.readOnlyQuery<Row>(sql));
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.use((session) =>
      session.transaction((tx) => this.transactionSession.run(session, () => work(tx)), options),
    );
  }

  batch(statements: readonly string[], options?: BatchOptions): Promise<QueryResult[]> {
    // The session's batch ends the worker when `signal` fires (WorkerEngine.cancel).
    return this.use((session) => session.batch(statements, options));
  }

  /**
   * Stop the statement that is running now, if one is, within a moment: PGlite cannot interrupt
   * a statement, so its worker thread is ended, which is as safe for the data folder as a
   * kill -9 (embedded-host.ts). The statement and the transaction it belongs to reject with an
   * InterruptedError; the next call opens the folder again (an in-memory warehouse is gone).
   */
  async cancel(): Promise<void> {
    const current = this.current;
    if (current === undefined || !current.engine.busy) return;
    if (this.inMemory) this.closedBecause = new Error('the in-memory embedded warehouse was ended by a cancel');
    this.stopped = current.engine.cancel();
    await this.stopped;
  }

  async close(): Promise<void> {
    this.closedBecause ??= new Error(`the warehouse (${this.description}) is closed`);
    const current = this.current ?? (await this.reopening?.catch(() => undefined));
    this.current = undefined;
    await current?.session.close();
    await this.stopped;
  }

  private use<T>(operation: (session: SessionWarehouse) => Promise<T>): Promise<T> {
    // Inside a transaction's work: its own session, which refuses such use with a clear error.
    const inside = this.transactionSession.getStore();
    if (inside !== undefined) return operation(inside);
    if (this.closedBecause !== undefined) return Promise.reject(this.closedBecause);
    if (this.current !== undefined && this.current.engine.alive) return operation(this.current.session);
    return this.reopen().then((open) => operation(open.session));
  }

  private reopen(): Promise<OpenSession> {
    const dead = this.current;
    this.current = undefined;
    if (dead !== undefined)
      this.stopped = dead.engine.terminate(new Error('the embedded warehouse worker was replaced'));
    this.reopening ??= (async () => {
      if (this.inMemory) throw (this.closedBecause ??= new Error('the in-memory embedded warehouse has stopped'));
      await this.stopped;
      const open = sessionOver(await this.startEngine(), this.about);
      this.current = open;
      return open;
    })().finally(() => {
      this.reopening = undefined;
    });
    return this.reopening;
  }
}

function streamOf(session: SessionWarehouse): StreamResults {
  const stream = session.capabilities.streamResults;
  if (stream === undefined) throw new Error('the embedded session streams results');
  return stream;
}

/** Open (creating if needed) the embedded warehouse in `dataDir`, or an in-memory one when undefined. */
export async function openEmbedded(
  dataDir: string | undefined,
  options: OpenEmbeddedOptions = {},
): Promise<EmbeddedWarehouse> {
  const folder = dataDir === undefined ? undefined : resolve(dataDir);
  const real = folder === undefined ? undefined : await prepareDataDir(folder);
  const copyChunkCharacters = options.copyChunkCharacters ?? EMBEDDED_COPY_CHUNK_CHARACTERS;
  const workerOptions = {
    dataDir: real,
    templateDir: real === undefined ? undefined : chooseTemplate(options.template),
    settings: EMBEDDED_SETTINGS,
  };
  const start = async (): Promise<WorkerEngine> => {
    try {
      return await WorkerEngine.start(workerOptions, copyChunkCharacters);
    } catch (error) {
      if (folder === undefined || real === undefined) throw error; // in memory: nothing the user can fix, a bug
      throw openFailure(folder, real, error);
    }
  };
  const about: SessionDescription = {
    target: 'embedded',
    dialect: 'postgres',
    description: folder === undefined ? 'embedded (PGlite) in memory' : `embedded (PGlite) at ${folder}`,
  };
  return new EmbeddedWarehouse(await start(), start, about, folder === undefined);
}
