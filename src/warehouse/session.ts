/**
 * The engine-independent half of every warehouse: one database session driven through
 * BEGIN / COMMIT / ROLLBACK, with errors turned into UserErrors. Each engine only supplies an
 * `EngineSession` (run one statement, COPY rows in, close); postgres, redshift and embedded
 * therefore behave identically in everything the steps can observe.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { UserError } from '../errors.js';
import type { Target } from '../config/types.js';
import { BEGIN_READ_ONLY_SQL, BEGIN_SQL, COMMIT_SQL, ROLLBACK_SQL } from '../sql/session.js';
import { isServerError, oneLine, queryErrorFromServer } from './errors.js';
import type { Dialect } from '../sql/dialect.js';
import type { QueryResult } from '../sql/result.js';
import type { Transaction, Warehouse } from './types.js';

/** One result as an engine reports it; `command` is the server's command tag (SELECT, COMMIT, ROLLBACK …). */
export interface EngineResult extends QueryResult<Record<string, unknown>> {
  command: string | undefined;
}

/** What an engine provides. Errors are thrown as the driver raised them; this module maps them. */
export interface EngineSession {
  /** One statement (extended protocol: a second statement in the text is refused). */
  run(sql: string, params?: readonly unknown[]): Promise<EngineResult>;
  copyIn(table: string, columns: readonly string[], lines: AsyncIterable<string>): Promise<number>;
  close(): Promise<void>;
  /**
   * Called for an error that is not a server error (the driver's own failure): return the
   * UserError to raise instead (e.g. "lost the connection"), or undefined to rethrow it as is.
   */
  describeFailure?(error: unknown): UserError | undefined;
}

export interface SessionDescription {
  target: Target;
  dialect: Dialect;
  description: string;
}

/** A Transaction handed to `work`; refuses use after the transaction ended. */
class SessionTransaction implements Transaction {
  active = true;
  constructor(private readonly warehouse: SessionWarehouse) {}

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    this.assertActive();
    return this.warehouse.runMapped<Row>(sql, params);
  }

  copyIn(table: string, columns: readonly string[], lines: AsyncIterable<string>): Promise<number> {
    this.assertActive();
    return this.warehouse.copyInMapped(table, columns, lines);
  }

  private assertActive(): void {
    if (!this.active)
      throw new Error('this transaction has already ended: use the Transaction only inside transaction(work)');
  }
}

export class SessionWarehouse implements Warehouse {
  readonly target: Target;
  readonly dialect: Dialect;
  readonly description: string;
  /** Tail of the queue of operations: the session runs one at a time. */
  private queue: Promise<void> = Promise.resolve();
  /** Set while `work` of a transaction runs, to catch a nested call that would wait forever. */
  private readonly insideTransaction = new AsyncLocalStorage<true>();
  private closed = false;

  constructor(
    private readonly engine: EngineSession,
    about: SessionDescription,
  ) {
    this.target = about.target;
    this.dialect = about.dialect;
    this.description = about.description;
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return this.exclusive(() => this.runMapped<Row>(sql, params));
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.control(BEGIN_SQL);
      const tx = new SessionTransaction(this);
      let result: T;
      try {
        result = await this.insideTransaction.run(true, () => work(tx));
      } catch (error) {
        tx.active = false;
        await this.rollbackQuietly();
        throw error;
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

  /** @internal */
  async copyInMapped(table: string, columns: readonly string[], lines: AsyncIterable<string>): Promise<number> {
    try {
      return await this.engine.copyIn(table, columns, lines);
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
    try {
      return await operation();
    } finally {
      release();
    }
  }
}
