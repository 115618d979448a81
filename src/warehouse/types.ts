/**
 * The one small interface every SQL channel implements (PGlite in this process, node-postgres to
 * PostgreSQL or a Redshift cluster), plus optional capabilities chosen once, when the warehouse
 * opens. A channel that lacks a capability simply does not have it: there is no method that
 * throws "not on this target", so a caller asks `warehouse.capabilities` and picks its path,
 * and a new channel slots in by offering what it can. node-postgres's pluggable submittables
 * (copy streams, cursors and query streams plug into one client) are the model.
 */
import type { Target } from '../config/types.js';
import type { Dialect } from '../sql/dialect.js';
import type { LoadErrorRow } from '../sql/copy.js';
import type { QueryResult, RowStream } from '../sql/result.js';

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/** The transaction handed to the `work` of Warehouse.transaction. */
export interface Transaction extends Queryable {
  /** False once `work` has settled: the transaction is over and refuses further use. */
  readonly active: boolean;
}

/** Told as each statement of a batch starts and ends, for live progress. */
export interface BatchProgress {
  started?(index: number): void;
  finished?(index: number, result: QueryResult): void;
}

/** How a transaction hears Ctrl-C. */
export interface TransactionOptions {
  /**
   * The step's Ctrl-C. Once it fires, no further statement of the transaction starts and COMMIT
   * is not sent: the transaction rolls back and rejects with an InterruptedError, even when `work`
   * resolves (a cancel request can miss its statement, which then completes). Only a COMMIT already
   * on its way when the signal fires still commits (docs/safety.md).
   */
  signal?: AbortSignal | undefined;
}

export interface BatchOptions {
  progress?: BatchProgress | undefined;
  /** Once it fires, no further statement starts: the batch rolls back with an InterruptedError. */
  signal?: AbortSignal | undefined;
}

export interface Warehouse extends Queryable {
  readonly target: Target;
  /** What SQL to render for it (src/sql). */
  readonly dialect: Dialect;
  /** Where it is, for the menu header and messages; never contains a password. */
  readonly description: string;
  /** What this channel can do beyond plain statements; fixed when it opens. */
  readonly capabilities: WarehouseCapabilities;
  /**
   * Run `work` in one transaction: commit when it resolves, roll back when it throws or when
   * `options.signal` has fired by the time it resolves (TransactionOptions).
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Run `statements` in order as one transaction: all of them or none. Unlike `transaction`, the
   * whole list is known before the first one runs, which is the only kind of multi-statement
   * transaction the Redshift Data API offers (BatchExecuteStatement, see
   * https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_BatchExecuteStatement.html).
   * Resolves with each statement's result, in order.
   */
  batch(statements: readonly string[], options?: BatchOptions): Promise<QueryResult[]>;
  /**
   * Run one statement in a READ ONLY transaction, so the database itself refuses writes
   * (the `sql` command and analytics). Rolls back afterwards whatever happens.
   */
  readOnlyQuery<Row = Record<string, unknown>>(sql: string): Promise<QueryResult<Row>>;
  close(): Promise<void>;
}

/** The optional pieces a channel may plug in. Absent means "this warehouse cannot". */
export interface WarehouseCapabilities {
  /** Rows streamed from this machine into a table (PGlite, PostgreSQL). */
  readonly copyFromStdin?: CopyFromStdin;
  /** Staging filled by the warehouse reading S3 itself (Redshift). */
  readonly copyFromS3?: CopyFromS3;
  /** Big read-only results handed over a page at a time (no channel offers it yet). */
  readonly streamResults?: StreamResults;
  /** Stopping the statement that is running now on the server (no channel offers it yet). */
  readonly cancel?: CancelStatement;
  /** Seeing who holds a lock this session waits for, and bounding such waits (PostgreSQL, Redshift). */
  readonly lockWaits?: LockWaits;
}

/** Another session that holds a lock this warehouse's session waits for. */
export interface LockHolder {
  pid: number;
  /** Its application_name; '' when it set none; undefined when the server does not show it (Redshift). */
  application: string | undefined;
  /** Its database user, when the server shows it. */
  user: string | undefined;
  /** How long its transaction (outside one, its session) has been running, by the server's clock. */
  heldForMs: number | undefined;
}

/** What the server says about one wait of this session. */
export interface LockWaitState {
  holders: LockHolder[];
  /** The table waited for, when the lock is on a table. */
  relation: string | undefined;
  /** How long this session has waited so far, by the server's clock. */
  waitedMs: number | undefined;
  /**
   * Set when the server shows that this session waits but hides who holds the lock from this
   * session's user (Redshift shows an ordinary user only its own sessions): how someone allowed to
   * see it (a superuser) finds that session.
   */
  hiddenHolder?: { user: string | undefined; findWith: string } | undefined;
}

/**
 * Lock waits on a server shared with other sessions (PostgreSQL, Redshift): a statement that needs
 * a lock another session holds waits, silently, until that session ends its transaction.
 */
export interface LockWaits {
  /**
   * From now on, a statement of this session that has waited `ms` for a lock fails (SQLSTATE
   * 55P03, PostgreSQL's lock_timeout) instead of waiting on. Absent where the server has no such
   * setting (Redshift): a bounded wait is then ended with cancelWait once it has lasted `ms`.
   */
  limitWait?(ms: number): Promise<void>;
  /**
   * What this session waits for right now, asked over a second connection (this one is busy
   * waiting); undefined when it waits for no lock.
   */
  currentWait(): Promise<LockWaitState | undefined>;
  /** Stop the statement of this session that waits (Ctrl-C, or a bound reached): it fails. */
  cancelWait(): Promise<void>;
}

/**
 * A piece of COPY text: a string, or its UTF-8 bytes. Bytes go to the database as they are; the
 * load's event rows are written as bytes, and turning them into a string and back cost CPU and
 * memory for nothing (docs/performance.md). Bytes handed to copyIn are its own from then on (the
 * embedded warehouse moves them to its thread): the caller must not reuse them.
 */
export type CopyText = string | Uint8Array;

/** COPY … FROM STDIN: the database's own bulk load, fed from this process. */
export interface CopyFromStdin {
  /**
   * Bulk-load rows into `table` inside `tx` (a transaction of the same warehouse), streaming with
   * back-pressure. `lines` yields chunks of PostgreSQL COPY text format (tab-separated, `\N` for
   * NULL, each row ending in `\n`; see src/warehouse/copy-format.ts). Resolves with the number
   * of rows loaded; a rejected row rolls the whole transaction back.
   */
  copyIn(tx: Transaction, table: string, columns: readonly string[], lines: AsyncIterable<CopyText>): Promise<number>;
  /**
   * The bytes this COPY takes at once, when pieces of that size pass on without being joined or
   * copied (the embedded warehouse: one piece is one COPY moved to PGlite's thread).
   */
  readonly pieceBytes?: number;
}

/** Rows of the warehouse's own load-error log, and which log they came from. */
export interface LoadErrors {
  /** The system table or view that was read, e.g. `stl_load_errors`. */
  source: string;
  rows: LoadErrorRow[];
}

/**
 * Redshift's COPY … FROM 's3://…' (rendered by src/sql/copy.ts and run like any statement, in a
 * batch). What differs between channels is how a rejected COPY is explained: the cluster's
 * stl_load_errors over a session, SYS_LOAD_ERROR_DETAIL by query id elsewhere.
 */
export interface CopyFromS3 {
  /**
   * Why a COPY from S3 just failed, from the warehouse's load-error log: undefined when `failure`
   * is not a rejected COPY or the log holds nothing for it. Ask right after the failure.
   */
  loadErrors(failure: unknown): Promise<LoadErrors | undefined>;
  /**
   * What the warehouse reports so far about the COPY this warehouse's session is running, asked
   * on a second session (STV_LOAD_STATE on a cluster); undefined when it reports nothing yet.
   * Absent on a channel that cannot ask (docs/redshift.md, "Live progress").
   */
  loadState?(): Promise<CopyLoadState | undefined>;
}

/** A running COPY from S3 as the warehouse reports it (each figure summed over its slices). */
export interface CopyLoadState {
  /** Files the COPY reads, and how many of them it has finished. */
  files: number;
  filesDone: number;
  /** Rows (lines) loaded so far. */
  rows: number;
  bytesLoaded: number;
  /** 0 when the warehouse does not know (compressed input). */
  bytesToLoad: number;
}

/** Results too big to hold, read in pages (a cursor, pg-query-stream, the Data API's pages). */
export interface StreamResults {
  /**
   * Run one statement in a READ ONLY transaction and hand its rows over as they arrive, so memory
   * stays bounded however many rows there are. Leaving the loop early ends the statement and
   * rolls the transaction back; so does `signal`.
   */
  streamReadOnly(sql: string, options?: { signal?: AbortSignal | undefined }): Promise<RowStream>;
}

/** Ending a running statement on the server, not just walking away from it. */
export interface CancelStatement {
  /**
   * Ask the server to stop the statement running now, if any (PostgreSQL's cancel request, the
   * Data API's CancelStatement, ending PGlite's worker). The statement then fails, and the
   * transaction it ran in rolls back. Resolves once the request is made.
   */
  cancelRunning(): Promise<void>;
}
