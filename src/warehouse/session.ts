/**
 * The engine-independent half of every warehouse that holds one database session: BEGIN /
 * COMMIT / ROLLBACK, one operation at a time, errors turned into UserErrors, results streamed a
 * page at a time, Ctrl-C turned into a cancel of the running statement. Each engine only supplies
 * an `EngineSession` (run one statement, close; optionally read rows page by page and cancel)
 * and, when it has one, its COPY FROM STDIN; postgres, redshift and embedded therefore behave
 * identically in everything the steps can observe.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Target } from '../config/types.js';
import { oneLine } from '../error-text.js';
import { InterruptedError, UserError } from '../errors.js';
import type { Dialect } from '../sql/dialect.js';
import type { QueryResult, RowStream } from '../sql/result.js';
import { BEGIN_READ_ONLY_SQL, BEGIN_SQL, COMMIT_SQL, ROLLBACK_SQL } from '../sql/session.js';
import { isServerError, queryErrorFromServer } from './errors.js';
import type {
  BatchOptions,
  CopyText,
  Transaction,
  TransactionOptions,
  Warehouse,
  WarehouseCapabilities,
} from './types.js';

/** One result as an engine reports it; `command` is the server's command tag (SELECT, COMMIT, ROLLBACK …). */
export interface EngineResult extends QueryResult<Record<string, unknown>> {
  command: string | undefined;
}

/** Rows per page of a streamed result: a few MB at most, and few round trips. */
export const STREAM_PAGE_ROWS = 2000;

/** One statement's rows as an engine hands them over: arrays in `fields` order, a page at a time. */
export interface EngineRows {
  /** Column names in result order, duplicates kept. */
  readonly fields: readonly string[];
  /** The next page of rows; an empty page once there are no more. */
  next(): Promise<unknown[][]>;
  /** Release the statement (early, or after the last page). Not called after `next` failed. */
  close(): Promise<void>;
}

/** What an engine provides. Errors are thrown as the driver raised them; this module maps them. */
export interface EngineSession {
  /** One statement (extended protocol: a second statement in the text is refused). */
  run(sql: string, params?: readonly unknown[]): Promise<EngineResult>;
  close(): Promise<void>;
  /**
   * Run one statement and hand its rows over `pageSize` at a time (a cursor or portal), never
   * keyed by name. Called inside a transaction of this session. Makes `capabilities.streamResults`.
   */
  openRows?(sql: string, pageSize: number): Promise<EngineRows>;
  /**
   * Ask the server to stop the statement running now on this session, if any; resolves once the
   * request is made. Makes `capabilities.cancel`, and lets a batch's signal stop its statement.
   */
  cancel?(): Promise<void>;
  /**
   * Called for an error that is not a server error (the driver's own failure): return the
   * UserError to raise instead (e.g. "lost the connection"), or undefined to rethrow it as is.
   */
  describeFailure?(error: unknown): UserError | undefined;
}

/** An engine's COPY … FROM STDIN of COPY text `lines` into `table`; resolves with the rows loaded. */
export type EngineCopyIn = (
  table: string,
  columns: readonly string[],
  lines: AsyncIterable<CopyText>,
) => Promise<number>;

export interface SessionDescription {
  target: Target;
  dialect: Dialect;
  description: string;
}

/** Capabilities built on the finished warehouse's own queries (e.g. reading Redshift's load-error log). */
export type CapabilitiesOver = (warehouse: Warehouse) => Omit<WarehouseCapabilities, 'copyFromStdin'>;

/** What an engine plugs in beyond statements; each becomes a capability of the warehouse. */
export interface SessionPlugins {
  /** Makes `capabilities.copyFromStdin`; engines without COPY FROM STDIN leave it out. */
  copyIn?: EngineCopyIn | undefined;
  capabilities?: CapabilitiesOver | undefined;
}

/** Read through a function: TypeScript would keep a checked `signal.aborted` narrowed to false across awaits. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/**
 * A Transaction handed to `work`; refuses use after the transaction ended, and starts no
 * statement once the step's signal has fired (TransactionOptions).
 */
class SessionTransaction implements Transaction {
  active = true;
  constructor(
    readonly warehouse: SessionWarehouse,
    private readonly signal: AbortSignal | undefined,
  ) {}

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    this.assertActive();
    if (aborted(this.signal)) return Promise.reject(new InterruptedError());
    return this.warehouse.runMapped<Row>(sql, params);
  }

  assertActive(): void {
    if (!this.active)
      throw new Error('this transaction has already ended: use the Transaction only inside transaction(work)');
  }

  /** A statement boundary: throws the InterruptedError once the signal has fired. */
  assertLive(): void {
    if (aborted(this.signal)) throw new InterruptedError();
  }
}

export class SessionWarehouse implements Warehouse {
  readonly target: Target;
  readonly dialect: Dialect;
  readonly description: string;
  readonly capabilities: WarehouseCapabilities;
  /** Tail of the queue of operations: the session runs one at a time. */
  private queue: Promise<void> = Promise.resolve();
  /** Set while `work` of a transaction runs, to catch a nested call that would wait forever. */
  private readonly insideTransaction = new AsyncLocalStorage<true>();
  private closed = false;

  constructor(
    private readonly engine: EngineSession,
    about: SessionDescription,
    plugins: SessionPlugins = {},
  ) {
    this.target = about.target;
    this.dialect = about.dialect;
    this.description = about.description;
    const { copyIn } = plugins;
    const openRows = engine.openRows?.bind(engine);
    const cancel = engine.cancel?.bind(engine);
    this.capabilities = {
      ...plugins.capabilities?.(this),
      ...(copyIn === undefined
        ? {}
        : {
            copyFromStdin: {
              copyIn: (tx, table, columns, lines) => this.copyInMapped(copyIn, tx, table, columns, lines),
            },
          }),
      ...(openRows === undefined
        ? {}
        : { streamResults: { streamReadOnly: (sql, options) => this.streamReadOnly(openRows, sql, options?.signal) } }),
      ...(cancel === undefined ? {} : { cancel: { cancelRunning: cancel } }),
    };
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return this.exclusive(() => this.runMapped<Row>(sql, params));
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const { signal } = options;
    return this.exclusive(async () => {
      if (aborted(signal)) throw new InterruptedError();
      await this.control(BEGIN_SQL);
      const tx = new SessionTransaction(this, signal);
      let result: T;
      try {
        result = await this.insideTransaction.run(true, () => work(tx));
        // A cancel request can miss its statement (sent between two, or lost under load), which
        // then completes: the step has already said "interrupted", so this must not commit.
        tx.assertLive();
      } catch (error) {
        tx.active = false;
        await this.rollbackQuietly();
        // The statement's own failure (query_canceled, a worker ended) is the expected end of a Ctrl-C.
        throw aborted(signal) ? new InterruptedError() : error;
      }
      tx.active = false;
      const commit = await this.control(COMMIT_SQL).catch(async (error: unknown) => {
        await this.rollbackQuietly();
        throw error;
      });
      // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK instead of an error; that
      // happens when `work` caught a failing statement's error and carried on.
      if (commit.command === 'ROLLBACK') {
        throw new UserError(`the transaction on ${this.description} was rolled back because a statement in it failed`);
      }
      return result;
    });
  }

  batch(statements: readonly string[], options: BatchOptions = {}): Promise<QueryResult[]> {
    const { progress, signal } = options;
    return this.transaction(
      async (tx) => {
        // Ctrl-C stops the statement running now too, not only the ones after it (docs/safety.md).
        const stopCancelling = this.cancelOnAbort(signal);
        try {
          const results: QueryResult[] = [];
          for (const [index, sql] of statements.entries()) {
            // Before `started`: a statement that will not run is not reported as running.
            if (aborted(signal)) throw new InterruptedError();
            progress?.started?.(index);
            const result = await tx.query(sql);
            progress?.finished?.(index, result);
            results.push(result);
          }
          return results;
        } finally {
          stopCancelling();
        }
      },
      { signal },
    );
  }

  readOnlyQuery<Row = Record<string, unknown>>(sql: string): Promise<QueryResult<Row>> {
    return this.exclusive(async () => {
      await this.control(BEGIN_READ_ONLY_SQL);
      try {
        // Extended protocol (see EngineSession.run): "COMMIT; DROP …" cannot end the read-only
        // transaction early, because a second statement is refused outright.
        return await this.runMapped<Row>(sql);
      } finally {
        await this.rollbackQuietly();
      }
    });
  }

  /**
   * StreamResults: BEGIN READ ONLY, then the engine's pages. The session stays taken until the
   * pages have been read to the end or the loop over them is left (which ends the statement and
   * rolls back), so the caller must iterate `pages`. `signal` cancels the running statement.
   */
  private async streamReadOnly(
    openRows: NonNullable<EngineSession['openRows']>,
    sql: string,
    signal: AbortSignal | undefined,
  ): Promise<RowStream> {
    if (aborted(signal)) throw new InterruptedError();
    const release = await this.acquire();
    const stopCancelling = this.cancelOnAbort(signal);
    let rows: EngineRows;
    try {
      await this.control(BEGIN_READ_ONLY_SQL);
      // Extended protocol, as in readOnlyQuery: a second statement in `sql` is refused outright.
      rows = await openRows(sql, STREAM_PAGE_ROWS);
    } catch (error) {
      await this.rollbackQuietly();
      stopCancelling();
      release();
      throw aborted(signal) ? new InterruptedError() : this.mapError(error);
    }
    const finish = async (statementOpen: boolean): Promise<void> => {
      if (statementOpen) await rows.close().catch(() => undefined);
      await this.rollbackQuietly();
      stopCancelling();
      release();
    };
    return { fields: rows.fields, pages: this.pagesOf(rows, signal, finish) };
  }

  private async *pagesOf(
    rows: EngineRows,
    signal: AbortSignal | undefined,
    finish: (statementOpen: boolean) => Promise<void>,
  ): AsyncGenerator<unknown[][]> {
    let statementOpen = true;
    try {
      for (;;) {
        if (aborted(signal)) throw new InterruptedError();
        let page: unknown[][];
        try {
          page = await rows.next();
        } catch (error) {
          statementOpen = false;
          throw aborted(signal) ? new InterruptedError() : this.mapError(error);
        }
        if (page.length === 0) return;
        yield page;
      }
    } finally {
      await finish(statementOpen);
    }
  }

  /** While `signal` is live, an abort asks the engine to cancel the running statement. Returns the undo. */
  private cancelOnAbort(signal: AbortSignal | undefined): () => void {
    const cancel = this.engine.cancel?.bind(this.engine);
    if (signal === undefined || cancel === undefined) return () => undefined;
    const onAbort = (): void => {
      // The statement's own failure (57014, query_canceled) is what the caller sees; a cancel
      // request that cannot be delivered leaves the statement to finish, as before.
      cancel().catch(() => undefined);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.exclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.engine.close();
    });
  }

  /** @internal Run one statement, mapping errors; used by the transaction too. */
  async runMapped<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    try {
      const { rows, fields, rowCount } = await this.engine.run(sql, params);
      // Rows are typed by the caller's declaration; the driver cannot check it.
      return { rows: rows as Row[], fields, rowCount };
    } catch (error) {
      throw this.mapError(error);
    }
  }

  private async copyInMapped(
    copyIn: EngineCopyIn,
    tx: Transaction,
    table: string,
    columns: readonly string[],
    lines: AsyncIterable<CopyText>,
  ): Promise<number> {
    // The COPY runs on this session's connection, so it must be inside this session's transaction.
    if (!(tx instanceof SessionTransaction) || tx.warehouse !== this) {
      throw new Error(`copyIn needs a transaction of the same warehouse (${this.description})`);
    }
    tx.assertActive();
    tx.assertLive();
    try {
      return await copyIn(table, columns, lines);
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /** A transaction-control statement, whose command tag matters. */
  private async control(sql: string): Promise<EngineResult> {
    try {
      return await this.engine.run(sql);
    } catch (error) {
      throw this.mapError(error);
    }
  }

  private mapError(error: unknown): unknown {
    if (error instanceof UserError) return error;
    if (isServerError(error)) {
      // Class 08 (connection exception) and 57P01-03 (server shutting down, backend terminated).
      if (/^08|^57P0[123]$/.test(error.code)) {
        return new UserError(`lost the connection to ${this.description}: ${oneLine(error.message)}`, { cause: error });
      }
      return queryErrorFromServer(error);
    }
    return this.engine.describeFailure?.(error) ?? error;
  }

  private async rollbackQuietly(): Promise<void> {
    // The original error is the one worth reporting; a failed ROLLBACK (connection gone) would
    // only hide it, and the server rolls back on disconnect anyway.
    await this.engine.run(ROLLBACK_SQL).catch(() => undefined);
  }

  private async exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await operation();
    } finally {
      release();
    }
  }

  /** Wait for the session to be free and take it; the returned function frees it again. */
  private async acquire(): Promise<() => void> {
    if (this.insideTransaction.getStore() === true) {
      throw new Error(
        'the warehouse was used directly inside transaction(work): use the Transaction passed to work instead',
      );
    }
    if (this.closed) throw new Error(`the warehouse (${this.description}) is closed`);
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    return release;
  }
}
