/**
 * `cluster create` on a real account: what AWS accepts today is checked before anything exists,
 * a new role is given time to propagate, DescribeClusters' lag right after a call is tolerated, an
 * existing cluster's role follows [S3], and a role or group made for another cluster is never
 * used. AWS answers through aws-sdk-client-mock with the SDK's real exception classes.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import { CreateRoleCommand, GetRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateClusterCommand,
  CreateTagsCommand,
  DescribeClustersCommand,
  ResumeClusterCommand,
} from '@aws-sdk/client-redshift';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { runClusterCreate } from '../../src/steps/cluster-create.js';
import { runClusterResume, runClusterStatus } from '../../src/steps/cluster.js';
import { makeTestContext } from '../support/context.js';
import {
  cluster,
  configText,
  fakeClock,
  mockAws,
  ROLE_ARN,
  ROLE_TAGS,
  roleNotValid,
  setKey,
  TAGS,
} from '../aws/fakes.js';
import { ACCEPT_DEFAULTS, fakeDeps, mockFreshNetworkAndRole, notFound } from './cluster-fakes.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

/** A role in IAM with these tags. */
function existingRole(tags: Array<{ Key: string; Value: string }>) {
  return {
    Role: { RoleName: 'dwhRole', Arn: ROLE_ARN, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date(), Tags: tags },
  };
}

/** Nothing was made or changed in AWS. */
function expectNothingCreated(): void {
  expect(aws.iam.commandCalls(CreateRoleCommand)).toHaveLength(0);
  expect(aws.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  expect(aws.ec2.commandCalls(CreateSecurityGroupCommand)).toHaveLength(0);
  expect(aws.ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
  expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(0);
}

describe('node types, node counts and ports AWS accepts today', () => {
  test('under --yes DC2 stops before anything exists, naming DWH_NODE_TYPE and the RA3 type to use', async () => {
    const t = await makeTestContext({
      config: configText({ 'DWH.DWH_NODE_TYPE': 'dc2.large', 'DWH.DWH_ALLOWED_CIDR': '198.51.100.4/32' }),
      yes: true,
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    const failure = await runClusterCreate(t.ctx, fakeDeps().deps).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toMatch(
      /^dwh\.cfg \[DWH\] DWH_NODE_TYPE: dc2\.large can no longer be provisioned \(AWS deprecated DC2 in April 2025.*\); use ra3\.large, or /,
    );
    expectNothingCreated();
    expect(aws.iam.calls()).toHaveLength(0);
    await t.cleanup();
  });

  test.each([
    [
      { 'DWH.DWH_NODE_TYPE': 'ra3.4xlarge' },
      'DWH_NUM_NODES: ra3.4xlarge has no single-node clusters; use 2–32 nodes (multi-node), ' +
        'or ra3.large, ra3.xlplus or rg.large for a single node',
    ],
    [
      { 'DWH.DWH_CLUSTER_TYPE': 'multi-node', 'DWH.DWH_NUM_NODES': '20' },
      'DWH_NUM_NODES: a new ra3.large cluster takes at most 16 nodes, not 20; ' +
        'use 2–16, or a larger type (ra3.4xlarge or ra3.16xlarge)',
    ],
    [{ 'DWH.DWH_PORT': '6000' }, 'DWH_PORT: port 6000 is not one RA3 clusters accept (5431–5455 or 8191–8215)'],
  ])('under --yes %j stops with one line naming the key', async (edits, problem) => {
    const t = await makeTestContext({
      config: configText({ ...edits, 'DWH.DWH_ALLOWED_CIDR': '198.51.100.4/32' }),
      yes: true,
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    await expect(runClusterCreate(t.ctx, fakeDeps().deps)).rejects.toThrow(`dwh.cfg [DWH] ${problem}`);
    expectNothingCreated();
    await t.cleanup();
  });

  test('at the prompt: DC2 is warned about and RA3 offered; counts and ports AWS refuses are asked again', async () => {
    const t = await makeTestContext({
      config: configText({ 'DWH.DWH_NODE_TYPE': 'dc2.8xlarge' }),
      answers: [undefined, 'ra3.4xlarge', '1', '2', undefined, undefined, '6000', '5440', undefined, '0', true],
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    const big = (status: string) => cluster(status, { NodeType: 'ra3.4xlarge', NumberOfNodes: 2 });
    aws.redshift
      .on(DescribeClustersCommand)
      .rejectsOnce(notFound())
      .resolves({ Clusters: [big('available')] });
    aws.redshift.on(CreateClusterCommand).resolves({ Cluster: big('creating') });
    await runClusterCreate(t.ctx, fakeDeps().deps);

    expect(t.ui.of('warn')[0]).toMatch(/^⚠ dwh\.cfg \[DWH\] DWH_NODE_TYPE: dc2\.8xlarge can no longer be provisioned/);
    const nodeType = t.prompts.asked[1]!;
    expect(nodeType.message).toBe('Node type (on-demand prices are estimates)');
    const count = t.prompts.asked[2]!;
    expect(count.message).toBe('Number of nodes (2–32)');
    expect(count.rejected).toEqual([
      'ra3.4xlarge has no single-node clusters; use 2–32 nodes (multi-node), ' +
        'or ra3.large, ra3.xlplus or rg.large for a single node',
    ]);
    expect(t.prompts.asked[5]!.rejected).toEqual([
      'port 6000 is not one RA3 clusters accept (5431–5455 or 8191–8215); use 5439, the Redshift default',
    ]);
    const input = aws.redshift.commandCalls(CreateClusterCommand)[0]!.args[0].input;
    expect([input.NodeType, input.ClusterType, input.NumberOfNodes, input.Port]).toEqual([
      'ra3.4xlarge',
      'multi-node',
      2,
      5440,
    ]);
    await t.cleanup();
  });

  test('the prompt offers only what AWS creates today: RA3 first, then RG, never DC2', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: [undefined, new Error('stop')],
      aws: aws.clients,
    });
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    let offered: string[] = [];
    const select = t.ctx.prompts.select.bind(t.ctx.prompts);
    t.ctx.prompts.select = async (prompt) => {
      offered = prompt.choices.map((choice) => String(choice.value));
      return select(prompt);
    };
    await expect(runClusterCreate(t.ctx, fakeDeps().deps)).rejects.toThrow('stop');
    expect(offered).toEqual([
      'ra3.large',
      'ra3.xlplus',
      'ra3.4xlarge',
      'ra3.16xlarge',
      'rg.large',
      'rg.xlarge',
      'rg.4xlarge',
      'rg.12xlarge',
    ]);
    await t.cleanup();
  });

  test('an existing DC2 cluster is reused and shown, never held to the rules for new ones', async () => {
    const config = configText({ 'DWH.DWH_NODE_TYPE': 'dc2.large' });
    const t = await makeTestContext({ config, yes: true, aws: aws.clients, clock: fakeClock() });
    const dc2 = cluster('available', { NodeType: 'dc2.large' });
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [dc2] });
    aws.iam.on(GetRoleCommand).resolves(existingRole(ROLE_TAGS));
    aws.iam.on(PutRolePolicyCommand).resolves({});
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    expect((await runClusterCreate(t.ctx, fakeDeps().deps)).ok).toBe(true);
    expect((await runClusterStatus(t.ctx)).ok).toBe(true);
    expect(t.ui.tables.at(-1)!.rows).toContainEqual(['Nodes', '1 × dc2.large']);
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(0);
    await t.cleanup();
  });
});

describe('a new IAM role', () => {
  test('just created and not yet accepted by Redshift: asked again, the spinner saying why', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: ACCEPT_DEFAULTS,
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.redshift
      .on(DescribeClustersCommand)
      .rejectsOnce(notFound())
      .resolves({ Clusters: [cluster('available')] });
    aws.redshift
      .on(CreateClusterCommand)
      .rejectsOnce(roleNotValid())
      .rejectsOnce(roleNotValid())
      .resolves({ Cluster: cluster('creating') });
    expect((await runClusterCreate(t.ctx, fakeDeps().deps)).ok).toBe(true);
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(3);
    const waiting = t.ui.spinners.find((spinner) => spinner.texts[0]!.startsWith('IAM role dwhRole is new'))!;
    expect(waiting.texts[1]).toBe(
      'IAM role dwhRole is new and Redshift does not accept it yet (IAM takes a few seconds to propagate) · ' +
        '0 ms · trying again in 5 s',
    );
    expect(waiting.end).toEqual({ state: 'succeed', text: 'Redshift accepted IAM role dwhRole' });
    await t.cleanup();
  });

  test('a role that already existed is not waited for: the refusal says what is wrong with it', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: ACCEPT_DEFAULTS,
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.iam.on(GetRoleCommand).resolves(existingRole(ROLE_TAGS));
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    aws.redshift.on(CreateClusterCommand).rejects(roleNotValid());
    await expect(runClusterCreate(t.ctx, fakeDeps().deps)).rejects.toThrow(
      /^IAM role dwhRole does not let Redshift use it .*: its trust policy must allow redshift\.amazonaws\.com/,
    );
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(1);
    await t.cleanup();
  });
});

describe('one role and one security group per cluster', () => {
  test('a role the wizard made for another cluster stops the step before anything is shown or made', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: ACCEPT_DEFAULTS,
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.iam
      .on(GetRoleCommand)
      .resolves(existingRole([TAGS[0]!, { Key: 'sparkify-dwh:cluster', Value: 'teamcluster' }]));
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    await expect(runClusterCreate(t.ctx, fakeDeps().deps)).rejects.toThrow(
      'IAM role dwhRole belongs to cluster teamcluster: sparkify-dwh never shares or changes it. ' +
        'Set another [DWH] DWH_IAM_ROLE_NAME in dwh.cfg (for example dwhcluster-role) and run ' +
        '`sparkify-dwh cluster create` again',
    );
    expect(t.prompts.messages()).not.toContain('Create these AWS resources? (billed while the cluster exists)');
    expectNothingCreated();
    await t.cleanup();
  });

  test("a security group of the wizard's name that someone else made is never reused", async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: ACCEPT_DEFAULTS,
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [{ GroupId: 'sg-0hand', GroupName: 'dwhcluster-sparkify-dwh', VpcId: 'vpc-0default', Tags: [] }],
    });
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    await expect(runClusterCreate(t.ctx, fakeDeps().deps)).rejects.toThrow(
      /^security group dwhcluster-sparkify-dwh \(sg-0hand\) was not made by sparkify-dwh: sparkify-dwh uses only a group it made for cluster dwhcluster/,
    );
    expectNothingCreated();
    await t.cleanup();
  });
});

describe('an existing cluster', () => {
  test("its role's S3 policy follows [S3] on every run", async () => {
    const config = setKey(configText(), 'S3.SONG_DATA', 's3://sparkify-raw/songs');
    const t = await makeTestContext({ config, yes: true, aws: aws.clients, clock: fakeClock() });
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [cluster('available')] });
    aws.iam.on(GetRoleCommand).resolves(existingRole(ROLE_TAGS));
    aws.iam.on(PutRolePolicyCommand).resolves({});
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    await runClusterCreate(t.ctx, fakeDeps().deps);
    const policy = JSON.parse(aws.iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.PolicyDocument!) as {
      Statement: Array<{ Resource: string | string[] }>;
    };
    expect(policy.Statement[0]!.Resource).toContain('arn:aws:s3:::sparkify-raw/songs*');
    expect(t.ui.text()).toContain('IAM role policy sparkify-dwh-s3-read matches [S3]');
    await t.cleanup();
  });

  test('a role not made by sparkify-dwh for this cluster keeps its policies', async () => {
    const t = await makeTestContext({ config: configText(), yes: true, aws: aws.clients, clock: fakeClock() });
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [cluster('available')] });
    aws.iam.on(GetRoleCommand).resolves(existingRole([{ Key: 'team', Value: 'data' }]));
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    await runClusterCreate(t.ctx, fakeDeps().deps);
    expect(aws.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(t.ui.of('note').join('\n')).toContain('its policies are left as they are');
    await t.cleanup();
  });
});

describe('right after CreateCluster or ResumeCluster', () => {
  test('a stale ClusterNotFound from DescribeClusters is "not listed yet", not "someone deleted it"', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: ACCEPT_DEFAULTS,
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.redshift
      .on(DescribeClustersCommand)
      .rejectsOnce(notFound())
      .rejectsOnce(notFound())
      .resolvesOnce({ Clusters: [cluster('creating')] })
      .resolves({ Clusters: [cluster('available')] });
    aws.redshift.on(CreateClusterCommand).resolves({ Cluster: cluster('creating') });
    expect((await runClusterCreate(t.ctx, fakeDeps().deps)).ok).toBe(true);
    const polling = t.ui.spinners.find((spinner) => spinner.texts[0] === 'Cluster dwhcluster: checking…')!;
    expect(polling.texts).toContain('Cluster dwhcluster: not listed yet · 15.0 s elapsed · next check in 15 s');
    await t.cleanup();
  });

  test('a stale "paused" right after ResumeCluster is waited out', async () => {
    const t = await makeTestContext({ config: configText(), aws: aws.clients, clock: fakeClock() });
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster('paused')] })
      .resolvesOnce({ Clusters: [cluster('paused')] })
      .resolves({ Clusters: [cluster('available')] });
    aws.redshift.on(ResumeClusterCommand).resolves({ Cluster: cluster('resuming') });
    aws.redshift.on(CreateTagsCommand).resolves({});
    expect(await runClusterResume(t.ctx, { pollIntervalMs: 5000 })).toEqual({
      ok: true,
      summary: 'cluster dwhcluster available',
    });
    await t.cleanup();
  });
});

describe('the address typed at the prompt', () => {
  test('is written to [DWH] DWH_ALLOWED_CIDR (a looked-up one is not: it changes with the network)', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: [...ACCEPT_DEFAULTS.slice(0, 7), '198.51.100.7/32', '0', true],
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.redshift
      .on(DescribeClustersCommand)
      .rejectsOnce(notFound())
      .resolves({ Clusters: [cluster('available')] });
    aws.redshift.on(CreateClusterCommand).resolves({ Cluster: cluster('creating') });
    await runClusterCreate(t.ctx, fakeDeps(null).deps);
    expect(await readFile(t.configPath, 'utf8')).toContain('DWH_ALLOWED_CIDR = 198.51.100.7/32\n');

    const looked = await makeTestContext({
      config: configText(),
      answers: ACCEPT_DEFAULTS,
      aws: aws.clients,
      clock: fakeClock(),
    });
    aws.redshift
      .on(DescribeClustersCommand)
      .rejectsOnce(notFound())
      .resolves({ Clusters: [cluster('available')] });
    await runClusterCreate(looked.ctx, fakeDeps().deps);
    expect(await readFile(looked.configPath, 'utf8')).toContain('DWH_ALLOWED_CIDR =\n');
    await looked.cleanup();
    await t.cleanup();
  });
});
