/**
 * Redshift Serverless end to end, unattended, from a dwh.cfg with `TARGET = redshift-serverless`
 * and no password anywhere: `cluster create` → `tables create` → `load` → `check` → `analytics` →
 * `sql` → `teardown`, each run through the command table as the command line runs it. AWS is
 * aws-sdk-client-mock (a small stateful Serverless service and account, test/aws); every SQL statement goes through
 * the Data API double, which runs it in PGlite (COPY from S3 played by INSERTs).
 */
import { BatchExecuteStatementCommand, ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { CreateClusterCommand } from '@aws-sdk/client-redshift';
import { CreateNamespaceCommand, CreateWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { expect, test, vi } from 'vitest';
import { COMMANDS } from '../../src/commands.js';
import type { AppContext, StepResult } from '../../src/context.js';
import { dropTablesSql } from '../../src/sql/ddl.js';
import { runSetup } from '../../src/steps/setup.js';
import { awsAccount } from '../aws/account-fakes.js';
import { AWS_KEY_ID, AWS_SECRET, configText, fakeClock, ROLE_ARN } from '../aws/fakes.js';
import { SECRET_ARN, serverlessService, WORKGROUP_ENDPOINT } from '../aws/serverless-fakes.js';
import { makeTestContext } from '../support/context.js';
import { asPostgres, useDataApiDouble, useMockedAws } from '../support/redshift-journey.js';

// The Data API polled every few milliseconds (the double answers at once), not over seconds.
vi.mock('../../src/warehouse/data-api.js', async (original) =>
  (await import('../support/redshift-journey.js')).fastDataApi(await original()),
);

const mocked = useMockedAws();
const dataApi = useDataApiDouble({ targets: [{ workgroupName: 'dwhcluster', database: 'dwh' }], pollsBeforeStart: 0 });

async function run(ctx: AppContext, name: string, input: object = {}): Promise<StepResult> {
  const spec = COMMANDS.find((command) => command.name === name);
  if (!spec) throw new Error(`no command ${name}`);
  const step = await spec.load();
  return step(ctx, input as never);
}

test('from a config without passwords: create, tables, load, check, analytics, sql and teardown', async () => {
  const aws = mocked.current;
  const double = dataApi.current;
  const service = serverlessService(aws.serverless);
  awsAccount(aws);
  const start = configText({ 'WAREHOUSE.TARGET': 'redshift-serverless', 'DWH.DWH_DB_PASSWORD': '' });
  expect(start).not.toMatch(/PASSWORD = \S/);
  const t = await makeTestContext({
    config: start,
    yes: true,
    aws: { ...aws.clients, redshiftData: double.client },
    clock: fakeClock(),
  });
  try {
    const step = async (name: string, input: object = {}): Promise<string> => {
      const before = t.ui.text().length;
      const result = await run(t.ctx, name, input);
      expect(result.ok, `${name}: ${t.ui.text()}`).toBe(true);
      return t.ui.text().slice(before);
    };

    const created = await step('cluster create');
    const namespaceInput = aws.serverless.commandCalls(CreateNamespaceCommand)[0]!.args[0].input;
    expect(namespaceInput).toMatchObject({
      namespaceName: 'dwhcluster',
      dbName: 'dwh',
      adminUsername: 'dwhuser',
      manageAdminPassword: true,
      defaultIamRoleArn: ROLE_ARN,
      iamRoles: [ROLE_ARN],
    });
    expect(namespaceInput.adminUserPassword).toBeUndefined();
    expect(namespaceInput.tags).toContainEqual({ key: 'created-by', value: 'sparkify-dwh' });
    const workgroupInput = aws.serverless.commandCalls(CreateWorkgroupCommand)[0]!.args[0].input;
    expect(workgroupInput).toMatchObject({
      workgroupName: 'dwhcluster',
      namespaceName: 'dwhcluster',
      baseCapacity: 8,
      publiclyAccessible: false,
    });
    expect(workgroupInput.tags).toContainEqual({ key: 'sparkify-dwh:cluster', value: 'dwhcluster' });
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(0);
    expect(created).toMatch(/\$0\.375 per RPU-hour: ~\$3\.00 per busy hour at 8 RPUs/);
    expect(created).toMatch(/idle time is free/);
    expect(created).toContain(SECRET_ARN);
    expect(created).toMatch(/Connected through the Data API/);
    const written = await readFile(t.configPath, 'utf8');
    expect(written).toMatch(new RegExp(`^HOST = ${WORKGROUP_ENDPOINT.replaceAll('.', '\\.')}$`, 'm'));
    expect(written).toMatch(new RegExp(`^ARN = ${ROLE_ARN}$`, 'm'));
    expect(written).not.toMatch(/PASSWORD = \S/);

    await step('tables create');
    const loaded = await step('load');
    expect(loaded).toMatch(/songplays/);
    // The COPYs ran through the Data API with the namespace's role, as one batch.
    const copies = double
      .submitted()
      .flat()
      .filter((sql) => sql.startsWith('COPY '));
    expect(copies.map((sql) => sql.split(' ')[1])).toEqual(['staging_songs', 'staging_events']);
    for (const copy of copies) expect(copy).toContain(`IAM_ROLE '${ROLE_ARN}'`);
    const songplays = await double.db.query<{ n: string }>('SELECT count(*) AS n FROM songplays');
    expect(Number(songplays.rows[0]!.n)).toBe(1);

    expect(await step('check')).toMatch(/checks passed/);
    await step('analytics', { format: 'table' });
    const sql = await step('sql', { query: 'SELECT count(*) AS plays FROM songplays', format: 'csv' });
    expect(sql).toMatch(/plays/);

    // SYS_SERVERLESS_USAGE as Redshift keeps it: one row per minute with work, RPU-seconds charged.
    await double.db.query(`CREATE TABLE sys_serverless_usage AS
      SELECT TIMESTAMP '2025-01-02 01:10:00' AS start_time, TIMESTAMP '2025-01-02 01:11:00' AS end_time,
        3000::float8 AS compute_seconds, 3600::bigint AS charged_seconds
      UNION ALL SELECT TIMESTAMP '2025-01-02 01:11:00', TIMESTAMP '2025-01-02 01:12:00', 3500, 3600`);
    const status = await step('cluster status');
    expect(status).toMatch(/Workgroup \| dwhcluster \(us-west-2\): AVAILABLE, base 8 RPUs/);
    expect(status).toContain(`Endpoint | ${WORKGROUP_ENDPOINT}:5439`);
    expect(status).toMatch(/Usage so far \| 2\.00 RPU-hours since 2025-01-02 01:10 UTC .*~\$0\.75/);
    expect(status).toContain(SECRET_ARN);

    const paused = await step('cluster pause');
    expect(paused).toMatch(/Redshift Serverless has no pause: .*billed per RPU-hour only while queries run/);

    const torn = await step('teardown');
    expect(torn).toMatch(/Workgroup dwhcluster deleted/);
    expect(torn).toMatch(/Namespace dwhcluster deleted \(no final snapshot\)/);
    expect(torn).toMatch(/IAM role dwhRole deleted/);
    expect(service.namespace).toBeUndefined();
    expect(service.workgroup).toBeUndefined();
    expect(service.finalSnapshots).toEqual([]);
    const after = await readFile(t.configPath, 'utf8');
    expect(after).toMatch(/^HOST =$/m);
    expect(after).toMatch(/^ARN =$/m);

    // Nothing reached a provisioned cluster, and every statement named the workgroup.
    const inputs = [
      ...double.mock.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input),
      ...double.mock.commandCalls(BatchExecuteStatementCommand).map((call) => call.args[0].input),
    ];
    expect(inputs.length).toBeGreaterThan(5);
    for (const input of inputs) expect(input).toMatchObject({ WorkgroupName: 'dwhcluster', Database: 'dwh' });
  } finally {
    await t.cleanup();
  }
});

test('a rejected COPY on Serverless is explained from SYS_LOAD_ERROR_DETAIL, never STL_LOAD_ERRORS', async () => {
  const aws = mocked.current;
  const double = dataApi.current;
  const rejected = "Load into table 'staging_events' failed. Check 'sys_load_error_detail' system table for details.";
  double.configure({
    pageSize: 50,
    pollsBeforeStart: 0,
    rewrite: (sql) => (sql.startsWith('COPY staging_events') ? { error: `ERROR: ${rejected}` } : asPostgres(sql)),
  });
  await double.db.query(`CREATE VIEW sys_load_error_detail AS
    SELECT id::bigint AS query_id,
      's3://udacity-dend/log_data/2018/11/2018-11-01-events.json'::char(256) AS file_name,
      3::bigint AS line_number, 'ts'::char(127) AS column_name,
      'Invalid digit, Value ''x'''::char(512) AS error_message
    FROM generate_series(1, 100000) AS id`);
  const t = await makeTestContext({
    config: configText({
      'WAREHOUSE.TARGET': 'redshift-serverless',
      'DWH.DWH_DB_PASSWORD': '',
      'IAM_ROLE.ARN': ROLE_ARN,
    }),
    yes: true,
    aws: { ...aws.clients, redshiftData: double.client },
    clock: fakeClock(),
  });
  try {
    const before = double.submitted().length;
    await run(t.ctx, 'tables create');
    const error = await run(t.ctx, 'load').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    const text = t.ui.text();
    expect(text).toMatch(/2018-11-01-events\.json/);
    expect(text).toMatch(/Invalid digit, Value 'x'/);
    const sent = double.submitted().slice(before).flat();
    expect(sent.some((sql) => /FROM sys_load_error_detail/i.test(sql))).toBe(true);
    expect(sent.some((sql) => /stl_load_errors/i.test(sql))).toBe(false);
  } finally {
    await double.db.query('DROP VIEW sys_load_error_detail');
    await t.cleanup();
  }
});

test('setup --yes: credentials → workgroup → tables → load (from S3, no sample data offered) → checks', async () => {
  const aws = mocked.current;
  const double = dataApi.current;
  double.configure({ pageSize: 50, pollsBeforeStart: 0, rewrite: asPostgres });
  for (const sql of dropTablesSql()) await double.db.query(sql);
  const service = serverlessService(aws.serverless);
  awsAccount(aws);
  const t = await makeTestContext({
    config: configText({
      'WAREHOUSE.TARGET': 'redshift-serverless',
      'DWH.DWH_DB_PASSWORD': '',
      'AWS.KEY': AWS_KEY_ID,
      'AWS.SECRET': AWS_SECRET,
    }),
    yes: true,
    aws: { ...aws.clients, redshiftData: double.client },
    clock: fakeClock(),
  });
  try {
    const result = await runSetup(t.ctx);
    const text = t.ui.text();
    expect(result.ok, text).toBe(true);
    expect(text).toMatch(/Steps: AWS credentials → Redshift Serverless workgroup → Create tables → Load data/);
    expect(text).toMatch(/Setup complete/);
    // The data is in S3: nothing offered or generated on this machine.
    expect(existsSync(t.path('data'))).toBe(false);
    expect(service.workgroup?.status).toBe('AVAILABLE');
    expect(
      double
        .submitted()
        .flat()
        .filter((sql) => sql.startsWith('COPY ')).length,
    ).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain(AWS_SECRET);
  } finally {
    await t.cleanup();
  }
});
