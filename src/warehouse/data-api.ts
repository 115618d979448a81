/**
 * The Redshift Data API channel: SQL over HTTPS with the caller's IAM identity, no network path to
 * the cluster and no password (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html).
 * Behind the same Warehouse interface as PGlite and node-postgres, with two differences the
 * Data API imposes, made explicit rather than papered over:
 *
 * - No interactive transactions. Each statement runs on its own; the only multi-statement
 *   transaction is one BatchExecuteStatement, whose statements are all known when it is sent.
 *   `batch(statements)` is that, results included. `transaction(work)` collects what `work`
 *   issues and sends it as one batch when `work` returns, so a failed or interrupted `work`
 *   changes nothing; the results of those statements cannot exist before then, and reading one
 *   inside `work` throws (see DEFERRED_RESULT_MESSAGE). Code that needs results in the middle of
 *   a transaction uses `batch`.
 * - No COPY FROM STDIN: rows cannot be streamed in over the API (capabilities.copyFromStdin is
 *   absent); data loads from S3 (copyFromS3, whose rejected COPYs are explained from
 *   SYS_LOAD_ERROR_DETAIL by the failed sub-statement's query id).
 *
 * Its capabilities: copyFromS3, streamResults (GetStatementResult pages), cancel (CancelStatement)
 * and lockWaits (SVV_TRANSACTIONS for the running statement's session, src/warehouse/redshift-lock-waits.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RedshiftDataClient, SqlParameter, SubStatementData } from '@aws-sdk/client-redshift-data';
import type { DwhConfig, Target } from '../config/types.js';
import { ConfigError, InterruptedError } from '../errors.js';
import { loadErrorDetailSql, type LoadErrorRow } from '../sql/copy.js';
import { stvLoadStateSql, sysLoadHistoryProgressSql, type LoadStateRow } from '../sql/copy-progress.js';
import type { QueryResult, RowStream } from '../sql/result.js';
import { BEGIN_READ_ONLY_SQL, SERVER_VERSION_SQL } from '../sql/session.js';
import { isRejectedLoad } from './data-api-errors.js';
import {
  DEFAULT_POLL,
  DataApiStatements,
  describeTarget,
  type DataApiClock,
  type DataApiTarget,
  type PollSettings,
  type ResultPage,
  type StatementProgress,
} from './data-api-statements.js';
import { namedParameters } from './data-api-values.js';
import { toLoadState } from './pg-load-state.js';
import { redshiftLockWaits } from './redshift-lock-waits.js';
import type {
  BatchOptions,
  CopyFromS3,
  CopyLoadState,
  Transaction,
  TransactionOptions,
  Warehouse,
  WarehouseCapabilities,
} from './types.js';

export type { DataApiClock, DataApiTarget, PollSettings, StatementProgress } from './data-api-statements.js';

export interface OpenRedshiftDataApiOptions {
  /**
   * Made by the caller from the shared AWS settings (region, profile or keys), so AWS_ENDPOINT_URL
   * and the SDK's configuration chain apply as for every other client. Not destroyed by close().
   */
  client: RedshiftDataClient;
  /** A provisioned cluster (with or without DbUser) or a Serverless workgroup, and the database. */
  target: DataApiTarget;
  /** What `warehouse.target` reports (default: 'redshift-serverless' for a workgroup, else 'redshift'). */
  warehouseTarget?: Target | undefined;
  /** Default: the system clock. */
  clock?: DataApiClock | undefined;
  /** DescribeStatement polling (default DEFAULT_POLL: 100 ms growing to 1 s). */
  poll?: Partial<PollSettings> | undefined;
  /** Ctrl-C: the running statement is cancelled on the server and its call rejects with InterruptedError. */
  signal?: AbortSignal | undefined;
  /** Every poll of a running statement, for a spinner (elapsed time, state, batch progress). */
  onProgress?: ((progress: StatementProgress) => void) | undefined;
  /** Run `SELECT version()` when opening, so a wrong name or a missing permission shows at once (default true). */
  probe?: boolean | undefined;
}

/** What reading a result inside a Data API `transaction(work)` says. */
export const DEFERRED_RESULT_MESSAGE =
  'results of statements inside a Redshift Data API transaction do not exist until it commits ' +
  '(its statements run as one BatchExecuteStatement when work returns): use warehouse.batch() to read results';

const SYSTEM_CLOCK: DataApiClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(abortError());
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortError());
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

function abortError(): Error {
  const error = new Error('The wait was interrupted');
  error.name = 'AbortError';
  return error;
}

/** What describes the channel in the menu header: never a secret (there is none). */
export function describeDataApi(target: DataApiTarget): string {
  const kind = 'workgroupName' in target ? 'redshift-serverless' : 'redshift';
  return `${kind} via the Data API (${describeTarget(target)})`;
}

/** A statement `work` issued, waiting for the batch. */
interface DeferredStatement {
  sql: string;
  params: readonly unknown[] | undefined;
}

/**
 * The Transaction `work` receives: statements are collected, not run. Its results cannot be read
 * (DEFERRED_RESULT_MESSAGE); everything else behaves as on the other channels.
 */
class DeferredTransaction implements Transaction {
  readonly statements: DeferredStatement[] = [];
  active = true;

  constructor(private readonly signal: AbortSignal | undefined) {}

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    if (!this.active) {
      return Promise.reject(
        new Error('this transaction has already ended: use the Transaction only inside transaction(work)'),
      );
    }
    if (this.signal?.aborted === true) return Promise.reject(new InterruptedError());
    this.statements.push({ sql, params });
    return Promise.resolve(deferredResult<Row>());
  }
}

function deferredResult<Row>(): QueryResult<Row> {
  const refuse = (): never => {
    throw new Error(DEFERRED_RESULT_MESSAGE);
  };
  return {
    get rows(): Row[] {
      return refuse();
    },
    get fields(): string[] {
      return refuse();
    },
    get rowCount(): number {
      return refuse();
    },
  };
}

/** Rows keyed by column name, as QueryResult has them (a duplicate name keeps its last value). */
function asObjects(fields: readonly string[], rows: readonly (readonly unknown[])[]): Record<string, unknown>[] {
  return rows.map((row) => {
    const object: Record<string, unknown> = {};
    fields.forEach((field, index) => {
      object[field] = row[index];
    });
    return object;
  });
}

export class DataApiWarehouse implements Warehouse {
  readonly target: Target;
  readonly dialect = 'redshift' as const;
  readonly description: string;
  readonly capabilities: WarehouseCapabilities;
  private readonly statements: DataApiStatements;
  /** A second channel for live COPY progress: the first is busy with the load (docs/redshift.md, Live progress). */
  private readonly probe: DataApiStatements;
  /**
   * A third, for who holds a lock the running statement waits for. Without the Ctrl-C signal: one
   * Ctrl-C sends one CancelStatement, for the step's statement; a look in flight ends by itself.
   */
  private readonly lockProbe: DataApiStatements;
  /** Tail of the queue: one operation at a time, as on the session-based channels. */
  private queue: Promise<void> = Promise.resolve();
  private readonly insideTransaction = new AsyncLocalStorage<true>();
  private closed = false;

  constructor(options: OpenRedshiftDataApiOptions) {
    this.target = options.warehouseTarget ?? ('workgroupName' in options.target ? 'redshift-serverless' : 'redshift');
    this.description = describeDataApi(options.target);
    this.statements = new DataApiStatements({
      client: options.client,
      target: options.target,
      clock: options.clock ?? SYSTEM_CLOCK,
      poll: { ...DEFAULT_POLL, ...options.poll },
      signal: options.signal,
      onProgress: options.onProgress,
    });
    this.probe = new DataApiStatements({
      client: options.client,
      target: options.target,
      clock: options.clock ?? SYSTEM_CLOCK,
      poll: { ...DEFAULT_POLL, ...options.poll },
      signal: options.signal,
      onProgress: undefined,
    });
    this.lockProbe = new DataApiStatements({
      client: options.client,
      target: options.target,
      clock: options.clock ?? SYSTEM_CLOCK,
      poll: { ...DEFAULT_POLL, ...options.poll },
      signal: undefined,
      onProgress: undefined,
    });
    this.capabilities = {
      copyFromS3: this.loadErrorDetail(),
      streamResults: { streamReadOnly: (sql, streamOptions) => this.streamReadOnly(sql, streamOptions) },
      cancel: { cancelRunning: () => this.cancelRunning() },
      // Each statement is a session of its own: the one waiting is the running statement's
      // (DescribeStatement's RedshiftPid), asked about in a statement of its own.
      lockWaits: redshiftLockWaits({
        ownPid: () => (this.closed ? undefined : this.statements.runningPid),
        ask: (sql, params) => this.probeRows(this.lockProbe, sql, params),
        cancel: () => this.cancelRunning(),
      }),
    };
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
    return this.exclusive(async () => {
      const named = namedParameters(sql, params);
      const finished = await this.statements.execute(named.sql, named.parameters);
      const { fields, rows } = finished.hasResultSet ? await this.collect(finished.id) : { fields: [], rows: [] };
      return {
        // Rows are typed by the caller's declaration; the API cannot check it.
        rows: asObjects(fields, rows) as Row[],
        fields: [...fields],
        rowCount: finished.hasResultSet ? rows.length : Math.max(finished.resultRows, 0),
      };
    });
  }

  /**
   * `work` runs first, with statements collected; when it resolves they run as one
   * BatchExecuteStatement (one transaction), when it throws nothing is sent at all. Inside `work`
   * the results of tx.query are not available (DEFERRED_RESULT_MESSAGE). Once `options.signal`
   * has fired nothing is sent either: the call rejects with an InterruptedError.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const { signal } = options;
    const aborted = (): boolean => signal?.aborted === true;
    return this.exclusive(async () => {
      if (aborted()) throw new InterruptedError();
      const tx = new DeferredTransaction(signal);
      let result: T;
      try {
        result = await this.insideTransaction.run(true, () => work(tx));
      } catch (error) {
        throw aborted() ? new InterruptedError() : error;
      } finally {
        tx.active = false;
      }
      // The step has said "interrupted": the batch that would commit `work` is not sent.
      if (aborted()) throw new InterruptedError();
      const parameters: SqlParameter[] = [];
      const sqls = tx.statements.map((statement, index) => {
        const named = namedParameters(statement.sql, statement.params, `s${index + 1}p`);
        parameters.push(...named.parameters);
        return named.sql;
      });
      await this.statements.executeBatch(sqls, parameters, undefined, signal);
      return result;
    });
  }

  /**
   * `statements` as one BatchExecuteStatement: in order, all or nothing. `progress` hears each
   * statement start and finish as the polls see them, with its result; after `signal` fires no
   * further one is reported, the batch is cancelled on the server, it rolls back, and the call
   * rejects with InterruptedError. (A batch that had already committed when the cancel arrived
   * resolves normally: its work is done.)
   */
  batch(statements: readonly string[], options: BatchOptions = {}): Promise<QueryResult[]> {
    return this.exclusive(async () => {
      const { progress, signal } = options;
      const results = new Map<number, QueryResult>();
      const started = new Set<number>();
      const aborted = (): boolean => signal?.aborted === true;
      const watch = async (subStatements: readonly SubStatementData[]): Promise<void> => {
        for (const [index, sub] of subStatements.entries()) {
          if (aborted()) return;
          const status = sub.Status;
          if (status === 'SUBMITTED' || status === 'PICKED' || status === undefined) return;
          if (!started.has(index)) {
            started.add(index);
            progress?.started?.(index);
          }
          if (status !== 'FINISHED') return;
          if (!results.has(index)) {
            const result = await this.subStatementResult(sub);
            results.set(index, result);
            if (aborted()) return;
            progress?.finished?.(index, result);
          }
        }
      };
      // Ctrl-C before the batch was sent: nothing is sent (it would start, then be cancelled).
      if (aborted()) throw new InterruptedError();
      const subStatements = await this.statements.executeBatch(statements, [], watch, signal);
      return Promise.all(
        subStatements.map(async (sub, index) => results.get(index) ?? (await this.subStatementResult(sub))),
      );
    });
  }

  /**
   * One statement in a READ ONLY transaction: a batch of `BEGIN READ ONLY` and the statement, so
   * the cluster itself refuses writes (Redshift's BEGIN takes READ ONLY,
   * https://docs.aws.amazon.com/redshift/latest/dg/r_BEGIN.html), and the result read from the
   * second sub-statement (`<id>:2`, DescribeStatement's SubStatements). Nothing to roll back: a
   * read-only transaction has nothing to commit.
   */
  readOnlyQuery<Row = Record<string, unknown>>(sql: string): Promise<QueryResult<Row>> {
    return this.exclusive(async () => {
      const sub = await this.runReadOnly(sql, undefined);
      const result = await this.subStatementResult(sub);
      return result as QueryResult<Row>;
    });
  }

  /**
   * Like readOnlyQuery, but the rows arrive a page of GetStatementResult at a time, so memory
   * stays bounded however big the result (the Data API keeps it for 24 hours). The first page is
   * read before this resolves, for the column names.
   */
  streamReadOnly(sql: string, options: { signal?: AbortSignal | undefined } = {}): Promise<RowStream> {
    return this.exclusive(async () => {
      const sub = await this.runReadOnly(sql, options.signal);
      const id = sub.Id ?? '';
      if (sub.HasResultSet !== true) return { fields: [], pages: emptyPages() };
      const pages = this.statements.resultPages(id, options.signal);
      const first = await pages.next();
      const firstPage: ResultPage | undefined = first.done === true ? undefined : first.value;
      async function* rest(): AsyncGenerator<readonly (readonly unknown[])[]> {
        if (firstPage === undefined) return;
        yield firstPage.rows;
        for await (const page of pages) yield page.rows;
      }
      return { fields: firstPage?.fields ?? [], pages: rest() };
    });
  }

  /** CancelStatement of the statement running now, if any; its call then rejects with InterruptedError. */
  cancelRunning(): Promise<void> {
    return this.statements.cancelRunning();
  }

  /** Nothing to close (no connection); the client belongs to the caller. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /**
   * A rejected COPY explained from SYS_LOAD_ERROR_DETAIL, by the query id of the sub-statement
   * that failed (DescribeStatement's RedshiftQueryId): every Data API statement is a session of
   * its own, so stl_load_errors' pg_last_copy_id() cannot find it.
   */
  private loadErrorDetail(): CopyFromS3 {
    return {
      loadErrors: async (failure) => {
        if (!isRejectedLoad(failure) || failure.redshiftQueryId === undefined) return undefined;
        try {
          const { rows } = await this.query<LoadErrorRow>(loadErrorDetailSql(failure.redshiftQueryId));
          return rows.length === 0 ? undefined : { source: 'sys_load_error_detail', rows };
        } catch {
          // The COPY's own error is what matters; the caller reports it either way.
          return undefined;
        }
      },
      loadState: () => this.loadState(),
    };
  }

  /**
   * The running COPY's progress, asked as a statement of its own (each Data API statement is its
   * own session) for the load's session, whose pid DescribeStatement reports: STV_LOAD_STATE on a
   * cluster; SYS_LOAD_HISTORY's running row on Serverless, which cannot query STV tables. Nothing
   * to ask before the load's statement has started. The caller ignores a failure.
   */
  private async loadState(): Promise<CopyLoadState | undefined> {
    const pid = this.statements.runningPid;
    if (pid === undefined || this.closed) return undefined;
    const sql = this.target === 'redshift-serverless' ? sysLoadHistoryProgressSql() : stvLoadStateSql();
    const rows = await this.probeRows(this.probe, sql, [pid]);
    return toLoadState(rows[0] as LoadStateRow | undefined);
  }

  /** One statement on a side channel (not queued behind the running one), its rows keyed by column name. */
  private async probeRows(
    channel: DataApiStatements,
    sql: string,
    params: readonly unknown[],
  ): Promise<Record<string, unknown>[]> {
    const named = namedParameters(sql, params);
    const finished = await channel.execute(named.sql, named.parameters);
    if (!finished.hasResultSet) return [];
    const fields: string[] = [];
    const rows: unknown[][] = [];
    for await (const page of channel.resultPages(finished.id)) {
      fields.splice(0, fields.length, ...page.fields);
      rows.push(...page.rows);
    }
    return asObjects(fields, rows);
  }

  private async runReadOnly(sql: string, signal: AbortSignal | undefined): Promise<SubStatementData> {
    const subStatements = await this.statements.executeBatch([BEGIN_READ_ONLY_SQL, sql], [], undefined, signal);
    const sub = subStatements[1];
    if (sub?.Id === undefined) throw new Error('BatchExecuteStatement answered without the second sub-statement');
    return sub;
  }

  private async subStatementResult(sub: SubStatementData): Promise<QueryResult> {
    if (sub.HasResultSet !== true || sub.Id === undefined) {
      return { rows: [], fields: [], rowCount: Math.max(sub.ResultRows ?? 0, 0) };
    }
    const { fields, rows } = await this.collect(sub.Id);
    return { rows: asObjects(fields, rows), fields: [...fields], rowCount: rows.length };
  }

  private async collect(id: string): Promise<{ fields: readonly string[]; rows: unknown[][] }> {
    let fields: readonly string[] = [];
    const rows: unknown[][] = [];
    for await (const page of this.statements.resultPages(id)) {
      fields = page.fields;
      for (const row of page.rows) rows.push(row);
    }
    return { fields, rows };
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

/** The pages of a statement without a result set: none. */
function emptyPages(): AsyncIterable<readonly (readonly unknown[])[]> {
  return {
    [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true as const, value: undefined }) }),
  };
}

/**
 * Where the Data API sends statements for `target`, from dwh.cfg: the cluster (or the Serverless
 * workgroup, named alike) is [DWH] DWH_CLUSTER_IDENTIFIER; the database [CLUSTER] DB_NAME, else
 * [DWH] DWH_DB; a provisioned cluster is reached as [CLUSTER] DB_USER, else [DWH] DWH_DB_USER, with
 * temporary credentials (no password is read). `configDisplayPath` names the file in errors.
 */
export function dataApiTargetFrom(
  target: 'redshift' | 'redshift-serverless',
  config: DwhConfig,
  configDisplayPath: string,
): DataApiTarget {
  const { cluster, dwh } = config;
  const required = (value: string | undefined, section: string, key: string, what: string): string => {
    if (value === undefined || value === '') {
      throw new ConfigError(configDisplayPath, section, key, 'is not set', `set it to the ${what}`);
    }
    return value;
  };
  const name = required(
    dwh.clusterIdentifier,
    'DWH',
    'DWH_CLUSTER_IDENTIFIER',
    target === 'redshift' ? 'cluster identifier' : 'workgroup name',
  );
  const database = required(cluster.dbName ?? dwh.db, 'DWH', 'DWH_DB', 'database name');
  if (target === 'redshift-serverless') return { workgroupName: name, database };
  const dbUser = required(cluster.dbUser ?? dwh.dbUser, 'DWH', 'DWH_DB_USER', "cluster's database user");
  return { clusterIdentifier: name, database, dbUser };
}

/**
 * Open the Data API channel. With `probe` (the default) one `SELECT version()` runs first, so a
 * wrong cluster, workgroup or database, a paused cluster or a missing permission is reported now,
 * in one line, instead of at the first real statement.
 */
export async function openRedshiftDataApi(options: OpenRedshiftDataApiOptions): Promise<DataApiWarehouse> {
  const warehouse = new DataApiWarehouse(options);
  if (options.probe !== false) await warehouse.query(SERVER_VERSION_SQL);
  return warehouse;
}
