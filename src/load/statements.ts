/**
 * A load as a list of statements that know what they do, so one list can run either inside a
 * transaction or as one batch (the Redshift Data API's only multi-statement transaction), with
 * the same progress events either way.
 */
import { InterruptedError } from '../errors.js';
import type { Dialect } from '../sql/dialect.js';
import type { QueryResult } from '../sql/result.js';
import type { StagingTableName, StarTableName } from '../sql/tables.js';
import { addStarKeysSql, dropStarKeysSql } from '../sql/ddl.js';
import { clearStagingSql, clearStarSql, insertStarSql, starPlanSettingsSql } from '../sql/transform.js';
import type { BatchProgress, Transaction } from '../warehouse/types.js';
import type { LoadObserver } from './types.js';

export type LoadStatement =
  | { step: 'clear'; sql: string }
  /** Sets the star tables' primary keys aside before the inserts, or adds them back after. */
  | { step: 'keys'; sql: string }
  /** A planner setting for the rest of the transaction (transform.ts, starPlanSettingsSql). */
  | { step: 'setting'; sql: string }
  /** A COPY the warehouse runs itself, reading `from`. */
  | { step: 'copy'; table: StagingTableName; from: string; sql: string }
  /** Counts `table` after its COPY: answers one row with `row_count` (rowCountsSql). */
  | { step: 'count'; table: StagingTableName; sql: string }
  | { step: 'transform'; table: StarTableName; sql: string }
  /** Records where the data came from in the load history (history.ts). */
  | { step: 'record'; sql: string };

export function clearStagingStatements(dialect: Dialect): LoadStatement[] {
  return clearStagingSql(dialect).map((sql) => ({ step: 'clear', sql }));
}

/**
 * Staging → star schema: empty every star table, then fill each from staging (time last), with
 * the primary keys set aside meanwhile where they are real indexes (ddl.ts, dropStarKeysSql).
 */
export function rebuildStarStatements(dialect: Dialect): LoadStatement[] {
  return [
    ...starPlanSettingsSql(dialect).map((sql): LoadStatement => ({ step: 'setting', sql })),
    ...clearStarSql(dialect).map((sql): LoadStatement => ({ step: 'clear', sql })),
    ...dropStarKeysSql(dialect).map((sql): LoadStatement => ({ step: 'keys', sql })),
    ...insertStarSql().map(({ table, sql }): LoadStatement => ({ step: 'transform', table, sql })),
    ...addStarKeysSql(dialect).map((sql): LoadStatement => ({ step: 'keys', sql })),
  ];
}

/** Turns "statement i started / finished" into load events, and keeps the counts a load reports. */
export class StatementProgress implements BatchProgress {
  /** Rows per staging table (from its count) and per star table (rows inserted). */
  readonly rows = new Map<string, number>();
  private running: LoadStatement | undefined;

  constructor(
    private readonly statements: readonly LoadStatement[],
    private readonly observe: LoadObserver,
  ) {}

  started(index: number): void {
    const statement = this.statements[index];
    this.running = statement;
    if (statement?.step === 'copy')
      this.observe({ kind: 'copy-started', table: statement.table, from: statement.from });
    if (statement?.step === 'transform') this.observe({ kind: 'transform-started', table: statement.table });
  }

  finished(index: number, result: QueryResult): void {
    const statement = this.statements[index];
    this.running = undefined;
    if (statement?.step === 'count') {
      const rows = Number(result.rows[0]?.row_count ?? 0);
      this.rows.set(statement.table, rows);
      this.observe({ kind: 'copy-finished', table: statement.table, rows });
    }
    if (statement?.step === 'transform') {
      this.rows.set(statement.table, result.rowCount);
      this.observe({ kind: 'transform-finished', table: statement.table, rows: result.rowCount });
    }
  }

  /** After a failure: report the statement that was running, and return it. */
  failed(): LoadStatement | undefined {
    const statement = this.running;
    this.running = undefined;
    if (statement?.step === 'copy' || statement?.step === 'count')
      this.observe({ kind: 'copy-failed', table: statement.table });
    if (statement?.step === 'transform') this.observe({ kind: 'transform-failed', table: statement.table });
    return statement;
  }
}

/**
 * Lets timers and signal handlers (Ctrl-C) run before the load goes on. Files read synchronously
 * and a database in this thread (PGlite) answer without real I/O, so without this a SIGINT would
 * be heard only once the whole load was over. One turn per COPY chunk or statement costs nothing.
 */
export function turnOfTheEventLoop(): Promise<void> {
  return new Promise((resolveTurn) => setImmediate(resolveTurn));
}

/** Run `statements` in order inside `tx`, as Warehouse.batch would, reporting to `progress`. */
export async function runInTransaction(
  tx: Transaction,
  statements: readonly LoadStatement[],
  progress: StatementProgress,
  signal: AbortSignal,
): Promise<void> {
  try {
    for (const [index, statement] of statements.entries()) {
      await turnOfTheEventLoop();
      // The transaction refuses the statement too; checked here first so that a statement that
      // will not run is not shown as started.
      if (signal.aborted) throw new InterruptedError();
      progress.started(index);
      progress.finished(index, await tx.query(statement.sql));
    }
  } catch (error) {
    progress.failed();
    throw error;
  }
}
