/**
 * The `cluster` commands after create: pause, resume and status, and the whole lifecycle
 * (create → pause → resume → teardown) under --yes.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import {
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  PauseClusterCommand,
  RedshiftServiceException,
  ResumeClusterCommand,
} from '@aws-sdk/client-redshift';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runClusterCreate, runClusterPause, runClusterResume, runClusterStatus } from '../../src/steps/cluster.js';
import { runTeardown } from '../../src/steps/teardown.js';
import { clusterStatus } from '../../src/steps/cluster-status.js';
import { makeTestContext } from '../support/context.js';
import {
  AWS_SECRET,
  cluster,
  configText,
  DB_PASSWORD,
  ENDPOINT,
  fakeClock,
  mockAws,
  REGION,
  ROLE_ARN,
  setKey,
  TAGS,
} from '../aws/fakes.js';
import { fakeDeps, mockFreshNetworkAndRole, notFound } from './cluster-fakes.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

describe('cluster pause, resume, status', () => {
  test('pause: available → pausing → paused, with the same polling', async () => {
    const t = await makeTestContext({ config: configText(), aws: aws.clients, clock: fakeClock() });
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .resolvesOnce({ Clusters: [cluster('pausing')] })
      .resolves({ Clusters: [cluster('paused')] });
    aws.redshift.on(PauseClusterCommand).resolves({ Cluster: cluster('pausing') });
    expect(await runClusterPause(t.ctx, { pollIntervalMs: 5000 })).toEqual({
      ok: true,
      summary: 'cluster dwhcluster paused',
    });
    expect(aws.redshift.commandCalls(PauseClusterCommand)[0]!.args[0].input).toEqual({
      ClusterIdentifier: 'dwhcluster',
    });
    // The first check is PauseCluster's own answer (pausing); DescribeClusters from one interval on.
    expect(t.ui.spinners[0]!.end).toEqual({ state: 'succeed', text: 'Cluster dwhcluster is paused (10.0 s)' });
    await t.cleanup();
  });

  test('resume: paused → resuming → available, endpoint written back', async () => {
    const t = await makeTestContext({ config: configText(), aws: aws.clients, clock: fakeClock() });
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster('paused')] })
      .resolvesOnce({ Clusters: [cluster('resuming')] })
      .resolves({ Clusters: [cluster('available')] });
    aws.redshift.on(ResumeClusterCommand).resolves({ Cluster: cluster('resuming') });
    expect(await runClusterResume(t.ctx, { pollIntervalMs: 5000 })).toEqual({
      ok: true,
      summary: 'cluster dwhcluster available',
    });
    expect(await readFile(t.configPath, 'utf8')).toBe(setKey(configText(), 'CLUSTER.HOST', ENDPOINT));
    await t.cleanup();
  });

  test('status shows status, endpoint, size, age and the cost so far', async () => {
    const t = await makeTestContext({ config: configText(), aws: aws.clients, clock: fakeClock() });
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [cluster('available')] });
    await runClusterStatus(t.ctx);
    expect(t.ui.tables[0]!.rows).toEqual([
      ['Cluster', `dwhcluster (${REGION})`],
      ['Status', 'available'],
      ['Endpoint', `${ENDPOINT}:5439`],
      ['Nodes', '1 × ra3.large'],
      ['Database', 'dwh (user dwhuser)'],
      ['Access', 'public: direct TLS from DWH_ALLOWED_CIDR (the cluster is publicly accessible)'],
      ['Admin password', 'set by you (not kept by AWS)'],
      ['Created', '2 h ago'],
      ['Running', '2 h 00 min'],
      ['Cost so far', '~$1.09 ($1.09 compute + managed storage (size not measured); on-demand estimate)'],
      ['Cost now', '~$0.54 per hour'],
      ['Created by', 'sparkify-dwh'],
    ]);
    expect(t.ui.of('warn')).toEqual([
      "⚠ [CLUSTER] HOST in dwh.cfg is not this cluster's endpoint: run `sparkify-dwh cluster create` to write it back.",
    ]);
    await t.cleanup();
  });

  test('the menu status tells an unreachable AWS from rejected and missing credentials', async () => {
    const t = await makeTestContext({ config: configText(), aws: aws.clients, clock: fakeClock() });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    aws.redshift.on(DescribeClustersCommand).rejects(refused);
    expect(await clusterStatus(t.ctx)).toEqual({
      state: 'unavailable',
      detail: 'AWS not reachable: check the network',
    });
    aws.redshift
      .on(DescribeClustersCommand)
      .rejects(new RedshiftServiceException({ name: 'InvalidClientTokenId', $fault: 'client', $metadata: {} }));
    expect(await clusterStatus(t.ctx)).toEqual({
      state: 'unavailable',
      detail: 'AWS refused: check credentials',
    });
    // The credential chain's own error, before any request: the user has not signed in yet.
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    aws.redshift.on(DescribeClustersCommand).rejects(noCredentials);
    expect(await clusterStatus(t.ctx)).toEqual({ state: 'unavailable', detail: 'sign in to AWS first' });
    await t.cleanup();
  });

  test('status without a cluster says nothing is billed', async () => {
    const t = await makeTestContext({ config: configText(), aws: aws.clients, clock: fakeClock() });
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    expect(await runClusterStatus(t.ctx)).toEqual({ ok: true, summary: 'no cluster dwhcluster' });
    expect(t.ui.of('info')).toEqual([
      `No cluster dwhcluster in ${REGION}: nothing is running or billed. ` +
        'Create one with `sparkify-dwh cluster create`.',
    ]);
    await t.cleanup();
  });
});

describe('the whole lifecycle under --yes', () => {
  test('create, pause, resume, teardown from a full dwh.cfg: no prompt, dwh.cfg as it was, no secret', async () => {
    const start = configText({ 'DWH.DWH_ALLOWED_CIDR': '198.51.100.4/32' });
    const clock = fakeClock();
    const t = await makeTestContext({ config: start, yes: true, aws: aws.clients, clock });
    mockFreshNetworkAndRole(aws);
    aws.redshift
      .on(DescribeClustersCommand)
      .rejectsOnce(notFound()) // create: none yet
      .resolvesOnce({ Clusters: [cluster('creating')] })
      .resolvesOnce({ Clusters: [cluster('available')] })
      .resolvesOnce({ Clusters: [cluster('available')] }) // pause
      .resolvesOnce({ Clusters: [cluster('pausing')] })
      .resolvesOnce({ Clusters: [cluster('paused')] })
      .resolvesOnce({ Clusters: [cluster('paused')] }) // resume
      .resolvesOnce({ Clusters: [cluster('resuming')] })
      .resolvesOnce({ Clusters: [cluster('available')] })
      .resolvesOnce({ Clusters: [cluster('available')] }) // teardown plan
      .resolvesOnce({ Clusters: [cluster('deleting')] })
      .rejects(notFound());
    aws.redshift.on(CreateClusterCommand).resolves({ Cluster: cluster('creating') });
    aws.redshift.on(PauseClusterCommand).resolves({});
    aws.redshift.on(ResumeClusterCommand).resolves({});
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    const { deps } = fakeDeps(null);

    await runClusterCreate(t.ctx, deps);
    expect(
      aws.ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]!.args[0].input.IpPermissions![0]!.IpRanges,
    ).toEqual([{ CidrIp: '198.51.100.4/32', Description: 'sparkify-dwh: Redshift from the wizard user' }]);
    const created = await readFile(t.configPath, 'utf8');
    expect(created).toBe(
      setKey(
        setKey(setKey(start, 'CLUSTER.HOST', ENDPOINT), 'CLUSTER.DB_PASSWORD', DB_PASSWORD),
        'IAM_ROLE.ARN',
        ROLE_ARN,
      ),
    );
    await runClusterPause(t.ctx);
    await runClusterResume(t.ctx);
    expect(await readFile(t.configPath, 'utf8')).toBe(created);

    // Teardown sees the role tagged by the wizard and the wizard's group.
    aws.iam.on(GetRoleCommand, { RoleName: 'dwhRole' }).resolves({
      Role: {
        RoleName: 'dwhRole',
        Arn: ROLE_ARN,
        Path: '/',
        RoleId: 'AROAEXAMPLE',
        CreateDate: new Date(),
        Tags: TAGS,
      },
    });
    aws.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['sparkify-dwh-s3-read'] });
    aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    aws.iam.on(DeleteRolePolicyCommand).resolves({});
    aws.iam.on(DeleteRoleCommand).resolves({});
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: 'sg-0wizard', GroupName: 'dwhcluster-sparkify-dwh', VpcId: 'vpc-0default', Tags: TAGS },
      ],
    });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
    await runTeardown(t.ctx);

    expect(await readFile(t.configPath, 'utf8')).toBe(setKey(start, 'CLUSTER.DB_PASSWORD', DB_PASSWORD));
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(1);
    expect(aws.redshift.commandCalls(DeleteClusterCommand)).toHaveLength(1);
    expect(aws.iam.commandCalls(DeleteRoleCommand)).toHaveLength(1);
    expect(aws.ec2.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(1);
    const everything = [t.ui.text(), ...t.ui.spinners.flatMap((spinner) => spinner.texts)].join('\n');
    expect(everything).not.toContain(DB_PASSWORD);
    expect(everything).not.toContain(AWS_SECRET);
    await t.cleanup();
  });
});
