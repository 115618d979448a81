import {
  ActiveStatementsExceededException,
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DatabaseConnectionException,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  ExecuteStatementException,
  GetStatementResultCommand,
  InternalServerException,
  RedshiftDataClient,
  RedshiftDataServiceException,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { DwhConfig } from '../../src/config/types.js';
import { loadWarehouse, type LoadSources } from '../../src/load/load.js';
import { s3LoadPlan } from '../../src/load/s3.js';
import type { LoadEvent } from '../../src/load/types.js';
import { createTablesSql, dropTablesSql } from '../../src/sql/ddl.js';
import { STAGING_EVENTS_COLUMNS, STAGING_SONGS_COLUMNS } from '../../src/sql/tables.js';
import { ConfigError, InterruptedError, UserError } from '../../src/errors.js';
import {
  DEFERRED_RESULT_MESSAGE,
  dataApiTargetFrom,
  openRedshiftDataApi,
  type DataApiWarehouse,
  type OpenRedshiftDataApiOptions,
  type StatementProgress,
} from '../../src/warehouse/data-api.js';
import { DataApiStatementError, isRejectedLoad } from '../../src/warehouse/data-api-errors.js';
import { namedParameters } from '../../src/warehouse/data-api-values.js';
import { fakeClock } from '../aws/fakes.js';
import { createDataApiDouble, type DataApiDouble } from '../support/data-api-double.js';
import { defineWarehouseConformance, type ChannelTraits } from './conformance.js';

const CLUSTER = { clusterIdentifier: 'dwhcluster', database: 'dwh', dbUser: 'dwhuser' };
const TABLE_SQL = 'CREATE TABLE tracks (id integer PRIMARY KEY, title text)';
/** How the messages name CLUSTER. */
const WHERE = 'cluster dwhcluster, database dwh as dwhuser';

let double: DataApiDouble;

beforeAll(async () => {
  double = await createDataApiDouble({ pageSize: 2 });
});

afterAll(async () => {
  await double.close();
});

beforeEach(async () => {
  double.configure({ pageSize: 2 });
  await double.db.query('DROP TABLE IF EXISTS tracks');
  await double.db.query(TABLE_SQL);
  double.mock.resetHistory();
});

/** A warehouse on the double, polling on a fake clock so no test waits. */
function open(options: Partial<OpenRedshiftDataApiOptions> = {}): Promise<DataApiWarehouse> {
  return openRedshiftDataApi({ client: double.client, target: CLUSTER, clock: fakeClock(), probe: false, ...options });
}

async function trackCount(): Promise<number> {
  const { rows } = await double.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tracks');
  return Number(rows[0]!.n);
}

describe('opening the Data API channel', () => {
  test('runs a probe as the configured database user and sends no password', async () => {
    const warehouse = await open({ probe: true });
    expect(warehouse.target).toBe('redshift');
    expect(warehouse.dialect).toBe('redshift');
    expect(warehouse.description).toBe('redshift via the Data API (cluster dwhcluster, database dwh as dwhuser)');
    const [call] = double.mock.commandCalls(ExecuteStatementCommand);
    expect(call!.args[0].input).toEqual({
      ClusterIdentifier: 'dwhcluster',
      Database: 'dwh',
      DbUser: 'dwhuser',
      Sql: 'SELECT version() AS version',
      StatementName: 'sparkify-dwh',
    });
  });

  test('a Serverless workgroup goes by WorkgroupName and the caller identity, without DbUser', async () => {
    const warehouse = await openRedshiftDataApi({
      client: double.client,
      target: { workgroupName: 'dwh', database: 'dev' },
      clock: fakeClock(),
    });
    expect(warehouse.target).toBe('redshift-serverless');
    expect(warehouse.description).toBe('redshift-serverless via the Data API (workgroup dwh, database dev)');
    const [call] = double.mock.commandCalls(ExecuteStatementCommand);
    expect(call!.args[0].input).toEqual({
      WorkgroupName: 'dwh',
      Database: 'dev',
      Sql: 'SELECT version() AS version',
      StatementName: 'sparkify-dwh',
    });
  });

  test('a cluster the API does not know is reported in one line at open, naming where it looked', async () => {
    const error = await openRedshiftDataApi({
      client: double.client,
      target: { clusterIdentifier: 'nosuchcluster', database: 'dwh', dbUser: 'dwhuser' },
      clock: fakeClock(),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      'the Data API refused ExecuteStatement on cluster nosuchcluster, database dwh as dwhuser: ' +
        'Cluster nosuchcluster not found.',
    );
    expect((error as UserError).hint).toContain('`sparkify-dwh cluster status`');
  });
});

/**
 * What the Data API gives where the contract allows two answers: no COPY FROM STDIN (COPY from S3
 * instead), errors without SQLSTATE (DescribeStatement has only the message), transactions sent as
 * one batch when work returns, and int8 beyond 2^53 refused (the JSON would round it).
 */
const DATA_API_CHANNEL: ChannelTraits = {
  copyFromStdin: false,
  copyFromS3: true,
  sqlstate: false,
  interactiveTransactions: false,
  exactInt8: false,
};

defineWarehouseConformance(
  'redshift Data API (on the PGlite double)',
  () => openRedshiftDataApi({ client: double.client, target: CLUSTER, clock: fakeClock() }),
  DATA_API_CHANNEL,
);

describe('capabilities', () => {
  test('COPY from S3, streamed results and cancel; no COPY FROM STDIN (rows cannot stream in over HTTPS)', async () => {
    const warehouse = await open();
    expect(warehouse.capabilities.copyFromStdin).toBeUndefined();
    expect(warehouse.capabilities.copyFromS3).toBeDefined();
    expect(warehouse.capabilities.streamResults).toBeDefined();
    expect(warehouse.capabilities.cancel).toBeDefined();
  });
});

describe('statements', () => {
  test('a statement is polled SUBMITTED → STARTED → FINISHED, the interval growing from 100 ms to 1 s', async () => {
    const clock = fakeClock();
    const seen: StatementProgress[] = [];
    double.configure({ pollsBeforeStart: 8 });
    const warehouse = await open({ clock, onProgress: (progress) => seen.push(progress) });
    const { rows } = await warehouse.query<{ one: number }>('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
    expect(seen.map((progress) => progress.status)).toEqual([
      ...Array<string>(8).fill('SUBMITTED'),
      'STARTED',
      'FINISHED',
    ]);
    expect(seen[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(clock.sleeps).toEqual([100, 150, 225, 337.5, 506.25, 759.375, 1000, 1000, 1000]);
    expect(seen.at(-1)!.elapsedMillis).toBe(clock.sleeps.reduce((sum, ms) => sum + ms, 0));
  });

  test('a result of many pages is read through NextToken into rows, fields and rowCount', async () => {
    const warehouse = await open();
    await warehouse.query("INSERT INTO tracks SELECT n, 'song ' || n FROM generate_series(1, 7) AS n");
    double.mock.resetHistory();
    const result = await warehouse.query<{ id: number; title: string }>('SELECT id, title FROM tracks ORDER BY id');
    expect(result.fields).toEqual(['id', 'title']);
    expect(result.rowCount).toBe(7);
    expect(result.rows).toEqual(
      Array.from({ length: 7 }, (_, index) => ({ id: index + 1, title: `song ${index + 1}` })),
    );
    const pages = double.mock.commandCalls(GetStatementResultCommand).map((call) => call.args[0].input.NextToken);
    expect(pages).toHaveLength(4); // 2 rows a page
    expect(pages[0]).toBeUndefined();
    expect(pages.slice(1).every((token) => typeof token === 'string')).toBe(true);
  });

  test('rowCount of a write is the rows it affected', async () => {
    const warehouse = await open();
    const insert = await warehouse.query("INSERT INTO tracks VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    expect(insert).toEqual({ rows: [], fields: [], rowCount: 3 });
    expect(double.mock.commandCalls(GetStatementResultCommand)).toHaveLength(0);
  });

  test('an int8 beyond 2^53, which the JSON rounds, is refused with how to read it exactly', async () => {
    const warehouse = await open();
    const error = await warehouse.query('SELECT 9007199254740993::bigint AS big').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `column "big" holds an integer beyond 2^53, which the Data API's JSON cannot carry exactly`,
    );
    expect((error as UserError).hint).toBe('select it as text instead (big::varchar)');
    expect((await warehouse.query('SELECT 9007199254740993::bigint::varchar AS big')).rows).toEqual([
      { big: '9007199254740993' },
    ]);
  });

  test('bytea comes back as bytes', async () => {
    const warehouse = await open();
    const { rows } = await warehouse.query<{ b: Uint8Array }>("SELECT '\\x01ff'::bytea AS b");
    expect([...rows[0]!.b]).toEqual([1, 255]);
  });

  test('$n parameters travel as named :pn parameters; $1 inside a literal stays text', async () => {
    const warehouse = await open();
    await warehouse.query('INSERT INTO tracks VALUES ($1, $2)', [7, "costs $1 'each'"]);
    const [call] = double.mock.commandCalls(ExecuteStatementCommand);
    expect(call!.args[0].input.Sql).toBe('INSERT INTO tracks VALUES (:p1, :p2)');
    expect(call!.args[0].input.Parameters).toEqual([
      { name: 'p1', value: '7' },
      { name: 'p2', value: "costs $1 'each'" },
    ]);
    const { rows } = await warehouse.query("SELECT title, '$1' AS literal FROM tracks WHERE id = $1", [7]);
    expect(rows).toEqual([{ title: "costs $1 'each'", literal: '$1' }]);
    expect(namedParameters('SELECT \'$1\', "$1", $1 -- $1\n', [5]).sql).toBe('SELECT \'$1\', "$1", :p1 -- $1\n');
    await expect(warehouse.query('SELECT $1::int AS n', [null])).rejects.toThrow(
      'parameter $1 is null: the Data API cannot pass NULL as a parameter, write NULL in the SQL',
    );
  });

  test('a statement the database refuses is a one-line error with the server message', async () => {
    const warehouse = await open();
    const error = await warehouse.query('SELECT * FROM no_such_table').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataApiStatementError);
    expect((error as Error).message).toBe('relation "no_such_table" does not exist');
    expect((error as DataApiStatementError).redshiftQueryId).toBeGreaterThan(0);
    expect((error as DataApiStatementError).batchIndex).toBeUndefined();
  });

  test('two statements in one ExecuteStatement are refused', async () => {
    const warehouse = await open();
    await expect(warehouse.query("INSERT INTO tracks VALUES (1, 'a'); DROP TABLE tracks")).rejects.toThrow(
      'cannot insert multiple commands into a prepared statement',
    );
    expect(await trackCount()).toBe(0);
  });

  test('a statement over 100 KB is refused before it is sent', async () => {
    const warehouse = await open();
    const big = `SELECT '${'x'.repeat(110 * 1024)}' AS big`;
    await expect(warehouse.query(big)).rejects.toThrow(
      `the statement "SELECT '${'x'.repeat(32)}…" is 111 KB, more than the 100 KB the Data API accepts`,
    );
    expect(double.mock.commandCalls(ExecuteStatementCommand)).toHaveLength(0);
  });
});

describe('transactions and batches', () => {
  test('transaction(work) sends what work issued as one BatchExecuteStatement when it resolves', async () => {
    const warehouse = await open();
    const result = await warehouse.transaction(async (tx) => {
      await tx.query('INSERT INTO tracks VALUES ($1, $2)', [1, 'one']);
      await tx.query('INSERT INTO tracks VALUES ($1, $2)', [2, 'two']);
      return 'done';
    });
    expect(result).toBe('done');
    expect(double.mock.commandCalls(ExecuteStatementCommand)).toHaveLength(0);
    const [batch] = double.mock.commandCalls(BatchExecuteStatementCommand);
    expect(batch!.args[0].input.Sqls).toEqual([
      'INSERT INTO tracks VALUES (:s1p1, :s1p2)',
      'INSERT INTO tracks VALUES (:s2p1, :s2p2)',
    ]);
    expect(await trackCount()).toBe(2);
  });

  test('when work throws, nothing is sent and the same error comes back', async () => {
    const warehouse = await open();
    const failure = new Error('work failed');
    await expect(
      warehouse.transaction(async (tx) => {
        await tx.query("INSERT INTO tracks VALUES (1, 'kept?')");
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(double.mock.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
    expect(await trackCount()).toBe(0);
  });

  test('a statement that fails in the batch rolls the whole transaction back', async () => {
    const warehouse = await open();
    const error = await warehouse
      .transaction(async (tx) => {
        await tx.query("INSERT INTO tracks VALUES (1, 'one')");
        await tx.query("INSERT INTO tracks VALUES (1, 'again')");
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataApiStatementError);
    expect((error as Error).message).toBe('duplicate key value violates unique constraint "tracks_pkey"');
    expect((error as DataApiStatementError).batchIndex).toBe(1);
    expect((error as DataApiStatementError).statementId).toMatch(/:2$/);
    expect(await trackCount()).toBe(0);
  });

  test('reading a result inside work says to use batch(), instead of giving a wrong answer', async () => {
    const warehouse = await open();
    const error = await warehouse
      .transaction(async (tx) => {
        const { rows } = await tx.query('SELECT count(*) AS n FROM tracks');
        return rows.length;
      })
      .catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(DEFERRED_RESULT_MESSAGE);
    expect(double.mock.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
  });

  test('using the warehouse itself inside work is a programming error, not a hang', async () => {
    const warehouse = await open();
    await expect(warehouse.transaction(() => warehouse.query('SELECT 1'))).rejects.toThrow(
      'use the Transaction passed to work instead',
    );
  });

  test('batch reports each statement as the polls see it start and finish, with its result', async () => {
    const warehouse = await open();
    const seen: string[] = [];
    const results = await warehouse.batch(
      [
        "INSERT INTO tracks VALUES (1, 'one')",
        "INSERT INTO tracks VALUES (2, 'two'), (3, 'three')",
        'SELECT id FROM tracks ORDER BY id',
      ],
      {
        progress: {
          started: (index) => seen.push(`started ${index}`),
          finished: (index, result) => seen.push(`finished ${index}: ${result.rowCount}`),
        },
      },
    );
    expect(seen).toEqual(['started 0', 'finished 0: 1', 'started 1', 'finished 1: 2', 'started 2', 'finished 2: 3']);
    expect(results.map((result) => result.rowCount)).toEqual([1, 2, 3]);
    expect(results[2]!.rows).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    // The sub-statement's own result, paged like any other.
    const ids = double.mock.commandCalls(GetStatementResultCommand).map((call) => call.args[0].input.Id);
    expect(ids.every((id) => id?.endsWith(':3'))).toBe(true);
    expect(await trackCount()).toBe(3);
  });

  test('Ctrl-C during a batch cancels it on the server: it rolls back, no further statement reported', async () => {
    const warehouse = await open();
    const controller = new AbortController();
    const started: number[] = [];
    const error = await warehouse
      .batch(["INSERT INTO tracks VALUES (1, 'one')", "INSERT INTO tracks VALUES (2, 'two')", 'SELECT 1'], {
        signal: controller.signal,
        progress: { started: (index) => started.push(index), finished: () => controller.abort() },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(started).toEqual([0]);
    const [cancel] = double.mock.commandCalls(CancelStatementCommand);
    const [batch] = double.mock.commandCalls(BatchExecuteStatementCommand);
    const batchId = (await batch!.returnValue).Id!;
    expect(cancel!.args[0].input.Id).toBe(batchId);
    expect(double.status(batchId)).toBe('ABORTED');
    expect(await trackCount()).toBe(0);
  });

  test('a COPY the cluster rejects says where its rejected lines are (SYS_LOAD_ERROR_DETAIL by query id)', async () => {
    const rejected = "Load into table 'staging_events' failed. Check 'sys_load_error_detail' system table for details.";
    double.configure({ rewrite: (sql) => (sql.startsWith('COPY') ? { error: `ERROR: ${rejected}` } : sql) });
    const warehouse = await open();
    const error = await warehouse
      .batch(['SELECT 1', "COPY staging_events FROM 's3://bucket/log_data' IAM_ROLE 'arn:aws:iam::1:role/r'"])
      .catch((caught: unknown) => caught);
    expect(isRejectedLoad(error)).toBe(true);
    const failure = error as DataApiStatementError;
    expect(failure.batchIndex).toBe(1);
    expect(failure.message).toBe(`${rejected} (query ${failure.redshiftQueryId})`);
    expect(failure.hint).toBe(
      `the rejected lines are in SYS_LOAD_ERROR_DETAIL WHERE query_id = ${failure.redshiftQueryId}`,
    );

    // copyFromS3 reads the rejected lines of exactly that query from SYS_LOAD_ERROR_DETAIL.
    await double.db.query(`CREATE TABLE sys_load_error_detail (query_id bigint, file_name char(256),
      line_number bigint, column_name char(127), error_message char(512))`);
    try {
      await double.db.query(
        `INSERT INTO sys_load_error_detail VALUES
          ($1, 's3://bucket/log_data/2018-11-01-events.json', 7, 'ts', 'Invalid digit, Value ''x'''),
          ($1 + 1, 's3://bucket/other.json', 1, 'userid', 'another load')`,
        [failure.redshiftQueryId],
      );
      const explained = await warehouse.capabilities.copyFromS3!.loadErrors(failure);
      expect(explained).toEqual({
        source: 'sys_load_error_detail',
        rows: [
          {
            filename: 's3://bucket/log_data/2018-11-01-events.json',
            line_number: 7,
            colname: 'ts',
            raw_field_value: '',
            err_reason: "Invalid digit, Value 'x'",
          },
        ],
      });
      expect(await warehouse.capabilities.copyFromS3!.loadErrors(new Error('not a load'))).toBeUndefined();
    } finally {
      await double.db.query('DROP TABLE sys_load_error_detail');
    }
  });
});

describe('read-only queries', () => {
  test('run as BEGIN READ ONLY plus the statement in one batch, the result read from sub-statement 2', async () => {
    const warehouse = await open();
    await double.db.query("INSERT INTO tracks VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    const result = await warehouse.readOnlyQuery<{ id: number }>('SELECT id FROM tracks ORDER BY id');
    expect(result).toEqual({ rows: [{ id: 1 }, { id: 2 }, { id: 3 }], fields: ['id'], rowCount: 3 });
    const [batch] = double.mock.commandCalls(BatchExecuteStatementCommand);
    expect(batch!.args[0].input.Sqls).toEqual(['BEGIN READ ONLY', 'SELECT id FROM tracks ORDER BY id']);
    const ids = double.mock.commandCalls(GetStatementResultCommand).map((call) => call.args[0].input.Id);
    expect(ids.every((id) => id?.endsWith(':2'))).toBe(true);
  });

  test('writes are refused by the database itself, and nothing changes', async () => {
    const warehouse = await open();
    const error = await warehouse
      .readOnlyQuery("INSERT INTO tracks VALUES (9, 'sneaky')")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      'the sql command is read-only: cannot execute INSERT in a read-only transaction',
    );
    await expect(warehouse.readOnlyQuery('COMMIT; DROP TABLE tracks')).rejects.toThrow(
      'cannot insert multiple commands into a prepared statement',
    );
    expect(await trackCount()).toBe(0);
  });

  test('streamReadOnly hands over pages as they are read, duplicate column names kept apart', async () => {
    const warehouse = await open();
    await double.db.query("INSERT INTO tracks SELECT n, 'song ' || n FROM generate_series(1, 5) AS n");
    double.mock.resetHistory();
    const stream = await warehouse.streamReadOnly('SELECT id AS a, id * 10 AS a FROM tracks ORDER BY id');
    expect(stream.fields).toEqual(['a', 'a']);
    expect(double.mock.commandCalls(GetStatementResultCommand)).toHaveLength(1);
    const pages: (readonly (readonly unknown[])[])[] = [];
    for await (const page of stream.pages) pages.push(page);
    expect(pages).toEqual([
      [
        [1, 10],
        [2, 20],
      ],
      [
        [3, 30],
        [4, 40],
      ],
      [[5, 50]],
    ]);
    expect(double.mock.commandCalls(GetStatementResultCommand)).toHaveLength(3);
  });
});

describe('cancel', () => {
  beforeAll(() => {
    double.hold(/pg_sleep/);
  });

  test('Ctrl-C cancels the running statement on the server and the query rejects within a second', async () => {
    const controller = new AbortController();
    const warehouse = await openRedshiftDataApi({
      client: double.client,
      target: CLUSTER,
      probe: false,
      signal: controller.signal,
    });
    const started = Date.now();
    const running = warehouse.query('SELECT pg_sleep(60)');
    setTimeout(() => controller.abort(), 300);
    const error = await running.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(Date.now() - started).toBeLessThan(1300);
    const [execute] = double.mock.commandCalls(ExecuteStatementCommand);
    const id = (await execute!.returnValue).Id!;
    expect(double.mock.commandCalls(CancelStatementCommand).map((call) => call.args[0].input.Id)).toEqual([id]);
    expect(double.status(id)).toBe('ABORTED');
    // Nothing is left holding the cluster: the next statement runs at once.
    const next = await openRedshiftDataApi({ client: double.client, target: CLUSTER, probe: false });
    expect((await next.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  test('cancelRunning() stops the statement being waited for', async () => {
    const warehouse = await openRedshiftDataApi({ client: double.client, target: CLUSTER, probe: false });
    const running = warehouse.readOnlyQuery('SELECT pg_sleep(60)');
    await new Promise((resolve) => setTimeout(resolve, 250));
    await warehouse.cancelRunning();
    await expect(running).rejects.toBeInstanceOf(InterruptedError);
  });

  test('cancelRunning() while the statement is still being submitted cancels it as soon as its Id comes', async () => {
    double.configure({ pageSize: 2, submitMillis: 200 });
    const warehouse = await openRedshiftDataApi({ client: double.client, target: CLUSTER, probe: false });
    const running = warehouse.query('SELECT pg_sleep(60)').catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(double.mock.commandCalls(ExecuteStatementCommand)).toHaveLength(1);
    await warehouse.cancelRunning();
    const started = Date.now();
    expect(await running).toBeInstanceOf(InterruptedError);
    expect(Date.now() - started).toBeLessThan(1000);
    const id = (await double.mock.commandCalls(ExecuteStatementCommand)[0]!.returnValue).Id!;
    expect(double.mock.commandCalls(CancelStatementCommand).map((call) => call.args[0].input.Id)).toEqual([id]);
    expect(double.status(id)).toBe('ABORTED');
    // The cancel was for that statement only: the next one runs.
    double.configure({ pageSize: 2 });
    expect((await warehouse.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  test('Ctrl-C reaching a batch twice (its signal and cancelRunning) sends one CancelStatement, at once', async () => {
    const controller = new AbortController();
    const warehouse = await openRedshiftDataApi({ client: double.client, target: CLUSTER, probe: false });
    // A poll interval long enough that only the interrupt itself can end the wait within the bound.
    const running = warehouse
      .batch(['SELECT 1', 'SELECT pg_sleep(60)'], { signal: controller.signal })
      .catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const started = Date.now();
    controller.abort();
    await warehouse.cancelRunning();
    expect(await running).toBeInstanceOf(InterruptedError);
    expect(Date.now() - started).toBeLessThan(500);
    const id = (await double.mock.commandCalls(BatchExecuteStatementCommand)[0]!.returnValue).Id!;
    expect(double.mock.commandCalls(CancelStatementCommand).map((call) => call.args[0].input.Id)).toEqual([id]);
  });

  test('a statement cancelled by someone else is reported as such, not as Ctrl-C', async () => {
    const warehouse = await openRedshiftDataApi({ client: double.client, target: CLUSTER, probe: false });
    const running = warehouse.query('SELECT pg_sleep(60)').catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const [execute] = double.mock.commandCalls(ExecuteStatementCommand);
    const id = (await execute!.returnValue).Id!;
    await double.client.send(new CancelStatementCommand({ Id: id }));
    const error = await running;
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `the statement was stopped on ${WHERE} before it finished (statement ${id}): ` +
        'it was cancelled by another session or a timeout',
    );
  });
});

describe('Data API errors become one line that says what to do', () => {
  const ID = 'a1b2c3d4-0747-4bf4-b142-000000000001';

  /** A plain mocked client, for failures the double has no reason to produce. */
  function plainClient(): { client: RedshiftDataClient; mock: AwsClientStub<RedshiftDataClient> } {
    const client = new RedshiftDataClient({
      region: 'us-west-2',
      credentials: { accessKeyId: 'AKIDPLAIN', secretAccessKey: 'plain-secret' },
    });
    return { client, mock: mockClient(client) };
  }

  async function failing(error: Error): Promise<UserError> {
    const { client, mock } = plainClient();
    mock.on(ExecuteStatementCommand).rejects(error);
    const warehouse = await openRedshiftDataApi({ client, target: CLUSTER, clock: fakeClock(), probe: false });
    const caught = await warehouse.query('SELECT 1').catch((failure: unknown) => failure);
    expect(caught).toBeInstanceOf(UserError);
    return caught as UserError;
  }

  test('too many active statements', async () => {
    const error = await failing(
      new ActiveStatementsExceededException({
        message: 'Active statements exceeded the allowed quota.',
        $metadata: {},
      }),
    );
    expect(error.message).toBe(
      `too many statements are already running on ${WHERE} through the Data API (ActiveStatementsExceededException)`,
    );
    expect(error.hint).toBe('wait for them to finish (or cancel them) and try again');
  });

  test('a database the API cannot connect to (paused cluster, missing credentials permission)', async () => {
    const error = await failing(
      new DatabaseConnectionException({
        message: 'Connection to the database failed',
        Message: 'Connection to the database failed',
        $metadata: {},
      }),
    );
    expect(error.message).toBe(
      `the Data API could not connect to the database on ${WHERE} (Connection to the database failed)`,
    );
    expect(error.hint).toBe(
      'check that it is available and not paused (`sparkify-dwh cluster status`) ' +
        'and that you may call redshift:GetClusterCredentials',
    );
  });

  test('access denied names the action and the permissions to add', async () => {
    const error = await failing(
      new RedshiftDataServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message:
          'User: arn:aws:iam::123456789012:user/ana is not authorized to perform: redshift-data:ExecuteStatement',
      }),
    );
    expect(error.message).toBe(
      `AWS denied redshift-data:ExecuteStatement on ${WHERE} (AccessDeniedException: ` +
        'User: arn:aws:iam::123456789012:user/ana is not authorized to perform: redshift-data:ExecuteStatement)',
    );
    expect(error.hint).toBe(
      'the identity running the wizard needs redshift-data:* on it and redshift:GetClusterCredentials; ' +
        'see docs/redshift.md (IAM policies)',
    );
  });

  test('an environmental failure of the statement says to try again', async () => {
    const error = await failing(
      new ExecuteStatementException({
        message: 'Query could not be run',
        Message: 'Query could not be run',
        StatementId: ID,
        $metadata: {},
      }),
    );
    expect(error.message).toBe(
      'the Data API could not run the statement on cluster dwhcluster, database dwh as dwhuser: Query could not be run',
    );
  });

  test("the service's own size refusal is explained too", async () => {
    const error = await failing(
      new ValidationException({
        message: 'Cannot process query string larger than 100kB',
        Message: 'Cannot process query string larger than 100kB',
        $metadata: {},
      }),
    );
    expect(error.message).toBe(
      'the statement is larger than the 100 KB the Data API accepts (Cannot process query string larger than 100kB)',
    );
  });

  test('a result that is no longer kept (24 hours)', async () => {
    const { client, mock } = plainClient();
    mock.on(ExecuteStatementCommand).resolves({ Id: ID });
    mock.on(DescribeStatementCommand).resolves({ Id: ID, Status: 'FINISHED', HasResultSet: true, ResultRows: 1 });
    mock.on(GetStatementResultCommand).rejects(
      new ResourceNotFoundException({
        message: 'Query does not exist.',
        Message: 'Query does not exist.',
        ResourceId: ID,
        $metadata: {},
      }),
    );
    const warehouse = await openRedshiftDataApi({ client, target: CLUSTER, clock: fakeClock(), probe: false });
    const error = await warehouse.query('SELECT 1').catch((caught: unknown) => caught);
    if (!(error instanceof UserError)) throw new Error('expected a UserError');
    expect(error.message).toBe('the Data API no longer knows this statement (Query does not exist.)');
    expect(error.hint).toBe('results are kept for 24 hours; run the query again');
  });

  test('when polling fails for good, the statement is cancelled so it cannot commit behind the error', async () => {
    const { client, mock } = plainClient();
    mock.on(ExecuteStatementCommand).resolves({ Id: ID });
    mock
      .on(DescribeStatementCommand)
      .resolvesOnce({ Id: ID, Status: 'STARTED' })
      .rejects(new InternalServerException({ message: 'Internal error', Message: 'Internal error', $metadata: {} }));
    mock.on(CancelStatementCommand).resolves({ Status: true });
    const warehouse = await openRedshiftDataApi({ client, target: CLUSTER, clock: fakeClock(), probe: false });
    const error = await warehouse.query("INSERT INTO tracks VALUES (1, 'a')").catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(`the Data API had an internal error on ${WHERE} (Internal error)`);
    expect(mock.commandCalls(CancelStatementCommand).map((call) => call.args[0].input)).toEqual([{ Id: ID }]);
  });

  test('a result over the Data API limit says to narrow the query', async () => {
    const { client, mock } = plainClient();
    mock.on(ExecuteStatementCommand).resolves({ Id: ID });
    mock.on(DescribeStatementCommand).resolves({
      Id: ID,
      Status: 'FAILED',
      Error: 'ERROR: Database response exceeded size limit',
      RedshiftQueryId: 77,
    });
    const warehouse = await openRedshiftDataApi({ client, target: CLUSTER, clock: fakeClock(), probe: false });
    const error = await warehouse.query('SELECT * FROM songplays').catch((caught: unknown) => caught);
    if (!(error instanceof UserError)) throw new Error('expected a UserError');
    expect(error.message).toBe(
      'the result is larger than the 500 MB the Data API can return (Database response exceeded size limit)',
    );
    expect(error.hint).toBe('narrow the query, or split it with LIMIT … OFFSET');
  });
});

describe('dataApiTargetFrom: where statements go, from dwh.cfg', () => {
  function config(dwh: Partial<DwhConfig['dwh']>, cluster: DwhConfig['cluster'] = {}): DwhConfig {
    return {
      aws: {},
      dwh: { access: 'private', baseRpu: 8, ...dwh },
      cluster,
      iamRole: {},
      s3: { region: 'us-west-2' },
      warehouse: { target: 'redshift', embeddedDir: '.sparkify/warehouse' },
      local: { songData: 'data/song_data', logData: 'data/log_data' },
    };
  }

  test('a provisioned cluster by identifier, database and database user; [CLUSTER] wins over [DWH]', () => {
    const dwh = { clusterIdentifier: 'dwhcluster', db: 'dwh', dbUser: 'dwhuser', dbPassword: 'unused' };
    expect(dataApiTargetFrom('redshift', config(dwh), 'dwh.cfg')).toEqual({
      clusterIdentifier: 'dwhcluster',
      database: 'dwh',
      dbUser: 'dwhuser',
    });
    expect(dataApiTargetFrom('redshift', config(dwh, { dbName: 'other', dbUser: 'ana' }), 'dwh.cfg')).toEqual({
      clusterIdentifier: 'dwhcluster',
      database: 'other',
      dbUser: 'ana',
    });
  });

  test('a Serverless workgroup by name and database, as the caller (no database user)', () => {
    expect(
      dataApiTargetFrom('redshift-serverless', config({ clusterIdentifier: 'dwh', db: 'dev', dbUser: 'x' }), 'dwh.cfg'),
    ).toEqual({ workgroupName: 'dwh', database: 'dev' });
  });

  test('a missing name is a ConfigError naming file, section and key', () => {
    expect(() => dataApiTargetFrom('redshift', config({ db: 'dwh', dbUser: 'u' }), 'dwh.cfg')).toThrow(
      new ConfigError('dwh.cfg', 'DWH', 'DWH_CLUSTER_IDENTIFIER', 'is not set', 'set it to the cluster identifier'),
    );
    expect(() => dataApiTargetFrom('redshift', config({ clusterIdentifier: 'c', db: 'dwh' }), 'dwh.cfg')).toThrow(
      'dwh.cfg [DWH] DWH_DB_USER: is not set',
    );
  });
});

describe('the S3 loader through the Data API (COPY from S3 played by INSERTs on the double)', () => {
  const CONFIG: DwhConfig = {
    aws: { region: 'us-west-2' },
    dwh: { access: 'private', baseRpu: 8, clusterIdentifier: 'dwhcluster', db: 'dwh', dbUser: 'dwhuser' },
    cluster: {},
    iamRole: { arn: 'arn:aws:iam::123456789012:role/dwhRole' },
    s3: {
      logData: 's3://udacity-dend/log_data',
      logJsonPath: 's3://udacity-dend/log_json_path.json',
      songData: 's3://udacity-dend/song_data',
      region: 'us-west-2',
    },
    warehouse: { target: 'redshift', embeddedDir: '.sparkify/warehouse' },
    local: { songData: 'song_data', logData: 'log_data' },
  };
  const SOURCES: LoadSources = {
    s3: () => s3LoadPlan(CONFIG, 'dwh.cfg'),
    folders: () => {
      throw new Error('an S3 load reads no local folders');
    },
  };
  const SONG_ROW =
    `INSERT INTO staging_songs (${STAGING_SONGS_COLUMNS.join(', ')}) ` +
    "VALUES (1, 'AR1', NULL, NULL, '', 'Alpha', 'SO1', 'First Song', 200.5, 2001)";
  const EVENT_ROW =
    `INSERT INTO staging_events (${STAGING_EVENTS_COLUMNS.join(', ')}) ` +
    "VALUES ('Alpha', 'Logged In', 'Ann', 'F', 0, 'Lee', 200.5, 'free', 'Here', " +
    "'PUT', 'NextSong', 1540344794796, 1, 'First Song', 200, 1541106106796, 'agent', 7)";
  const REJECTED = "Load into table 'staging_events' failed. Check 'sys_load_error_detail' system table for details.";

  beforeAll(async () => {
    for (const sql of createTablesSql('postgres')) await double.db.query(sql);
    // The view answers for any query id, as the real one would for the COPY that just failed.
    await double.db.query(`CREATE VIEW sys_load_error_detail AS
      SELECT id::bigint AS query_id,
        's3://udacity-dend/log_data/2018/11/2018-11-01-events.json'::char(256) AS file_name,
        3::bigint AS line_number, 'ts'::char(127) AS column_name,
        'Invalid digit, Value ''x'''::char(512) AS error_message
      FROM generate_series(1, 100000) AS id`);
  });

  afterAll(async () => {
    await double.db.query('DROP VIEW sys_load_error_detail');
    for (const sql of dropTablesSql()) await double.db.query(sql);
  });

  async function staged(table: 'staging_songs' | 'songplays'): Promise<number> {
    const { rows } = await double.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return Number(rows[0]!.n);
  }

  test('the whole load is one BatchExecuteStatement, reported statement by statement', async () => {
    double.configure({
      rewrite: (sql) =>
        sql.startsWith('COPY staging_songs')
          ? SONG_ROW
          : sql.startsWith('COPY staging_events')
            ? EVENT_ROW
            : withoutRedshiftAttributes(sql),
    });
    const warehouse = await open();
    const events: string[] = [];
    const result = await loadWarehouse(warehouse, SOURCES, {
      observe: (event) => events.push([event.kind, event.table].join(' ')),
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ songs: 1, events: 1, songplays: 1, rejected: [], rejectedTotal: 0 });
    expect(events.slice(0, 4)).toEqual([
      'copy-started staging_songs',
      'copy-finished staging_songs',
      'copy-started staging_events',
      'copy-finished staging_events',
    ]);
    const batches = double.mock.commandCalls(BatchExecuteStatementCommand);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.args[0].input.Sqls!.some((sql) => sql.includes("FROM 's3://udacity-dend/song_data'"))).toBe(
      true,
    );
    expect(double.mock.commandCalls(ExecuteStatementCommand)).toHaveLength(0);
  });

  /** The double runs SQL in PGlite: Redshift-only words in the load-history SQL are translated. */
  function withoutRedshiftAttributes(sql: string): string {
    return sql
      .replace(/\s+(DISTSTYLE \w+|SORTKEY \([^)]*\)|DISTKEY \([^)]*\))/g, '')
      .replace(/\bSYSDATE\b/g, 'LOCALTIMESTAMP');
  }

  test('a rejected COPY changes nothing, and its lines come from SYS_LOAD_ERROR_DETAIL', async () => {
    const before = { songs: await staged('staging_songs'), songplays: await staged('songplays') };
    double.configure({
      rewrite: (sql) =>
        sql.startsWith('COPY staging_songs')
          ? SONG_ROW
          : sql.startsWith('COPY staging_events')
            ? { error: `ERROR: ${REJECTED}` }
            : sql,
    });
    const warehouse = await open();
    const events: LoadEvent[] = [];
    const error = await loadWarehouse(warehouse, SOURCES, {
      observe: (event) => events.push(event),
      signal: new AbortController().signal,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataApiStatementError);
    expect((error as Error).message).toMatch(new RegExp(`^${REJECTED.replace(/[.()]/g, '\\$&')} \\(query \\d+\\)$`));
    expect(events.slice(-2).map((event) => `${event.kind} ${event.table}`)).toEqual([
      'copy-failed staging_events',
      'load-errors staging_events',
    ]);
    const explained = events.at(-1);
    expect(explained?.kind === 'load-errors' && explained.errors).toEqual({
      source: 'sys_load_error_detail',
      rows: [
        {
          filename: 's3://udacity-dend/log_data/2018/11/2018-11-01-events.json',
          line_number: 3,
          colname: 'ts',
          raw_field_value: '',
          err_reason: "Invalid digit, Value 'x'",
        },
      ],
    });
    // The DELETE and the songs COPY before the failure were rolled back with it.
    expect({ songs: await staged('staging_songs'), songplays: await staged('songplays') }).toEqual(before);
  });
});
