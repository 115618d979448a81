/**
 * Live COPY progress through the Data API (docs/redshift.md, Live progress): while a load's batch
 * runs, a second statement asks for its session (DescribeStatement's RedshiftPid): STV_LOAD_STATE on
 * a cluster, SYS_LOAD_HISTORY's running row on Serverless. A failed question never fails the load.
 */
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, test } from 'vitest';
import { DataApiWarehouse, type DataApiTarget } from '../../src/warehouse/data-api.js';

const client = new RedshiftDataClient({
  region: 'us-west-2',
  credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' },
});
const mock = mockClient(client);
afterEach(() => mock.reset());

const PID = 1073815;
const COPY = "COPY staging_songs FROM 's3://udacity-dend/song_data' IAM_ROLE 'arn:aws:iam::1:role/r' JSON 'auto'";
const long = (value: number) => ({ longValue: value });

/** A batch that runs until `finish()`; the probe answers `row` (realistic sums over slices). */
function mockLoad(row: Array<{ longValue: number }> | 'fails') {
  let done = false;
  mock.on(BatchExecuteStatementCommand).resolves({ Id: 'a1b2c3d4-0000-0000-0000-00000000000b' });
  // A promise, as the real client's send returns (callers race it against Ctrl-C with .then).
  mock.on(DescribeStatementCommand, { Id: 'a1b2c3d4-0000-0000-0000-00000000000b' }).callsFake(async () => ({
    Id: 'a1b2c3d4-0000-0000-0000-00000000000b',
    Status: done ? 'FINISHED' : 'STARTED',
    RedshiftPid: PID,
    SubStatements: [
      {
        Id: 'a1b2c3d4-0000-0000-0000-00000000000b:1',
        Status: done ? 'FINISHED' : 'STARTED',
        ResultRows: done ? 14896 : undefined,
      },
    ],
  }));
  if (row === 'fails') {
    mock.on(ExecuteStatementCommand).rejects(new ValidationException({ message: 'permission denied', $metadata: {} }));
  } else {
    mock.on(ExecuteStatementCommand).resolves({ Id: 'a1b2c3d4-0000-0000-0000-00000000000p' });
  }
  mock.on(DescribeStatementCommand, { Id: 'a1b2c3d4-0000-0000-0000-00000000000p' }).resolves({
    Id: 'a1b2c3d4-0000-0000-0000-00000000000p',
    Status: 'FINISHED',
    HasResultSet: true,
    ResultRows: 1,
  });
  mock.on(GetStatementResultCommand).resolves({
    ColumnMetadata: ['files', 'files_done', 'rows_loaded', 'bytes_loaded', 'bytes_to_load'].map((name) => ({
      name,
      label: name,
      typeName: 'int8',
    })),
    Records: row === 'fails' ? [] : [row],
    TotalNumRows: 1,
  });
  return { finish: () => (done = true) };
}

async function whileLoading(target: DataApiTarget, row: Parameters<typeof mockLoad>[0]) {
  const load = mockLoad(row);
  const warehouse = new DataApiWarehouse({ client, target, poll: { initialMillis: 1, maxMillis: 2 } });
  const running = warehouse.batch([COPY]);
  // The load's statement has started once DescribeStatement has answered for it.
  while (mock.commandCalls(DescribeStatementCommand).length === 0) await new Promise((r) => setTimeout(r, 2));
  await new Promise((r) => setTimeout(r, 5));
  const state = warehouse.capabilities.copyFromS3!.loadState!();
  const settled = await state.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  load.finish();
  const results = await running;
  await warehouse.close();
  return { settled, results };
}

describe('live COPY progress through the Data API', () => {
  test('a private cluster: STV_LOAD_STATE for the load session, asked as a second statement', async () => {
    const { settled, results } = await whileLoading({ clusterIdentifier: 'dwhcluster', database: 'dwh' }, [
      long(14896),
      long(9800),
      long(9800),
      long(2_411_724),
      long(3_565_158),
    ]);
    expect(settled).toEqual({
      value: { files: 14896, filesDone: 9800, rows: 9800, bytesLoaded: 2_411_724, bytesToLoad: 3_565_158 },
    });
    const probe = mock.commandCalls(ExecuteStatementCommand)[0]!.args[0].input;
    expect(probe.Sql).toMatch(/FROM stv_load_state/);
    expect(probe.ClusterIdentifier).toBe('dwhcluster');
    expect(probe.Parameters).toEqual([expect.objectContaining({ value: String(PID) })]);
    expect(results[0]!.rowCount).toBe(14896);
  });

  test('Serverless: the running row of SYS_LOAD_HISTORY for the load session', async () => {
    const { settled } = await whileLoading({ workgroupName: 'dwhcluster', database: 'dwh' }, [
      long(14896),
      long(120),
      long(120),
      long(29_000),
      long(3_565_158),
    ]);
    expect(settled).toEqual({
      value: { files: 14896, filesDone: 120, rows: 120, bytesLoaded: 29_000, bytesToLoad: 3_565_158 },
    });
    const probe = mock.commandCalls(ExecuteStatementCommand)[0]!.args[0].input;
    expect(probe.Sql).toMatch(/FROM sys_load_history[^]*status = 'running'/);
    expect(probe.WorkgroupName).toBe('dwhcluster');
  });

  test('a question that fails rejects only itself: the load finishes', async () => {
    const { settled, results } = await whileLoading({ clusterIdentifier: 'dwhcluster', database: 'dwh' }, 'fails');
    expect(settled).toHaveProperty('error');
    expect(results[0]!.rowCount).toBe(14896);
  });
});
