/**
 * --dry-run (docs/commands.md): each command, run through the real context and runCommand, prints
 * its plan (AWS calls with their parameters, SQL in the target's dialect, dwh.cfg keys) and changes
 * nothing: AWS (aws-sdk-client-mock, the SDK's real exception classes) receives no call that
 * mutates, no file appears or changes in the folder (no lock, no PGlite data folder), and a real
 * PostgreSQL database keeps what it had.
 */
import { DescribeSecurityGroupsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { DescribeClustersCommand, DescribeScheduledActionsCommand } from '@aws-sdk/client-redshift';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createContext, runCommand } from '../../src/app.js';
import { isReadOnlyAction } from '../../src/aws/planning.js';
import { COMMANDS, MENU } from '../../src/commands.js';
import { createUnattendedPrompts } from '../../src/ui/prompts.js';
import {
  AWS_KEY_ID,
  AWS_SECRET,
  cluster,
  configText,
  DB_PASSWORD,
  ENDPOINT,
  mockAws,
  privateConfigText,
  ROLE_ARN,
} from '../aws/fakes.js';
import { serverlessService } from '../aws/serverless-fakes.js';
import { clusterNotFound, mockWizardRole, noSuchRole, THIS_CLUSTER, WIZARD_GROUP } from '../aws/account-fakes.js';
import { createTestDatabase } from '../support/postgres.js';
import { recordingUi } from '../support/ui.js';

let dir: string;
let aws: ReturnType<typeof mockAws>;
const savedEnv = { ...process.env };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkify-dry-run-'));
  // Never the user's ~/.aws, never the instance metadata service: credentials come from dwh.cfg or nowhere.
  process.env.AWS_CONFIG_FILE = join(dir, 'aws-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'aws-credentials');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    delete process.env[name];
  }
  aws = mockAws();
});

afterEach(async () => {
  aws.restore();
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  await rm(dir, { recursive: true, force: true });
});

/** Every file under `folder` with its content: what "nothing changed" compares. */
async function snapshot(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) {
      files[join(entry.parentPath, entry.name)] = '(folder)';
      continue;
    }
    const path = join(entry.parentPath, entry.name);
    files[path] = await readFile(path, 'utf8');
  }
  return files;
}

/** Run `command --dry-run --yes` in `dir` with `config` as dwh.cfg. */
async function dryRun(command: string, config: string | undefined) {
  if (config !== undefined) await writeFile(join(dir, 'dwh.cfg'), config, { mode: 0o600 });
  const before = await snapshot(dir);
  const ui = recordingUi();
  const ctx = await createContext(
    { configPath: 'dwh.cfg', yes: true, color: false, dryRun: true },
    {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: {},
      cwd: dir,
      nodeVersion: 'v22.12.0',
    },
    { ui, prompts: createUnattendedPrompts() },
  );
  const spec = command === 'menu' ? MENU : COMMANDS.find((entry) => entry.name === command);
  if (!spec) throw new Error(`no command ${command}`);
  const status = await runCommand(ctx, command, async (context) => (await spec.load())(context, {} as never), {
    config: spec.config,
    lock: spec.lock,
  });
  const after = await snapshot(dir);
  return {
    status,
    ui,
    text: ui.text(),
    plan: ui.of('print').join('\n'),
    unchanged: () => expect(after).toEqual(before),
  };
}

/** The AWS actions every mock received. */
function sentActions(): string[] {
  return [aws.redshift, aws.serverless, aws.iam, aws.ec2, aws.sts].flatMap((mock) =>
    mock
      .calls()
      .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, '')),
  );
}

function expectNothingMutatingSent(): void {
  const sent = sentActions();
  expect(sent.filter((action) => !isReadOnlyAction(action))).toEqual([]);
}

const WITH_KEYS = { 'AWS.KEY': AWS_KEY_ID, 'AWS.SECRET': AWS_SECRET, 'DWH.DWH_ALLOWED_CIDR': '198.51.100.4/32' };
/** A cluster's dwh.cfg once `cluster create` has written HOST and ARN. */
const CREATED = configText({
  ...WITH_KEYS,
  'CLUSTER.HOST': ENDPOINT,
  'CLUSTER.DB_PASSWORD': DB_PASSWORD,
  'IAM_ROLE.ARN': ROLE_ARN,
});

function mockEmptyAccount(): void {
  aws.sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ana' });
  aws.redshift.on(DescribeClustersCommand).rejects(clusterNotFound());
  aws.iam.on(GetRoleCommand).rejects(noSuchRole());
  aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
  aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
}

describe('redshift', () => {
  test('cluster create --dry-run lists the role, group, rule and cluster it would make, and sends none', async () => {
    mockEmptyAccount();
    const run = await dryRun('cluster create', configText(WITH_KEYS));
    expect(run.status, run.text).toBe(0);
    for (const action of ['CreateRole', 'PutRolePolicy', 'CreateSecurityGroup', 'AuthorizeSecurityGroupIngress']) {
      expect(run.plan).toContain(`plan  AWS `);
      expect(run.plan).toContain(action);
    }
    expect(run.plan).toMatch(/plan {2}AWS redshift CreateCluster\n(?: {4}.*\n)* {4}NodeType=ra3\.large/);
    expect(run.plan).toContain('MasterUserPassword=****');
    expect(run.plan).toContain('CidrIp');
    expect(run.plan).toMatch(/would write \[CLUSTER\] HOST = dwhcluster\..*\.us-west-2\.redshift\.amazonaws\.com/);
    expect(run.plan).toContain('would write [IAM_ROLE] ARN = arn:aws:iam::123456789012:role/dwhRole');
    expect(run.plan).toContain('would write [CLUSTER] DB_PASSWORD = ****');
    expect(run.text).not.toContain(DB_PASSWORD);
    expect(run.text).not.toContain(AWS_SECRET);
    expect(run.text).toContain('Dry run done: nothing was changed');
    // What the step says it did reads as planned, not done.
    expect(run.text).toContain('[dry run] IAM role dwhRole created');
    expect(sentActions()).toContain('DescribeClusters');
    expectNothingMutatingSent();
    run.unchanged();
  });

  test('without AWS credentials, cluster create --dry-run sends nothing and plans as if nothing existed', async () => {
    const run = await dryRun('cluster create', configText({ 'DWH.DWH_ALLOWED_CIDR': '198.51.100.4/32' }));
    expect(run.status, run.text).toBe(0);
    expect(run.text).toContain('without AWS credentials');
    expect(run.plan).toContain('plan  AWS iam CreateRole');
    expect(run.plan).toContain('plan  AWS redshift CreateCluster');
    expect(sentActions()).toEqual([]);
    run.unchanged();
  });

  test('no admin password (AWS keeps it): plans temporary credentials and the connection test', async () => {
    const config = configText({ 'DWH.DWH_ALLOWED_CIDR': '198.51.100.4/32', 'DWH.DWH_DB_PASSWORD': '' });
    const run = await dryRun('cluster create', config);
    expect(run.status, run.text).toBe(0);
    expect(run.plan).toContain('plan  AWS redshift GetClusterCredentialsWithIAM');
    expect(run.text).toContain('as IAM:known-after-apply (temporary IAM credentials)');
    expect(run.text).toContain('[dry run] Connected');
    expect(run.text).not.toContain('unexpected error');
    expect(sentActions()).toEqual([]);
    run.unchanged();
  });

  test('the planned role ARN names the account STS reports, even when no step asked STS before', async () => {
    mockEmptyAccount();
    aws.sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '210987654321', Arn: 'arn:aws:iam::210987654321:user/ana' });
    const run = await dryRun('cluster create', configText(WITH_KEYS));
    expect(run.status, run.text).toBe(0);
    const role = 'arn:aws:iam::210987654321:role/dwhRole';
    expect(
      [`would write [IAM_ROLE] ARN = ${role}`, `IamRoles=["${role}"]`].filter((line) => !run.plan.includes(line)),
    ).toEqual([]);
    expect(run.text).not.toContain('123456789012');
    expectNothingMutatingSent();
    run.unchanged();
  });

  test('without credentials the account in every planned ARN is "(known after apply)", through to COPY', async () => {
    // The automatic pause too: its role's policy names the cluster's ARN, which holds the account.
    const run = await dryRun('setup', privateConfigText({ 'DWH.DWH_PAUSE_AFTER_HOURS': '4' }));
    expect(run.status, run.text).toBe(0);
    expect(run.text).toContain('Signed in to account (known after apply)');
    const role = 'arn:aws:iam::(known after apply):role/dwhRole';
    const planned = [
      `would write [IAM_ROLE] ARN = ${role}`,
      `IamRoles=["${role}"]`,
      '"Resource":"arn:aws:redshift:us-west-2:(known after apply):cluster:dwhcluster"',
    ];
    expect(planned.filter((line) => !run.plan.includes(line))).toEqual([]);
    expect(run.plan).toMatch(/COPY staging_songs[^]*IAM_ROLE 'arn:aws:iam::\(known after apply\):role\/dwhRole'/);
    expect(run.text).not.toContain('123456789012');
    expect(sentActions()).toEqual([]);
    run.unchanged();
  });

  test('tables create --dry-run renders the Redshift DDL (DISTKEY, SORTKEY) and connects to nothing', async () => {
    const run = await dryRun('tables create', CREATED);
    expect(run.status, run.text).toBe(0);
    expect(run.plan).toContain('DROP TABLE IF EXISTS songplays');
    expect(run.plan).toMatch(/CREATE TABLE[^]*DISTKEY/);
    expect(run.plan).toMatch(/SORTKEY/);
    expect(sentActions()).toEqual([]);
    run.unchanged();
  });

  test('load --dry-run shows each COPY with the bucket REGION and the role, then the transform', async () => {
    const run = await dryRun('load', CREATED);
    expect(run.status, run.text).toBe(0);
    expect(run.plan).toMatch(/COPY staging_songs[^]*FROM 's3:\/\/udacity-dend\/song_data'[^]*REGION 'us-west-2'/);
    expect(run.plan).toContain(`IAM_ROLE '${ROLE_ARN}'`);
    expect(run.plan).toMatch(/COPY staging_events[^]*JSON 's3:\/\/udacity-dend\/log_json_path\.json'/);
    expect(run.plan).toMatch(/INSERT INTO songplays/);
    run.unchanged();
  });

  test('check and analytics --dry-run list their read-only queries', async () => {
    const check = await dryRun('check', CREATED);
    expect(check.plan).toMatch(/SQL on the redshift warehouse \(read-only\)/);
    expect(check.status).toBe(0);
    const analytics = await dryRun('analytics', CREATED);
    expect(analytics.status).toBe(0);
    expect(analytics.plan).toMatch(/\(read-only\):\n {4}(SELECT|WITH)/);
    analytics.unchanged();
  });

  test('cluster pause and resume --dry-run show the call, send none, and leave dwh.cfg alone', async () => {
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [cluster('available')] });
    aws.redshift.on(DescribeScheduledActionsCommand).resolves({ ScheduledActions: [] });
    const pause = await dryRun('cluster pause', CREATED);
    expect(pause.status).toBe(0);
    expect(pause.plan).toContain('plan  AWS redshift PauseCluster\n    ClusterIdentifier=dwhcluster');
    pause.unchanged();
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [cluster('paused')] });
    const resume = await dryRun('cluster resume', CREATED);
    expect(resume.status).toBe(0);
    expect(resume.plan).toContain('plan  AWS redshift ResumeCluster\n    ClusterIdentifier=dwhcluster');
    expectNothingMutatingSent();
    resume.unchanged();
  });

  test('teardown --dry-run lists every delete it would make and keeps HOST and ARN in dwh.cfg', async () => {
    aws.sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    aws.redshift.on(DescribeClustersCommand, THIS_CLUSTER).resolves({ Clusters: [cluster('available')] });
    aws.redshift.on(DescribeScheduledActionsCommand).resolves({ ScheduledActions: [] });
    mockWizardRole(aws);
    aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [WIZARD_GROUP] });
    const run = await dryRun('teardown', CREATED);
    expect(run.status, run.text).toBe(0);
    expect(run.plan).toContain('plan  AWS redshift DeleteCluster\n    ClusterIdentifier=dwhcluster');
    expect(run.plan).toContain('plan  AWS iam DeleteRole');
    expect(run.plan).toContain('plan  AWS ec2 DeleteSecurityGroup');
    expect(run.plan).toContain('would write [CLUSTER] HOST = (empty)');
    expectNothingMutatingSent();
    run.unchanged();
  });

  test('setup --dry-run --yes plans the whole walkthrough: cluster, tables, load, checks, analytics', async () => {
    mockEmptyAccount();
    const run = await dryRun('setup', configText(WITH_KEYS));
    expect(run.status, run.text).toBe(0);
    const order = ['CreateCluster', 'CREATE TABLE', 'COPY staging_songs', 'INSERT INTO songplays', '(read-only)'];
    const at = order.map((text) => run.plan.indexOf(text));
    expect(
      at.every((index) => index >= 0),
      run.text,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expectNothingMutatingSent();
    run.unchanged();
  });
});

describe('redshift-serverless', () => {
  const SERVERLESS = configText({
    ...WITH_KEYS,
    'WAREHOUSE.TARGET': 'redshift-serverless',
    'DWH.DWH_DB_PASSWORD': '',
  });

  /** An account with no namespace, workgroup or role yet; the service fake answers what was really sent. */
  function mockEmptyServerlessAccount(): void {
    aws.sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ana' });
    aws.iam.on(GetRoleCommand).rejects(noSuchRole());
    serverlessService(aws.serverless);
  }

  test('cluster create --dry-run with credentials plans the namespace, the workgroup and the write-back', async () => {
    mockEmptyServerlessAccount();
    const run = await dryRun('cluster create', SERVERLESS);
    expect(run.status, run.text).toBe(0);
    expect(run.plan).toContain('plan  AWS redshift-serverless CreateNamespace');
    expect(run.plan).toContain('plan  AWS redshift-serverless CreateWorkgroup');
    // The planned workgroup is read back as available: the plan goes on to the write-back.
    expect(run.plan).toMatch(/would write \[CLUSTER\] HOST = dwhcluster\..*\.redshift-serverless\.amazonaws\.com/);
    expect(run.text).toContain('Dry run done: nothing was changed');
    expect(sentActions()).toContain('GetNamespace');
    expectNothingMutatingSent();
    run.unchanged();
  });

  test('without credentials the namespace and its secret are planned with no made-up account', async () => {
    // No password in dwh.cfg: AWS would make one and keep it in a secret it names itself.
    const run = await dryRun('cluster create', privateConfigText({ 'WAREHOUSE.TARGET': 'redshift-serverless' }));
    expect(run.status, run.text).toBe(0);
    expect(run.plan).toContain('defaultIamRoleArn=arn:aws:iam::(known after apply):role/dwhRole');
    expect(run.text).toContain('Secrets Manager: (known after apply)');
    expect(run.text).not.toContain('123456789012');
    expect(sentActions()).toEqual([]);
    run.unchanged();
  });

  test('setup --dry-run --yes with credentials plans the workgroup, then tables, load, checks, analytics', async () => {
    mockEmptyServerlessAccount();
    const run = await dryRun('setup', SERVERLESS);
    expect(run.status, run.text).toBe(0);
    const order = ['CreateWorkgroup', 'CREATE TABLE', 'COPY staging_songs', 'INSERT INTO songplays', '(read-only)'];
    const at = order.map((text) => run.plan.indexOf(text));
    expect(
      at.every((index) => index >= 0),
      run.text,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expectNothingMutatingSent();
    run.unchanged();
  });
});

describe('embedded', () => {
  const EMBEDDED = configText().replace(/^TARGET = redshift$/m, 'TARGET = embedded');

  test('tables create, check and analytics --dry-run leave no data folder and no lock file', async () => {
    for (const command of ['tables create', 'check', 'analytics']) {
      const run = await dryRun(command, EMBEDDED);
      expect(run.status, `${command}: ${run.text}`).toBe(0);
      run.unchanged();
    }
    expect(await readdir(dir)).toEqual(['dwh.cfg']);
  });

  test('load --dry-run reads the files and says how many rows it would copy in', async () => {
    await mkdir(join(dir, 'data/song_data/A'), { recursive: true });
    await mkdir(join(dir, 'data/log_data'), { recursive: true });
    const song = {
      num_songs: 1,
      artist_id: 'ARJIE2Y1187B994AB7',
      artist_latitude: null,
      artist_longitude: null,
      artist_location: '',
      artist_name: 'Line Renaud',
      song_id: 'SOUPIRU12A6D4FA1E1',
      title: 'Der Kleine Dompfaff',
      duration: 152.92036,
      year: 0,
    };
    await writeFile(join(dir, 'data/song_data/A/TRAAAAW128F429D538.json'), JSON.stringify(song));
    await writeFile(join(dir, 'data/log_data/2018-11-01-events.json'), '');
    const run = await dryRun('load', EMBEDDED);
    expect(run.plan).toMatch(/COPY staging_songs \(.*\) FROM STDIN/);
    expect(run.plan).toMatch(/INSERT INTO songplays/);
    run.unchanged();
  });

  test('a missing dwh.cfg is only planned: setup --dry-run says it would create it and writes nothing', async () => {
    const run = await dryRun('setup', undefined);
    expect(run.plan).toContain('dwh.cfg: would be created from dwh.cfg.example');
    expect(run.plan).toMatch(/plan {2}files: would write .* songs and .* events into .*data\/song_data/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('postgres', () => {
  test('tables create --dry-run on a real database shows the DDL and leaves the database as it was', async () => {
    const db = await createTestDatabase();
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query('CREATE TABLE songplays (songplay_id INT); INSERT INTO songplays VALUES (1)');
      const config = configText()
        .replace(/^TARGET = redshift$/m, 'TARGET = postgres')
        .replace(/^POSTGRES_URL =.*$/m, `POSTGRES_URL = ${db.url}`);
      const run = await dryRun('tables create', config);
      expect(run.status, run.text).toBe(0);
      expect(run.plan).toContain('DROP TABLE IF EXISTS songplays');
      expect(run.plan).toMatch(/CREATE TABLE songplays/);
      expect(run.plan).not.toContain('DISTKEY');
      const tables = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual(['songplays']);
      expect((await client.query('SELECT * FROM songplays')).rows).toEqual([{ songplay_id: 1 }]);
      await client.end();
      run.unchanged();
    } finally {
      await db.drop();
    }
  });
});

describe('demo', () => {
  test('demo --dry-run keeps the demo data it finds and writes no new one', async () => {
    const data = join(dir, '.sparkify/demo-data');
    await mkdir(join(data, 'song_data'), { recursive: true });
    await writeFile(join(data, 'dataset.json'), '{"songs":1}');
    const run = await dryRun('demo', undefined);
    expect(run.plan).toMatch(/plan {2}files: would write 1,000 songs/);
    run.unchanged();
  });
});
