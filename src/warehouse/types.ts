import type { Target } from '../config/types.js';
import type { Dialect } from '../sql/dialect.js';
import type { QueryResult } from '../sql/result.js';

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/** A transaction: queries plus bulk COPY of rows, all committed or rolled back together. */
export interface Transaction extends Queryable {
  /**
   * Bulk-load rows into `table` through the database's own COPY, streaming with back-pressure.
   * `lines` yields chunks of PostgreSQL COPY text format (tab-separated, `\N` for NULL, each
   * row ending in `\n`; see src/warehouse/copy-format.ts). Returns the number of rows loaded.
   * Not available on redshift (it loads from S3 with its own COPY statement).
   */
  copyIn(table: string, columns: readonly string[], lines: AsyncIterable<string>): Promise<number>;
}

/**
 * The one small interface every target implements. Steps never know which engine is behind it
 * beyond `dialect` (what SQL to render) and `target` (what to say).
 */
export interface Warehouse extends Queryable {
  readonly target: Target;
  readonly dialect: Dialect;
  /** Where it is, for the menu header and messages; never contains a password. */
  readonly description: string;
  /** Run `work` in one transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Run one statement in a READ ONLY transaction, so the database itself refuses writes
   * (the `sql` command and analytics). Rolls back afterwards whatever happens.
   */
  readOnlyQuery<Row = Record<string, unknown>>(sql: string): Promise<QueryResult<Row>>;
  close(): Promise<void>;
}
