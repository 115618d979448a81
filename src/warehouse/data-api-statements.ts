/**
 * Running SQL through the Redshift Data API (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api.html):
 * ExecuteStatement or BatchExecuteStatement submits, DescribeStatement is polled with a growing
 * interval until the statement is FINISHED, FAILED or ABORTED, GetStatementResult pages through
 * the rows, and CancelStatement stops it. Calls are asynchronous on AWS's side: nothing holds a
 * connection, so an interrupted client leaves at most a statement that CancelStatement (or the
 * cluster's own timeouts) ends.
 */
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type ColumnMetadata,
  type DescribeStatementResponse,
  type RedshiftDataClient,
  type SqlParameter,
  type SubStatementData,
} from '@aws-sdk/client-redshift-data';
import { InterruptedError, UserError } from '../errors.js';
import {
  DATA_API_MAX_STATEMENT_BYTES,
  abortedElsewhere,
  dataApiFailure,
  statementFailure,
  type DataApiFailureContext,
} from './data-api-errors.js';
import { columnNames, rowValues } from './data-api-values.js';

/**
 * Which warehouse the statements go to, and as whom. Neither carries a password: the Data API
 * gets temporary database credentials itself
 * (https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_ExecuteStatement.html):
 *
 * - a provisioned cluster with `dbUser`: as that database user, through redshift:GetClusterCredentials;
 * - a provisioned cluster without `dbUser`: as the caller's IAM identity (database user `IAM:<name>`),
 *   through redshift:GetClusterCredentialsWithIAM;
 * - a Serverless workgroup: as the caller's IAM identity, through redshift-serverless:GetCredentials.
 */
export type DataApiTarget =
  | { clusterIdentifier: string; database: string; dbUser?: string | undefined }
  | { workgroupName: string; database: string };

/** Time, injectable so tests poll instantly (the shape of the app's Clock). */
export interface DataApiClock {
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** How DescribeStatement is polled: from `initialMillis`, growing by `factor` up to `maxMillis`. */
export interface PollSettings {
  initialMillis: number;
  maxMillis: number;
  factor: number;
}

/**
 * ~100 ms first, so a quick statement answers quickly, growing to 1 s for long loads so polling
 * stays far below the Data API's request rates.
 */
export const DEFAULT_POLL: PollSettings = { initialMillis: 100, maxMillis: 1000, factor: 1.5 };

/** After Ctrl-C, how long to keep asking CancelStatement before saying it could not be cancelled. */
export const CANCEL_PATIENCE_MS = 1000;

/** What the spinner shows while a statement runs. */
export interface StatementProgress {
  /** The Data API statement id (for `aws redshift-data describe-statement --id`). */
  id: string;
  /** SUBMITTED, PICKED, STARTED, FINISHED, FAILED or ABORTED. */
  status: string;
  elapsedMillis: number;
  /** For a batch: how many of its statements have finished, of how many. */
  finished?: number | undefined;
  total?: number | undefined;
}

export interface DataApiStatementsOptions {
  client: RedshiftDataClient;
  target: DataApiTarget;
  clock: DataApiClock;
  poll: PollSettings;
  /** Ctrl-C for every statement of this channel. */
  signal: AbortSignal | undefined;
  onProgress: ((progress: StatementProgress) => void) | undefined;
}

/** A statement that FINISHED. */
export interface FinishedStatement {
  id: string;
  hasResultSet: boolean;
  /** Rows returned, or rows affected by INSERT/DELETE/COPY …; -1 when the API says "null". */
  resultRows: number;
}

/** One page of a result: rows as arrays in column order. */
export interface ResultPage {
  columns: readonly ColumnMetadata[];
  fields: readonly string[];
  rows: unknown[][];
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

/** Settles like `promise`, or rejects with an AbortError as soon as `signal` fires. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(() => undefined);
      reject(abortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * A signal that fires when any of `signals` does, and `dispose` to unhook it again: the channel's
 * Ctrl-C signal lives as long as the process, and a listener left on it per statement would pile up.
 */
export function eitherSignal(...signals: (AbortSignal | undefined)[]): {
  signal: AbortSignal | undefined;
  dispose: () => void;
} {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length <= 1) return { signal: present[0], dispose: () => undefined };
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  for (const signal of present) {
    if (signal.aborted) controller.abort();
    else signal.addEventListener('abort', abort, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const signal of present) signal.removeEventListener('abort', abort);
    },
  };
}

function isTerminal(status: string | undefined): boolean {
  return status === 'FINISHED' || status === 'FAILED' || status === 'ABORTED';
}

/** Where statements go, for messages: "cluster dwhcluster, database dwh as dwhuser". */
export function describeTarget(target: DataApiTarget): string {
  if ('workgroupName' in target) return `workgroup ${target.workgroupName}, database ${target.database}`;
  const user = target.dbUser === undefined ? '' : ` as ${target.dbUser}`;
  return `cluster ${target.clusterIdentifier}, database ${target.database}${user}`;
}

function targetFields(target: DataApiTarget): {
  ClusterIdentifier?: string;
  WorkgroupName?: string;
  Database: string;
  DbUser?: string;
} {
  if ('workgroupName' in target) return { WorkgroupName: target.workgroupName, Database: target.database };
  return {
    ClusterIdentifier: target.clusterIdentifier,
    Database: target.database,
    ...(target.dbUser === undefined ? {} : { DbUser: target.dbUser }),
  };
}

/**
 * Name on every statement, so they can be found in ListStatements and the console's query history.
 * (ClientToken is left to the SDK, which fills it as an idempotency token: a submission it retries
 * after a network error does not run the statement twice.)
 */
const STATEMENT_NAME = 'sparkify-dwh';

export class DataApiStatements {
  readonly where: string;
  /** The statement being waited for now, which cancelRunning() stops, and how to end that wait. */
  private running: { id: string; interrupt: () => void } | undefined;
  /**
   * The Redshift process id of the statement being waited for, once DescribeStatement reports it
   * (RedshiftPid, https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_DescribeStatement.html):
   * the session a COPY's live progress is looked up by.
   */
  runningPid: number | undefined;
  /** Statements this process asked to cancel: their ABORTED is an interruption, not someone else's doing. */
  private readonly cancelled = new Set<string>();
  /** The last CancelStatement sent for a statement: Ctrl-C seen twice (capability and signal) sends one. */
  private readonly cancelRequests = new Map<string, Promise<boolean>>();
  /** Submissions (ExecuteStatement, BatchExecuteStatement) waiting for their Id now. */
  private submitting = 0;
  /** cancelRunning() arrived while a statement was being submitted: it is cancelled as soon as its Id is known. */
  private cancelOnSubmit = false;

  constructor(private readonly options: DataApiStatementsOptions) {
    this.where = describeTarget(options.target);
  }

  /** Run one statement (ExecuteStatement takes exactly one) and wait until it has finished. */
  async execute(sql: string, parameters: SqlParameter[], signal?: AbortSignal): Promise<FinishedStatement> {
    checkSize(sql);
    const submitted = await this.submit('ExecuteStatement', () =>
      this.options.client.send(
        new ExecuteStatementCommand({
          ...targetFields(this.options.target),
          Sql: sql,
          StatementName: STATEMENT_NAME,
          ...(parameters.length > 0 ? { Parameters: parameters } : {}),
        }),
      ),
    );
    const id = required(submitted.Id, 'ExecuteStatement');
    const stop = eitherSignal(this.options.signal, signal);
    let finished: DescribeStatementResponse;
    try {
      finished = await this.waitFor(id, stop.signal, undefined);
    } finally {
      stop.dispose();
    }
    return {
      id,
      hasResultSet: finished.HasResultSet === true,
      resultRows: finished.ResultRows ?? -1,
    };
  }

  /**
   * Run `sqls` as one BatchExecuteStatement: in order, as a single transaction (the default
   * ExecutionMode TRANSACTION), so a failure rolls every one of them back
   * (https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_BatchExecuteStatement.html).
   * `watch` sees the sub-statements on every poll, before the batch has ended.
   */
  async executeBatch(
    sqls: readonly string[],
    parameters: SqlParameter[],
    watch: ((subStatements: readonly SubStatementData[]) => Promise<void>) | undefined,
    signal?: AbortSignal,
  ): Promise<SubStatementData[]> {
    if (sqls.length === 0) return [];
    for (const sql of sqls) checkSize(sql);
    const submitted = await this.submit('BatchExecuteStatement', () =>
      this.options.client.send(
        new BatchExecuteStatementCommand({
          ...targetFields(this.options.target),
          Sqls: [...sqls],
          StatementName: STATEMENT_NAME,
          ...(parameters.length > 0 ? { Parameters: parameters } : {}),
        }),
      ),
    );
    const id = required(submitted.Id, 'BatchExecuteStatement');
    const stop = eitherSignal(this.options.signal, signal);
    try {
      const finished = await this.waitFor(id, stop.signal, watch);
      return finished.SubStatements ?? [];
    } finally {
      stop.dispose();
    }
  }

  /** The pages of a FINISHED statement's result (a sub-statement `<id>:<n>` of a batch too). */
  async *resultPages(id: string, signal?: AbortSignal): AsyncGenerator<ResultPage> {
    const stop = eitherSignal(this.options.signal, signal);
    try {
      let nextToken: string | undefined;
      let columns: readonly ColumnMetadata[] = [];
      let fields: readonly string[] = [];
      do {
        if (stop.signal?.aborted === true) throw new InterruptedError();
        const token = nextToken;
        const page = await this.call('GetStatementResult', () =>
          unlessAborted(
            this.options.client.send(new GetStatementResultCommand({ Id: id, ...(token ? { NextToken: token } : {}) })),
            stop.signal,
          ),
        ).catch((error: unknown) => {
          throw stop.signal?.aborted === true ? new InterruptedError() : error;
        });
        // Column metadata comes with the first page; later pages may leave it out.
        if (page.ColumnMetadata !== undefined && page.ColumnMetadata.length > 0) {
          columns = page.ColumnMetadata;
          fields = columnNames(columns);
        }
        yield { columns, fields, rows: (page.Records ?? []).map((record) => rowValues(record, columns)) };
        nextToken = page.NextToken === '' ? undefined : page.NextToken;
      } while (nextToken !== undefined);
    } finally {
      stop.dispose();
    }
  }

  /**
   * Ask the cluster to stop the statement being waited for now; the wait then rejects. One still
   * being submitted has no Id yet: it is cancelled as soon as the Id arrives (Ctrl-C right after a
   * step began must not let its statement run on).
   */
  async cancelRunning(): Promise<void> {
    const running = this.running;
    if (running === undefined) {
      if (this.submitting > 0) this.cancelOnSubmit = true;
      return;
    }
    running.interrupt();
    await this.tryCancel(running.id);
  }

  /** A submission, counted while it waits for its Id so that cancelRunning() can reach it. */
  private async submit<T>(action: string, send: () => Promise<T>): Promise<T> {
    this.submitting += 1;
    try {
      return await this.call(action, send);
    } catch (error) {
      // Nothing was submitted: a cancel meant for it must not hit the next statement.
      if (this.submitting === 1) this.cancelOnSubmit = false;
      throw error;
    } finally {
      this.submitting -= 1;
    }
  }

  /** Poll DescribeStatement until the statement ends; FAILED and ABORTED become errors. */
  private async waitFor(
    id: string,
    signal: AbortSignal | undefined,
    watch: ((subStatements: readonly SubStatementData[]) => Promise<void>) | undefined,
  ): Promise<DescribeStatementResponse> {
    const { clock, poll, onProgress } = this.options;
    const started = clock.now();
    // cancelRunning() interrupts this wait as the call's own signal does, so a poll interval of
    // up to a second is cut short and the statement's end is seen at once.
    const interruption = new AbortController();
    if (this.cancelOnSubmit) interruption.abort();
    this.cancelOnSubmit = false;
    const stop = eitherSignal(signal, interruption.signal);
    signal = stop.signal;
    // A function, not a property read, so TypeScript does not narrow it across the awaits.
    const aborted = (): boolean => signal?.aborted === true;
    let delay = poll.initialMillis;
    /** Set once the statement is known to have ended (or interrupt() has taken over). */
    let ended = false;
    this.running = { id, interrupt: () => interruption.abort() };
    try {
      for (;;) {
        if (aborted()) {
          ended = true;
          return await this.interrupt(id);
        }
        let described: DescribeStatementResponse;
        try {
          described = await this.describe(id, signal);
        } catch (error) {
          if (aborted()) continue; // the Ctrl-C raced the call: interrupt above
          throw error;
        }
        ended = isTerminal(described.Status);
        this.runningPid = ended ? undefined : (described.RedshiftPid ?? this.runningPid);
        const subStatements = described.SubStatements;
        onProgress?.({
          id,
          status: described.Status ?? 'SUBMITTED',
          elapsedMillis: clock.now() - started,
          ...(subStatements === undefined
            ? {}
            : {
                finished: subStatements.filter((sub) => sub.Status === 'FINISHED').length,
                total: subStatements.length,
              }),
        });
        if (watch !== undefined && subStatements !== undefined && described.Status !== 'ABORTED') {
          await watch(subStatements);
          if (aborted() && !ended) continue;
        }
        if (described.Status === 'FINISHED') return described;
        if (described.Status === 'FAILED') throw this.failure(described);
        if (described.Status === 'ABORTED') {
          if (this.cancelled.has(id)) throw new InterruptedError();
          throw abortedElsewhere(id, this.where);
        }
        try {
          await clock.sleep(delay, signal);
        } catch (error) {
          if (!aborted()) throw error;
        }
        delay = Math.min(poll.maxMillis, delay * poll.factor);
      }
    } catch (error) {
      // We stop waiting (DescribeStatement or reading a result failed for good): a statement left
      // running could still commit behind the error, so it is cancelled first, as far as AWS lets us.
      if (!ended) await this.tryCancel(id);
      throw error;
    } finally {
      stop.dispose();
      this.running = undefined;
      this.cancelRequests.delete(id);
      this.runningPid = undefined;
    }
  }

  /**
   * Ctrl-C while waiting: CancelStatement, then one look at the status, within about a second.
   * A statement that FINISHED before the cancel arrived has done its work (a batch committed),
   * so its result is returned; one that could not be cancelled in time is named, because it may
   * still run.
   */
  private async interrupt(id: string): Promise<DescribeStatementResponse> {
    const { clock } = this.options;
    const deadline = clock.now() + CANCEL_PATIENCE_MS;
    for (;;) {
      const cancelled = await this.tryCancel(id);
      if (cancelled) throw new InterruptedError();
      const described = await this.describe(id, undefined).catch(() => undefined);
      const status = described?.Status;
      if (described !== undefined && status === 'FINISHED') return described;
      if (isTerminal(status)) throw new InterruptedError();
      if (clock.now() >= deadline) {
        throw new UserError(
          `stopped waiting, but statement ${id} on ${this.where} could not be cancelled ` +
            `(it was ${status ?? 'unknown'}) and may still run`,
          { hint: `check it with \`aws redshift-data describe-statement --id ${id}\`` },
        );
      }
      await clock.sleep(this.options.poll.initialMillis);
    }
  }

  /**
   * CancelStatement; true when the API says it stopped the statement. Refusals (already ended) are
   * false. A request already made for `id` is awaited instead of sent again, and one that stopped
   * the statement is not repeated: Ctrl-C reaches a statement both through cancelRunning() and
   * through its call's signal.
   */
  private async tryCancel(id: string): Promise<boolean> {
    this.cancelled.add(id);
    const earlier = this.cancelRequests.get(id);
    if (earlier !== undefined && (await earlier)) return true;
    const request = this.sendCancel(id);
    this.cancelRequests.set(id, request);
    return request;
  }

  private async sendCancel(id: string): Promise<boolean> {
    try {
      const answer = await this.options.client.send(new CancelStatementCommand({ Id: id }));
      return answer.Status === true;
    } catch {
      // "To be canceled, a query must be running"
      // (https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_CancelStatement.html):
      // a statement that already ended, or has not started yet, is refused; the caller looks again.
      return false;
    }
  }

  private describe(id: string, signal: AbortSignal | undefined): Promise<DescribeStatementResponse> {
    return this.call('DescribeStatement', () =>
      unlessAborted(this.options.client.send(new DescribeStatementCommand({ Id: id })), signal),
    );
  }

  private failure(described: DescribeStatementResponse): UserError {
    const id = described.Id ?? '?';
    const subStatements = described.SubStatements ?? [];
    const failedIndex = subStatements.findIndex((sub) => sub.Status === 'FAILED');
    const failed = failedIndex === -1 ? undefined : subStatements[failedIndex];
    return statementFailure(failed?.Error ?? described.Error, {
      statementId: failed?.Id ?? id,
      redshiftQueryId: failed?.RedshiftQueryId ?? described.RedshiftQueryId,
      batchIndex: failed === undefined ? undefined : failedIndex,
    });
  }

  private async call<T>(action: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') throw error;
      throw dataApiFailure(error, this.context(action));
    }
  }

  private context(action: string): DataApiFailureContext {
    const { target } = this.options;
    return {
      action,
      where: this.where,
      credentialsAction:
        'workgroupName' in target
          ? 'redshift-serverless:GetCredentials'
          : target.dbUser === undefined
            ? 'redshift:GetClusterCredentialsWithIAM'
            : 'redshift:GetClusterCredentials',
    };
  }
}

function required(id: string | undefined, action: string): string {
  if (id === undefined || id === '') throw new Error(`${action} answered without a statement Id`);
  return id;
}

function checkSize(sql: string): void {
  const bytes = Buffer.byteLength(sql, 'utf8');
  if (bytes > DATA_API_MAX_STATEMENT_BYTES) {
    const start = sql.trim().slice(0, 40).replace(/\s+/g, ' ');
    throw new UserError(
      `the statement "${start}…" is ${Math.ceil(bytes / 1024)} KB, ` +
        `more than the ${DATA_API_MAX_STATEMENT_BYTES / 1024} KB the Data API accepts`,
      { hint: 'split it into smaller statements' },
    );
  }
}
