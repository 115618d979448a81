/**
 * The whole Redshift journey through the MENU, as a user answers it (docs/redshift.md): from a
 * folder with no cluster, the menu's entries one after the other: AWS credentials (typed keys),
 * Redshift cluster (its plan, then role, security group, cluster polled until available, HOST and
 * ARN written to dwh.cfg), Create tables, Load data (COPY from S3), Check, Analytics, and the
 * teardown (its plan before the question). After each step the next drawing of the menu shows it
 * done. Provisioned public (started on the redshift target), provisioned private and Serverless
 * (both switched to from the embedded target through the Warehouse entry). AWS is
 * aws-sdk-client-mock over a small stateful account (test/aws/account-fakes.ts, serverless-fakes.ts);
 * a public cluster's database is the recording double; private and Serverless SQL goes through the
 * Data API double, which runs it in PGlite.
 */
import { AuthorizeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, GetClusterCredentialsWithIAMCommand } from '@aws-sdk/client-redshift';
import { BatchExecuteStatementCommand, ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { readFileSync } from 'node:fs';
import { afterEach, expect, test, vi } from 'vitest';
import { runMenu } from '../../src/steps/menu.js';
import { SelectAbortedError } from '../../src/ui/prompts.js';
import type { SelectPrompt } from '../../src/ui/types.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import type * as RedshiftModule from '../../src/warehouse/redshift.js';
import { awsAccount } from '../aws/account-fakes.js';
import { serverlessService, WORKGROUP_ENDPOINT } from '../aws/serverless-fakes.js';
import { dropTablesSql } from '../../src/sql/ddl.js';
import {
  AWS_KEY_ID,
  AWS_SECRET,
  configText,
  DB_PASSWORD,
  ENDPOINT,
  fakeClock,
  privateConfigText,
  ROLE_ARN,
} from '../aws/fakes.js';
import { makeTestContext } from '../support/context.js';
import { recordingRedshift } from '../support/redshift-double.js';
import { useDataApiDouble, useMockedAws } from '../support/redshift-journey.js';

// A public cluster is reached over TLS with pg: here every connection is the recording double,
// which answers the connection test's SELECT version() as Redshift does.
const cluster = vi.hoisted(() => ({ database: undefined as Warehouse | undefined }));
vi.mock('../../src/warehouse/redshift.js', async (original) => ({
  ...(await original<typeof RedshiftModule>()),
  openRedshift: () => {
    const database = cluster.database;
    if (!database) return Promise.reject(new Error('no cluster database in this test'));
    const query = ((sql: string) =>
      /^SELECT version\(\)/i.test(sql)
        ? Promise.resolve({
            rows: [{ version: 'PostgreSQL 8.0.2 on i686-pc-linux-gnu, Redshift 1.0.90000' }],
            fields: ['version'],
            rowCount: 1,
          })
        : database.query(sql)) as Warehouse['query'];
    return Promise.resolve({ ...database, query, close: () => Promise.resolve() });
  },
}));

// The Data API polled every few milliseconds (the double answers at once), not over seconds.
vi.mock('../../src/warehouse/data-api.js', async (original) =>
  (await import('../support/redshift-journey.js')).fastDataApi(await original()),
);

const aws = useMockedAws();
const dataApi = useDataApiDouble({
  pollsBeforeStart: 0,
  targets: [
    { clusterIdentifier: 'dwhcluster', database: 'dwh' },
    { workgroupName: 'dwhcluster', database: 'dwh' },
  ],
});
afterEach(() => {
  cluster.database = undefined;
});

const MENU = 'What next?';
const SECRET_ARN = 'arn:aws:secretsmanager:us-west-2:123456789012:secret:redshift!dwhcluster-dwhuser-AbCdEf';

type Made = Awaited<ReturnType<typeof makeTestContext>>;

/**
 * Watch the menu as a user does: a drawing made while statuses are still being read is withdrawn
 * (as the terminal select is, through its signal) and only the complete one is answered. For each
 * answered drawing: its entries and dwh.cfg on disk at that moment; for every other question: what
 * the screen showed when it was asked.
 */
function watch(t: Made) {
  const seen = {
    drawings: [] as string[][],
    files: [] as string[],
    screens: new Map<string, string>(),
  };
  const { prompts } = t;
  const select = prompts.select.bind(prompts);
  prompts.select = <T>(prompt: SelectPrompt<T>): Promise<T> => {
    if (prompt.message === MENU && prompt.signal) {
      const { signal } = prompt;
      return new Promise<T>((_resolve, reject) => {
        const withdraw = (): void => reject(new SelectAbortedError(prompt.default));
        if (signal.aborted) withdraw();
        else signal.addEventListener('abort', withdraw, { once: true });
      });
    }
    if (prompt.message === MENU) {
      seen.drawings.push(prompt.choices.map((choice) => choice.name));
      seen.files.push(readFileSync(t.configPath, 'utf8'));
    } else seen.screens.set(prompt.message, t.ui.text());
    return select(prompt);
  };
  for (const kind of ['input', 'password', 'confirm'] as const) {
    const ask = prompts[kind].bind(prompts) as (prompt: { message: string }) => Promise<never>;
    (prompts as Record<typeof kind, unknown>)[kind] = (prompt: { message: string }) => {
      seen.screens.set(prompt.message, t.ui.text());
      return ask(prompt);
    };
  }
  return seen;
}

/** The label of the entry titled `title` in a drawing, its title padding squeezed. */
function entry(drawing: string[] | undefined, title: string): string {
  const found = drawing?.find((label) => label.startsWith(title));
  if (!found) throw new Error(`no entry ${title} in ${JSON.stringify(drawing)}`);
  return found.replace(/ {2,}/g, ' ');
}

/** The cluster entry's answers: Enter at every question of its plan, then yes. */
const PROVISIONED = [
  'Redshift cluster',
  undefined, // identifier
  'ra3.large',
  undefined, // nodes
  undefined, // database
  undefined, // admin user
  undefined, // port
  undefined, // role name
  undefined, // automatic pause: never
  true, // create these AWS resources
];

/** The workgroup entry's answers: Enter, 8 RPUs, then yes. */
const SERVERLESS = [
  'Redshift Serverless workgroup',
  undefined, // namespace and workgroup name
  undefined, // database
  undefined, // admin user
  8, // base capacity in RPUs
  undefined, // role name
  true, // create these AWS resources
];

/**
 * The menu answers from a folder with nothing in AWS to a teardown: `before` first (a target
 * switch), `create` for the cluster or workgroup entry.
 */
function journey(before: unknown[], create: unknown[]): unknown[] {
  return [
    ...before,
    // AWS credentials: typed keys, not saved in dwh.cfg.
    'AWS credentials',
    'type',
    AWS_KEY_ID,
    AWS_SECRET,
    false,
    ...create,
    'Create tables',
    'Load data',
    'Check data quality',
    'Analytics',
    // Teardown: its plan (asking about a final snapshot: no), then the identifier typed to go ahead.
    'Tear down AWS resources',
    false,
    'dwhcluster',
    'Quit',
  ];
}

const CREATE = 'Create these AWS resources? (billed while the cluster exists)';
const TEAR_DOWN = 'Type the cluster identifier (dwhcluster) to delete what is listed, or leave empty to stop';

/** What every journey shows the same way, whatever the access: statuses, plans, write-back, teardown. */
function expectJourney(t: Made, seen: ReturnType<typeof watch>, account: ReturnType<typeof awsAccount>): void {
  const text = t.ui.text();
  expect(t.prompts.remaining()).toBe(0);
  const [first, keyed, created, tabled, loaded, checked, analysed, torn] = seen.drawings.slice(-8);

  // Before anything: credentials and cluster to do, the SQL steps wait for the cluster.
  expect(entry(first, 'AWS credentials')).toMatch(/• not yet/);
  expect(entry(first, 'Redshift cluster')).toBe('Redshift cluster • not yet (no cluster)');
  expect(entry(first, 'Create tables')).toBe('Create tables – n/a (create the cluster first)');
  expect(entry(first, 'Guided setup')).toBe('Guided setup (6 steps to do)');
  // Each step shows done in the next drawing.
  expect(entry(keyed, 'AWS credentials')).toBe('AWS credentials ✔ done (access key typed in this session)');
  expect(entry(created, 'Redshift cluster')).toBe('Redshift cluster ✔ done (cluster available)');
  expect(entry(created, 'Create tables')).toBe('Create tables • not yet (no tables yet)');
  expect(entry(created, 'Tear down AWS resources')).toMatch(/• not yet \(cluster available: delete it when done\)/);
  expect(entry(tabled, 'Create tables')).toBe('Create tables ✔ done (7 tables)');
  expect(entry(loaded, 'Load data')).toMatch(/^Load data ✔ done \(\d+ songplays?\)$/);
  expect(entry(checked, 'Check data quality')).toMatch(/^Check data quality ✔ done \(\d+ passed /);
  expect(entry(analysed, 'Analytics')).toMatch(/^Analytics ✔ done \(8 queries /);
  expect(entry(analysed, 'Guided setup')).toBe('Guided setup (all done)');
  expect(entry(torn, 'Redshift cluster')).toBe('Redshift cluster • not yet (no cluster)');
  expect(entry(torn, 'Tear down AWS resources')).toBe('Tear down AWS resources ✔ done (no cluster)');

  // The keys were typed, used and not written; HOST and ARN were written back once the cluster was up.
  const [, keyedFile, createdFile] = seen.files.slice(-8);
  expect(keyedFile).toMatch(/^KEY =$/m);
  expect(createdFile).toMatch(new RegExp(`^HOST = ${ENDPOINT.replaceAll('.', '\\.')}$`, 'm'));
  expect(createdFile).toMatch(new RegExp(`^ARN = ${ROLE_ARN}$`, 'm'));

  // The cluster step showed its plan before asking, and nothing was created until the answer.
  const beforeCreate = seen.screens.get(CREATE)!;
  expect(beforeCreate).toMatch(/plan {2}AWS redshift CreateCluster/);
  expect(beforeCreate).toMatch(
    /plan {2}dwh\.cfg: would write \[IAM_ROLE\] ARN = arn:aws:iam::123456789012:role\/dwhRole/,
  );
  expect(beforeCreate).not.toMatch(/✔ Cluster dwhcluster is available/);
  expect(aws.current.redshift.commandCalls(CreateClusterCommand)).toHaveLength(1);
  expect(text).toMatch(/✔ Cluster dwhcluster is available/);
  // The load's live progress: each COPY from S3 under its spinner, then a summary per table.
  const copies = t.ui.spinners.filter((spinner) => /: COPY from s3:\/\//.test(spinner.texts[0]!));
  expect(copies.map((spinner) => spinner.texts[0]!.split(':')[0])).toEqual(['staging_songs', 'staging_events']);
  expect(text).toMatch(/COPY from S3\ntable \| rows/);

  // Teardown showed its plan (every delete) before the identifier was asked for, then did it.
  const beforeTeardown = seen.screens.get(TEAR_DOWN)!.slice(beforeCreate.length);
  for (const call of ['redshift DeleteCluster', 'iam DeleteRole', 'ec2 DeleteSecurityGroup'])
    expect(beforeTeardown).toContain(`plan  AWS ${call}`);
  expect(beforeTeardown).not.toMatch(/✔ Cluster dwhcluster deleted/);
  expect(account.deleted).toEqual(['cluster dwhcluster', 'role dwhRole', 'group sg-0wizard']);
  const after = readFileSync(t.configPath, 'utf8');
  expect(after).toMatch(/^HOST =$/m);
  expect(after).toMatch(/^ARN =$/m);

  for (const secret of [AWS_SECRET, DB_PASSWORD]) expect(text).not.toContain(secret);
}

test('provisioned, public: the whole journey from the menu, statuses done after each step', async () => {
  const clock = fakeClock();
  const account = awsAccount(aws.current, { now: clock.now });
  const database = recordingRedshift(undefined, { tablesExist: false });
  cluster.database = database.warehouse;
  const t = await makeTestContext({
    config: configText({ 'DWH.DWH_ALLOWED_CIDR': '198.51.100.4/32' }),
    aws: aws.current.clients,
    clock,
    answers: journey([], PROVISIONED),
  });
  const seen = watch(t);
  try {
    expect((await runMenu(t.ctx)).ok, t.ui.text()).toBe(true);
    expectJourney(t, seen, account);
    // Public: the port opened to the address in dwh.cfg only; tables and COPYs over TLS with the new role.
    const create = aws.current.redshift.commandCalls(CreateClusterCommand)[0]!.args[0].input;
    expect(create).toMatchObject({ PubliclyAccessible: true, MasterUserPassword: DB_PASSWORD });
    const ingress = aws.current.ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]!.args[0].input;
    expect(ingress.IpPermissions?.[0]?.IpRanges?.[0]?.CidrIp).toBe('198.51.100.4/32');
    expect(t.ui.text()).toMatch(/✔ Connected: PostgreSQL 8\.0\.2 .*Redshift/);
    const copies = database.statements.filter((sql) => sql.startsWith('COPY '));
    expect(copies.map((sql) => sql.split(' ')[1])).toEqual(['staging_songs', 'staging_events']);
    for (const copy of copies) expect(copy).toContain(`IAM_ROLE '${ROLE_ARN}'`);
  } finally {
    await t.cleanup();
  }
});

test('provisioned, private: switched to from embedded in the menu, every statement through the Data API', async () => {
  const clock = fakeClock();
  const account = awsAccount(aws.current, { now: clock.now, secretArn: SECRET_ARN });
  const t = await makeTestContext({
    config: privateConfigText({ 'WAREHOUSE.TARGET': 'embedded' }),
    aws: { ...aws.current.clients, redshiftData: dataApi.current.client },
    clock,
    // The warehouse entry first: Amazon Redshift, private.
    answers: journey(['Warehouse', 'redshift', 'private'], PROVISIONED),
  });
  const seen = watch(t);
  try {
    expect((await runMenu(t.ctx)).ok, t.ui.text()).toBe(true);
    // The embedded target's menu first, then the same menu on Redshift.
    expect(entry(seen.drawings[0], 'Warehouse')).toMatch(/^Warehouse this computer/);
    expect(seen.drawings[0]!.some((label) => label.startsWith('AWS credentials'))).toBe(false);
    expect(seen.files[1]).toMatch(/^TARGET = redshift$/m);
    expect(seen.files[1]).toMatch(/^DWH_ACCESS = private$/m);
    expectJourney(t, seen, account);
    // Private: not publicly accessible, no port opened, the password kept by AWS; SQL via the Data API.
    const create = aws.current.redshift.commandCalls(CreateClusterCommand)[0]!.args[0].input;
    expect(create).toMatchObject({ PubliclyAccessible: false, ManageMasterPassword: true });
    expect(create).not.toHaveProperty('MasterUserPassword');
    expect(aws.current.ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
    expect(aws.current.redshift.commandCalls(GetClusterCredentialsWithIAMCommand)).toHaveLength(0);
    expect(t.ui.text()).toContain(SECRET_ARN);
    expect(t.ui.text()).toContain('Connected through the Redshift Data API as dwhuser');
    expect(readFileSync(t.configPath, 'utf8')).not.toMatch(/PASSWORD = \S/);
    const sent = dataApi.current.submitted().flat();
    expect(sent.filter((sql) => sql.startsWith('COPY ')).map((sql) => sql.split(' ')[1])).toEqual([
      'staging_songs',
      'staging_events',
    ]);
    const calls = [
      ...dataApi.current.mock.commandCalls(ExecuteStatementCommand),
      ...dataApi.current.mock.commandCalls(BatchExecuteStatementCommand),
    ].map((call) => call.args[0].input);
    expect(calls.every((input) => input.ClusterIdentifier === 'dwhcluster' && input.DbUser === 'dwhuser')).toBe(true);
  } finally {
    await t.cleanup();
  }
});

test('Serverless: switched to in the menu (no private/public question), workgroup to teardown', async () => {
  const double = dataApi.current;
  for (const sql of dropTablesSql()) await double.db.query(sql);
  // The double serves the whole file: what this test sent comes after what the others did.
  const sentBefore = double.submitted().length;
  const callsBefore = double.mock.send.callCount;
  const clock = fakeClock();
  const service = serverlessService(aws.current.serverless);
  awsAccount(aws.current, { now: clock.now });
  const t = await makeTestContext({
    config: privateConfigText({ 'WAREHOUSE.TARGET': 'embedded' }),
    aws: { ...aws.current.clients, redshiftData: double.client },
    clock,
    answers: journey(['Warehouse', 'redshift-serverless'], SERVERLESS),
  });
  const seen = watch(t);
  try {
    expect((await runMenu(t.ctx)).ok, t.ui.text()).toBe(true);
    expect(t.prompts.remaining()).toBe(0);
    expect(t.prompts.messages()).not.toContain('How should SQL reach Redshift?');
    const [, first, keyed, created, tabled, loaded, checked, analysed, torn] = seen.drawings;
    expect(entry(first, 'Warehouse')).toBe('Warehouse Redshift Serverless, private · switch');
    expect(entry(first, 'Redshift Serverless workgroup')).toBe(
      'Redshift Serverless workgroup • not yet (no workgroup)',
    );
    expect(entry(keyed, 'AWS credentials')).toBe('AWS credentials ✔ done (access key typed in this session)');
    expect(entry(created, 'Redshift Serverless workgroup')).toBe(
      'Redshift Serverless workgroup ✔ done (workgroup available)',
    );
    expect(entry(tabled, 'Create tables')).toBe('Create tables ✔ done (7 tables)');
    expect(entry(loaded, 'Load data')).toMatch(/^Load data ✔ done/);
    expect(entry(checked, 'Check data quality')).toMatch(/^Check data quality ✔ done/);
    expect(entry(analysed, 'Guided setup')).toBe('Guided setup (all done)');
    expect(entry(torn, 'Redshift Serverless workgroup')).toBe('Redshift Serverless workgroup • not yet (no workgroup)');
    expect(entry(torn, 'Tear down AWS resources')).toBe('Tear down AWS resources ✔ done (no workgroup)');

    // Both AWS steps showed their plan before their question.
    const beforeCreate = seen.screens.get(
      'Create these AWS resources? (billed per RPU-hour while queries run, and for storage)',
    )!;
    expect(beforeCreate).toMatch(/plan {2}AWS redshift-serverless CreateNamespace/);
    expect(beforeCreate).toMatch(/plan {2}AWS redshift-serverless CreateWorkgroup/);
    expect(beforeCreate).not.toMatch(/✔ Namespace dwhcluster created/);
    const beforeTeardown = seen.screens
      .get('Type the workgroup name (dwhcluster) to delete what is listed, or leave empty to stop')!
      .slice(beforeCreate.length);
    expect(beforeTeardown).toMatch(/plan {2}AWS redshift-serverless DeleteWorkgroup/);
    expect(beforeTeardown).not.toMatch(/✔ Workgroup dwhcluster deleted/);

    expect(seen.files[2]).toMatch(/^TARGET = redshift-serverless$/m);
    expect(seen.files[4]).toMatch(new RegExp(`^HOST = ${WORKGROUP_ENDPOINT.replaceAll('.', '\\.')}$`, 'm'));
    expect(seen.files[4]).toMatch(new RegExp(`^ARN = ${ROLE_ARN}$`, 'm'));
    expect(service.namespace).toBeUndefined();
    expect(service.workgroup).toBeUndefined();
    expect(readFileSync(t.configPath, 'utf8')).toMatch(/^HOST =$/m);
    const copies = double
      .submitted()
      .slice(sentBefore)
      .flat()
      .filter((sql) => sql.startsWith('COPY '));
    expect(copies.map((sql) => sql.split(' ')[1])).toEqual(['staging_songs', 'staging_events']);
    const statements = double.mock.send
      .getCalls()
      .slice(callsBefore)
      .map((call) => call.args[0])
      .filter(
        (command) => command instanceof ExecuteStatementCommand || command instanceof BatchExecuteStatementCommand,
      )
      .map((command) => command.input);
    expect(statements.length).toBeGreaterThan(5);
    for (const input of statements) expect(input).toMatchObject({ WorkgroupName: 'dwhcluster', Database: 'dwh' });
    expect(t.ui.text()).not.toContain(AWS_SECRET);
  } finally {
    await t.cleanup();
  }
});
