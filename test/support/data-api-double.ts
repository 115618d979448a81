/**
 * A Redshift Data API that runs the SQL in a real PGlite: a RedshiftDataClient whose `send` is
 * mocked with aws-sdk-client-mock, so no request leaves the process, while the statements really
 * run. It behaves as the API is documented
 * (https://docs.aws.amazon.com/redshift-data/latest/APIReference/Welcome.html):
 *
 * - ExecuteStatement / BatchExecuteStatement answer at once with an Id; the statement is SUBMITTED,
 *   then STARTED, then FINISHED or FAILED, one step per DescribeStatement poll. A batch runs one
 *   sub-statement per poll inside BEGIN … COMMIT (ROLLBACK when one fails), so it is one
 *   transaction and its SubStatements can be watched as they go.
 * - Each statement is a session of its own; statements queue for PGlite one at a time, as WLM
 *   queues them on a cluster.
 * - GetStatementResult pages with NextToken, `pageSize` rows a page (small by default, so paging
 *   is always exercised); ColumnMetadata comes with the first page.
 * - CancelStatement aborts a statement that has not ended (a batch rolls back) and refuses one
 *   that has; statements whose SQL matches `hold()` stay STARTED until cancelled, as a long query.
 * - Values come as the API's Field union: longValue, doubleValue, booleanValue, stringValue
 *   (numeric, dates and timestamps as text), blobValue, isNull.
 * - Errors are the SDK's real exception classes; a statement the database refuses is FAILED with
 *   "ERROR: <message>" as its Error.
 */
import { PGlite, types } from '@electric-sql/pglite';
import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  ResourceNotFoundException,
  ValidationException,
  type BatchExecuteStatementInput,
  type ColumnMetadata,
  type DescribeStatementResponse,
  type ExecuteStatementInput,
  type Field,
  type GetStatementResultResponse,
  type SqlParameter,
  type StatementStatusString,
  type SubStatementData,
} from '@aws-sdk/client-redshift-data';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

export const DOUBLE_REGION = 'us-west-2';

/** The warehouse the double answers for; requests naming another one are refused. */
export interface DoubleTarget {
  clusterIdentifier?: string;
  workgroupName?: string;
  database: string;
}

/** How the double behaves; `configure` changes it between tests, so one PGlite serves a whole file. */
export interface DataApiDoubleSettings {
  /** Rows per GetStatementResult page (default 3). */
  pageSize?: number;
  /** DescribeStatement polls a statement answers SUBMITTED before it starts (default 1). */
  pollsBeforeStart?: number;
  /**
   * Redshift-only SQL (COPY … FROM 's3://…') turned into what PGlite can run, or into the failure
   * Redshift would report ({ error: "ERROR: Load into table … failed. Check 'sys_load_error_detail' …" }).
   */
  rewrite?: ((sql: string) => string | { error: string }) | undefined;
  /** How long ExecuteStatement / BatchExecuteStatement take to answer with the Id (default 0, at once). */
  submitMillis?: number;
  /**
   * Statements matching this start at once, beside the one that has PGlite, instead of queueing
   * behind it: a cluster runs several queries at a time, PGlite one. Only for reads that cannot
   * upset the running statement's transaction (they run inside it), such as a look at a system view.
   */
  alongside?: RegExp | undefined;
  /**
   * DescribeStatement reports a started statement's RedshiftPid (as the real API does). Off by
   * default: the program then asks about that session beside the running statement (COPY progress,
   * lock waits), and those questions would queue behind it here (see `alongside`).
   */
  reportPid?: boolean | undefined;
}

export interface DataApiDoubleOptions extends DataApiDoubleSettings {
  /** The warehouses it answers for (default: cluster dwhcluster with database dwh, workgroup dwh with dev). */
  targets?: DoubleTarget[];
}

interface Sub {
  id: string;
  sql: string;
  status: StatementStatusString;
  error?: string;
  queryId: number;
  hasResultSet: boolean;
  resultRows: number;
  columns: ColumnMetadata[];
  records: Field[][];
  /** The PGlite call of this sub-statement while it runs. */
  running?: Promise<void>;
  held: boolean;
}

interface Statement {
  id: string;
  batch: boolean;
  input: ExecuteStatementInput | BatchExecuteStatementInput;
  parameters: SqlParameter[];
  status: StatementStatusString;
  error?: string;
  subs: Sub[];
  /** Index of the sub-statement running now. */
  current: number;
  pollsLeft: number;
  /** Its session's process id, as DescribeStatement's RedshiftPid reports it. */
  pid: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface DataApiDouble {
  readonly client: RedshiftDataClient;
  readonly mock: AwsClientStub<RedshiftDataClient>;
  /** The database behind the API, for arranging and checking data directly. */
  readonly db: PGlite;
  /** Change the settings from now on (unset ones go back to their defaults). */
  configure(settings: DataApiDoubleSettings): void;
  /**
   * Statements whose SQL matches `pattern` start but never finish: only CancelStatement ends them.
   * Returns how to stop holding new ones.
   */
  hold(pattern: RegExp): () => void;
  /** Every statement submitted so far, in order (its SQL, or its batch's SQLs). */
  submitted(): string[][];
  /** The status a statement has now. */
  status(id: string): StatementStatusString | undefined;
  /** The process id (RedshiftPid) of a statement's session. */
  pid(id: string): number | undefined;
  close(): Promise<void>;
}

const DEFAULT_TARGETS: DoubleTarget[] = [
  { clusterIdentifier: 'dwhcluster', database: 'dwh' },
  { workgroupName: 'dwh', database: 'dev' },
];

/** Every type PGlite would parse, read as the server's text instead (bytea stays bytes). */
const TEXT_PARSERS: Record<number, (text: string) => unknown> = Object.fromEntries(
  Object.values(types as Record<string, unknown>)
    .filter((oid): oid is number => typeof oid === 'number' && oid !== types.BYTEA)
    .map((oid): [number, (text: string) => unknown] => [oid, (text: string) => text]),
);

/** The Field a PostgreSQL value comes back as through the Data API. */
function toField(value: unknown, oid: number): Field {
  if (value === null || value === undefined) return { isNull: true };
  if (value instanceof Uint8Array) return { blobValue: value };
  // With TEXT_PARSERS every other value arrives as the server's text.
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  switch (oid) {
    case types.BOOL:
      return { booleanValue: text === 't' || text === 'true' };
    case types.INT2:
    case types.INT4:
    case types.INT8:
    case types.OID:
      // The real API sends a JSON number, which the SDK parses into a JS number: the same rounding.
      return { longValue: Number(text) };
    case types.FLOAT4:
    case types.FLOAT8:
      return { doubleValue: Number(text) };
    default:
      return { stringValue: text };
  }
}

/** `:name` parameters to PGlite's `$n`, skipping literals, quoted names, comments and `::` casts. */
function positional(sql: string, parameters: readonly SqlParameter[]): { sql: string; values: string[] } {
  if (parameters.length === 0) return { sql, values: [] };
  const values: string[] = [];
  const numbers = new Map<string, number>();
  const out = sql.replace(
    /('(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|::)|:([A-Za-z_]\w*)/g,
    (match, skipped: string | undefined, name: string | undefined) => {
      if (skipped !== undefined || name === undefined) return match;
      const parameter = parameters.find((candidate) => candidate.name === name);
      if (parameter === undefined) throw new Error(`no value for parameter :${name}`);
      let number = numbers.get(name);
      if (number === undefined) {
        values.push(parameter.value ?? '');
        number = values.length;
        numbers.set(name, number);
      }
      return `$${number}`;
    },
  );
  return { sql: out, values };
}

function validation(message: string): ValidationException {
  return new ValidationException({ message, Message: message, $metadata: {} });
}

function notFound(id: string): ResourceNotFoundException {
  const message = `Query does not exist. Id: ${id}`;
  return new ResourceNotFoundException({ message, Message: message, ResourceId: id, $metadata: {} });
}

const ENDED = new Set<StatementStatusString>(['FINISHED', 'FAILED', 'ABORTED']);

export async function createDataApiDouble(options: DataApiDoubleOptions = {}): Promise<DataApiDouble> {
  const targets = options.targets ?? DEFAULT_TARGETS;
  let settings: DataApiDoubleSettings = options;
  const pageSize = (): number => settings.pageSize ?? 3;
  const db = await PGlite.create({ parsers: TEXT_PARSERS });
  const typeNames = new Map<number, string>(
    (await db.query<{ oid: number; typname: string }>('SELECT oid::int AS oid, typname FROM pg_type')).rows.map(
      (row) => [Number(row.oid), row.typname],
    ),
  );
  const client = new RedshiftDataClient({
    region: DOUBLE_REGION,
    credentials: { accessKeyId: 'AKIDDOUBLE', secretAccessKey: 'double-secret' },
  });
  const mock = mockClient(client);
  const statements = new Map<string, Statement>();
  const held: RegExp[] = [];
  /** Statements waiting for PGlite, first come first served; the first one owns it while it runs. */
  const queue: Statement[] = [];
  let nextQueryId = 1000;
  let nextId = 0;
  let nextPid = 1073815000;

  function newId(): string {
    nextId += 1;
    const hex = nextId.toString(16).padStart(12, '0');
    return `d9b6c0c9-0747-4bf4-b142-${hex}`;
  }

  function checkTarget(input: ExecuteStatementInput | BatchExecuteStatementInput): void {
    if ((input.ClusterIdentifier === undefined) === (input.WorkgroupName === undefined)) {
      throw validation('Either ClusterIdentifier or WorkgroupName must be specified.');
    }
    if (input.Database === undefined || input.Database === '') throw validation('Database must be specified.');
    const target = targets.find((candidate) =>
      input.ClusterIdentifier === undefined
        ? candidate.workgroupName === input.WorkgroupName
        : candidate.clusterIdentifier === input.ClusterIdentifier,
    );
    if (target === undefined) {
      throw validation(
        input.ClusterIdentifier === undefined
          ? `Workgroup ${input.WorkgroupName} not found.`
          : `Cluster ${input.ClusterIdentifier} not found.`,
      );
    }
    if (input.Database !== target.database) throw validation(`Database ${input.Database} does not exist.`);
  }

  function submit(input: ExecuteStatementInput | BatchExecuteStatementInput, sqls: string[]): Statement {
    checkTarget(input);
    for (const sql of sqls) {
      if (Buffer.byteLength(sql) > 100 * 1024) throw validation('Cannot process query string larger than 100kB');
    }
    const id = newId();
    const now = new Date();
    const statement: Statement = {
      id,
      batch: 'Sqls' in input,
      input,
      parameters: input.Parameters ?? [],
      status: 'SUBMITTED',
      subs: sqls.map((sql, index) => ({
        id: 'Sqls' in input ? `${id}:${index + 1}` : id,
        sql,
        status: 'SUBMITTED',
        queryId: 0,
        hasResultSet: false,
        resultRows: -1,
        columns: [],
        records: [],
        held: false,
      })),
      current: 0,
      pollsLeft: settings.pollsBeforeStart ?? 1,
      pid: (nextPid += 1),
      createdAt: now,
      updatedAt: now,
    };
    statements.set(id, statement);
    const alongside = settings.alongside;
    if (!(alongside !== undefined && !('Sqls' in input) && alongside.test(sqls[0] ?? ''))) queue.push(statement);
    return statement;
  }

  /** Run one sub-statement in PGlite, recording its result or its error. */
  function start(statement: Statement, sub: Sub): void {
    sub.status = 'STARTED';
    nextQueryId += 1;
    sub.queryId = nextQueryId;
    statement.updatedAt = new Date();
    if (held.some((pattern) => pattern.test(sub.sql))) {
      sub.held = true;
      return;
    }
    sub.running = (async () => {
      const rewritten = settings.rewrite?.(sub.sql) ?? sub.sql;
      if (typeof rewritten !== 'string') {
        sub.status = 'FAILED';
        sub.error = rewritten.error;
        return;
      }
      try {
        const { sql, values } = positional(rewritten, statement.parameters);
        const result = await db.query<unknown[]>(sql, values, { rowMode: 'array' });
        sub.hasResultSet = result.fields.length > 0;
        sub.columns = result.fields.map((field) => ({
          name: field.name,
          label: field.name,
          typeName: typeNames.get(field.dataTypeID) ?? 'unknown',
          nullable: 1,
        }));
        sub.records = result.rows.map((row) =>
          row.map((value, index) => toField(value, result.fields[index]!.dataTypeID)),
        );
        sub.resultRows = sub.hasResultSet ? result.rows.length : (result.affectedRows ?? 0);
        sub.status = 'FINISHED';
      } catch (error) {
        sub.status = 'FAILED';
        sub.error = `ERROR: ${error instanceof Error ? error.message : String(error)}`;
      }
    })();
  }

  async function finishBatch(statement: Statement, failed: Sub | undefined): Promise<void> {
    if (statement.batch) await db.query(failed === undefined ? 'COMMIT' : 'ROLLBACK');
    statement.status = failed === undefined ? 'FINISHED' : 'FAILED';
    if (failed !== undefined) {
      statement.error = failed.error;
      for (const sub of statement.subs) if (!ENDED.has(sub.status)) sub.status = 'ABORTED';
    }
    release(statement);
  }

  function release(statement: Statement): void {
    statement.updatedAt = new Date();
    const index = queue.indexOf(statement);
    if (index !== -1) queue.splice(index, 1);
  }

  /** One step of a statement per DescribeStatement: start, run the next sub-statement, or end. */
  async function advance(statement: Statement): Promise<void> {
    if (ENDED.has(statement.status)) return;
    if (statement.status === 'SUBMITTED') {
      if (statement.pollsLeft > 0) {
        statement.pollsLeft -= 1;
        return;
      }
      // Another statement has PGlite: wait, as in a WLM queue (unless it runs alongside).
      if (queue.length > 0 && queue[0] !== statement && queue.includes(statement)) return;
      statement.status = 'STARTED';
      if (statement.batch) await db.query('BEGIN');
      start(statement, statement.subs[0]!);
      return;
    }
    const sub = statement.subs[statement.current]!;
    if (sub.held) return;
    await sub.running;
    if (sub.status === 'FAILED') {
      await finishBatch(statement, sub);
      return;
    }
    statement.current += 1;
    const next = statement.subs[statement.current];
    if (next === undefined) await finishBatch(statement, undefined);
    else start(statement, next);
  }

  function describeSub(sub: Sub): SubStatementData {
    return {
      Id: sub.id,
      Status: sub.status,
      QueryString: sub.sql,
      HasResultSet: sub.hasResultSet,
      ResultRows: sub.resultRows,
      ResultSize: -1,
      RedshiftQueryId: sub.queryId,
      ...(sub.error === undefined ? {} : { Error: sub.error }),
    };
  }

  function describe(statement: Statement): DescribeStatementResponse {
    const common = {
      Id: statement.id,
      Status: statement.status,
      CreatedAt: statement.createdAt,
      UpdatedAt: statement.updatedAt,
      Database: statement.input.Database,
      ...(statement.input.ClusterIdentifier === undefined
        ? { WorkgroupName: statement.input.WorkgroupName }
        : { ClusterIdentifier: statement.input.ClusterIdentifier }),
      ...(statement.input.DbUser === undefined ? {} : { DbUser: statement.input.DbUser }),
      ...(statement.error === undefined ? {} : { Error: statement.error }),
      ...(statement.status === 'STARTED' && settings.reportPid === true ? { RedshiftPid: statement.pid } : {}),
    };
    if (statement.batch) {
      return {
        ...common,
        HasResultSet: statement.subs.some((sub) => sub.hasResultSet),
        SubStatements: statement.subs.map(describeSub),
      };
    }
    const sub = statement.subs[0]!;
    return {
      ...common,
      QueryString: sub.sql,
      HasResultSet: sub.hasResultSet,
      ResultRows: sub.resultRows,
      RedshiftQueryId: sub.queryId,
    };
  }

  /** The statement and, for `<id>:<n>`, the sub-statement an Id names. */
  function find(id: string): { statement: Statement; sub: Sub | undefined } {
    const [parentId, suffix] = id.split(':');
    const statement = statements.get(parentId ?? '');
    if (statement === undefined) throw notFound(id);
    if (suffix === undefined) return { statement, sub: statement.batch ? undefined : statement.subs[0] };
    const sub = statement.batch ? statement.subs[Number(suffix) - 1] : undefined;
    if (sub === undefined) throw notFound(id);
    return { statement, sub };
  }

  /** The time a submission takes to answer (submitMillis). */
  const submitting = async (): Promise<void> => {
    const ms = settings.submitMillis ?? 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  };

  mock.on(ExecuteStatementCommand).callsFake(async (input: ExecuteStatementInput) => {
    await submitting();
    const statement = submit(input, [input.Sql ?? '']);
    return { Id: statement.id, CreatedAt: statement.createdAt, Database: input.Database };
  });

  mock.on(BatchExecuteStatementCommand).callsFake(async (input: BatchExecuteStatementInput) => {
    if (input.Sqls === undefined || input.Sqls.length === 0) throw validation('Sqls must contain at least one SQL.');
    await submitting();
    const statement = submit(input, input.Sqls);
    return { Id: statement.id, CreatedAt: statement.createdAt, Database: input.Database };
  });

  mock.on(DescribeStatementCommand).callsFake(async (input: { Id?: string }) => {
    const { statement, sub } = find(input.Id ?? '');
    if (sub === undefined || !statement.batch) await advance(statement);
    if (statement.batch && sub !== undefined) {
      return { ...describeSub(sub), Id: sub.id, Status: sub.status } satisfies DescribeStatementResponse;
    }
    return describe(statement);
  });

  // A promise, as the real client's send returns: callers race it against Ctrl-C with .then.
  mock.on(GetStatementResultCommand).callsFake(async (input: { Id?: string; NextToken?: string }) => {
    await Promise.resolve();
    const id = input.Id ?? '';
    const { statement, sub } = find(id);
    if (sub === undefined) {
      throw validation('Query does not have result. Please check query status with DescribeStatement.');
    }
    if (sub.status !== 'FINISHED') throw validation(`Query has not finished (status ${sub.status}).`);
    if (!sub.hasResultSet) {
      throw validation('Query does not have result. Please check query status with DescribeStatement.');
    }
    const offset = input.NextToken === undefined ? 0 : Number(Buffer.from(input.NextToken, 'base64').toString());
    if (!Number.isInteger(offset) || offset < 0) throw validation('Invalid NextToken.');
    const end = offset + pageSize();
    const page: GetStatementResultResponse = {
      Records: sub.records.slice(offset, end),
      TotalNumRows: sub.records.length,
      ...(offset === 0 ? { ColumnMetadata: sub.columns } : {}),
      ...(end < sub.records.length ? { NextToken: Buffer.from(String(end)).toString('base64') } : {}),
    };
    void statement;
    return page;
  });

  mock.on(CancelStatementCommand).callsFake(async (input: { Id?: string }) => {
    const { statement } = find(input.Id ?? '');
    if (ENDED.has(statement.status)) {
      throw validation(
        `Could not cancel a query that is already in ${statement.status} state with ID: ${statement.id}`,
      );
    }
    if (statement.status === 'STARTED') {
      const sub = statement.subs[statement.current]!;
      if (!sub.held) await sub.running;
      if (statement.batch) await db.query('ROLLBACK');
    }
    statement.status = 'ABORTED';
    for (const sub of statement.subs) if (!ENDED.has(sub.status) || sub.held) sub.status = 'ABORTED';
    release(statement);
    return { Status: true };
  });

  return {
    client,
    mock,
    db,
    configure: (changed) => {
      settings = changed;
    },
    hold: (pattern) => {
      held.push(pattern);
      return () => {
        const index = held.indexOf(pattern);
        if (index !== -1) held.splice(index, 1);
      };
    },
    submitted: () => [...statements.values()].map((statement) => statement.subs.map((sub) => sub.sql)),
    pid: (id) => statements.get(id.split(':')[0] ?? '')?.pid,
    status: (id) => {
      try {
        const { statement, sub } = find(id);
        return sub?.status ?? statement.status;
      } catch {
        return undefined;
      }
    },
    close: async () => {
      mock.restore();
      await db.close();
    },
  };
}
