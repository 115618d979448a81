import {
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import {
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import {
  ClusterNotFoundFault,
  DeleteClusterCommand,
  DescribeClustersCommand,
  type Cluster,
} from '@aws-sdk/client-redshift';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { finalSnapshotIdentifier } from '../../src/aws/naming.js';
import { runTeardown } from '../../src/steps/teardown.js';
import { makeTestContext } from '../support/context.js';
import {
  AWS_SECRET,
  cluster as awsCluster,
  configText,
  DB_PASSWORD,
  ENDPOINT,
  fakeClock,
  mockAws,
  ROLE_ARN,
  TAGS,
} from '../aws/fakes.js';

/** dwh.cfg after a cluster create: HOST and ARN written back. */
const CREATED = configText({ 'CLUSTER.HOST': ENDPOINT, 'CLUSTER.DB_PASSWORD': DB_PASSWORD, 'IAM_ROLE.ARN': ROLE_ARN });
/** The same file after teardown: HOST and ARN empty again, everything else as it was. */
const TORN_DOWN = configText({ 'CLUSTER.HOST': '', 'CLUSTER.DB_PASSWORD': DB_PASSWORD, 'IAM_ROLE.ARN': '' });

/** The wizard's cluster in `status`, its endpoint still listed (as AWS does while it is deleted). */
function cluster(status: string, tags = TAGS): Cluster {
  return awsCluster(status, { Tags: tags, Endpoint: { Address: ENDPOINT, Port: 5439 } });
}
/** DescribeClusters for this cluster (the list of all clusters, for who else uses the role, is mocked apart). */
const ONE = { ClusterIdentifier: 'dwhcluster' };
const notFound = () => new ClusterNotFoundFault({ message: 'Cluster dwhcluster not found.', $metadata: {} });
const noRole = () =>
  new NoSuchEntityException({ message: 'The role with name dwhRole cannot be found.', $metadata: {} });
const wizardGroup = {
  GroupId: 'sg-0wizard',
  GroupName: 'dwhcluster-sparkify-dwh',
  VpcId: 'vpc-0default',
  Tags: [{ Key: 'Name', Value: 'dwhcluster-sparkify-dwh' }, ...TAGS],
};

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
  aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
});
afterEach(() => aws.restore());

function mockOurRole(): void {
  aws.iam.on(GetRoleCommand).resolves({
    Role: {
      RoleName: 'dwhRole',
      Arn: ROLE_ARN,
      Path: '/',
      RoleId: 'AROAEXAMPLE',
      CreateDate: new Date(),
      Tags: TAGS,
    },
  });
  aws.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['sparkify-dwh-s3-read'], IsTruncated: false });
  aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
  aws.iam.on(DeleteRolePolicyCommand).resolves({});
  aws.iam.on(DeleteRoleCommand).resolves({});
  // Who else has the role attached: only this cluster (the list call pages; the lookup names the cluster).
  aws.redshift.on(DescribeClustersCommand, { MaxRecords: 100 }).resolves({ Clusters: [cluster('available')] });
}

describe('teardown', () => {
  test('lists, confirms, deletes the cluster, waits till gone, then role and group; clears HOST and ARN', async () => {
    const clock = fakeClock();
    const t = await makeTestContext({ config: CREATED, answers: ['dwhcluster', false], aws: aws.clients, clock });
    aws.redshift
      .on(DescribeClustersCommand, ONE)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .resolvesOnce({ Clusters: [cluster('deleting')] })
      .rejects(notFound());
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    mockOurRole();
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [wizardGroup] });
    aws.ec2
      .on(DeleteSecurityGroupCommand)
      .rejectsOnce(
        new EC2ServiceException({
          name: 'DependencyViolation',
          $fault: 'client',
          message: 'resource sg-0wizard has a dependent object',
          $metadata: {},
        }),
      )
      .resolves({ Return: true, GroupId: 'sg-0wizard' });

    expect(await runTeardown(t.ctx, { pollIntervalMs: 2000, groupRetryIntervalMs: 10_000 })).toEqual({
      ok: true,
      summary: 'deleted what sparkify-dwh created',
    });

    expect(t.ui.tables[0]!.rows).toEqual([
      ['Redshift cluster', 'dwhcluster (available)', 'delete'],
      ['IAM role', 'dwhRole with sparkify-dwh-s3-read', 'delete'],
      ['Security group', 'dwhcluster-sparkify-dwh (sg-0wizard)', 'delete'],
    ]);
    expect(t.prompts.messages()).toEqual([
      'Type the cluster identifier (dwhcluster) to delete what is listed, or leave empty to stop',
      'Keep a final snapshot of the cluster? (its storage is billed until you delete it)',
    ]);
    expect(aws.redshift.commandCalls(DeleteClusterCommand)[0]!.args[0].input).toEqual({
      ClusterIdentifier: 'dwhcluster',
      SkipFinalClusterSnapshot: true,
    });
    expect(aws.iam.commandCalls(DeleteRolePolicyCommand)[0]!.args[0].input).toEqual({
      RoleName: 'dwhRole',
      PolicyName: 'sparkify-dwh-s3-read',
    });
    expect(aws.iam.commandCalls(DeleteRoleCommand)[0]!.args[0].input).toEqual({ RoleName: 'dwhRole' });
    expect(aws.ec2.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(2);
    // Polled until ClusterNotFoundFault: plan, deleting, gone; and once the list of all clusters (who uses the role).
    expect(aws.redshift.commandCalls(DescribeClustersCommand, ONE)).toHaveLength(3);
    expect(aws.redshift.commandCalls(DescribeClustersCommand, { MaxRecords: 100 })).toHaveLength(1);
    expect(await readFile(t.configPath, 'utf8')).toBe(TORN_DOWN);
    expect(t.ui.text()).toContain('✔ Cluster dwhcluster deleted (2.0 s)');
    expect(t.ui.text()).toContain('✔ Security group dwhcluster-sparkify-dwh (sg-0wizard) deleted');
    expect(t.ui.text()).not.toContain(DB_PASSWORD);
    expect(t.ui.text()).not.toContain(AWS_SECRET);
    await t.cleanup();
  });

  test('a final snapshot is named from the clock', async () => {
    const clock = fakeClock();
    const t = await makeTestContext({ config: CREATED, answers: ['dwhcluster', true], aws: aws.clients, clock });
    aws.redshift
      .on(DescribeClustersCommand, ONE)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .rejects(notFound());
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    mockOurRole();
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [wizardGroup] });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
    await runTeardown(t.ctx);
    expect(finalSnapshotIdentifier('dwhcluster', clock.now())).toBe('dwhcluster-final-20250102-030405');
    expect(aws.redshift.commandCalls(DeleteClusterCommand)[0]!.args[0].input).toEqual({
      ClusterIdentifier: 'dwhcluster',
      SkipFinalClusterSnapshot: false,
      FinalClusterSnapshotIdentifier: 'dwhcluster-final-20250102-030405',
    });
    await t.cleanup();
  });

  test('resources not tagged by sparkify-dwh are listed and left alone', async () => {
    const t = await makeTestContext({
      config: CREATED,
      answers: ['dwhcluster', false],
      aws: aws.clients,
      clock: fakeClock(),
    });
    aws.redshift
      .on(DescribeClustersCommand, ONE)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .rejects(notFound());
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    // The user's own role under the same name: no created-by tag.
    aws.iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'dwhRole',
        Arn: ROLE_ARN,
        Path: '/',
        RoleId: 'AROAEXAMPLE',
        CreateDate: new Date(),
        Tags: [{ Key: 'team', Value: 'data' }],
      },
    });
    aws.ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-0wizard', GroupName: 'default', VpcId: 'vpc-0default', Tags: [] }] });
    await runTeardown(t.ctx);
    expect(t.ui.tables[0]!.rows).toEqual([
      ['Redshift cluster', 'dwhcluster (available)', 'delete'],
      ['IAM role', 'dwhRole', 'left alone: not created by sparkify-dwh'],
      ['Security group', 'default (sg-0wizard)', 'left alone: not created by sparkify-dwh'],
    ]);
    expect(aws.iam.commandCalls(DeleteRoleCommand)).toHaveLength(0);
    expect(aws.iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0);
    expect(aws.iam.commandCalls(DetachRolePolicyCommand)).toHaveLength(0);
    expect(aws.ec2.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(0);
    // HOST cleared (the cluster is gone); ARN kept (the role still exists and is the user's).
    expect(await readFile(t.configPath, 'utf8')).toBe(
      configText({ 'CLUSTER.HOST': '', 'CLUSTER.DB_PASSWORD': DB_PASSWORD, 'IAM_ROLE.ARN': ROLE_ARN }),
    );
    await t.cleanup();
  });

  test('a cluster not created by sparkify-dwh is never deleted', async () => {
    const t = await makeTestContext({ config: CREATED, answers: [], aws: aws.clients, clock: fakeClock() });
    aws.redshift.on(DescribeClustersCommand, ONE).resolves({ Clusters: [cluster('available', [])] });
    aws.iam.on(GetRoleCommand).rejects(noRole());
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    expect(await runTeardown(t.ctx)).toEqual({ ok: true, summary: 'nothing to delete' });
    expect(aws.redshift.commandCalls(DeleteClusterCommand)).toHaveLength(0);
    expect(await readFile(t.configPath, 'utf8')).toBe(
      configText({ 'CLUSTER.HOST': ENDPOINT, 'CLUSTER.DB_PASSWORD': DB_PASSWORD, 'IAM_ROLE.ARN': '' }),
    );
    await t.cleanup();
  });

  test('an empty answer at the identifier prompt deletes nothing', async () => {
    const t = await makeTestContext({
      config: CREATED,
      answers: ['dwhclustr', ''],
      aws: aws.clients,
      clock: fakeClock(),
    });
    aws.redshift.on(DescribeClustersCommand, ONE).resolves({ Clusters: [cluster('available')] });
    mockOurRole();
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [wizardGroup] });
    expect(await runTeardown(t.ctx)).toEqual({ ok: false, summary: 'teardown cancelled' });
    expect(t.prompts.asked[0]!.rejected).toEqual(['type dwhcluster exactly, or leave it empty to stop']);
    expect(aws.redshift.commandCalls(DeleteClusterCommand)).toHaveLength(0);
    expect(aws.iam.commandCalls(DeleteRoleCommand)).toHaveLength(0);
    expect(await readFile(t.configPath, 'utf8')).toBe(CREATED);
    await t.cleanup();
  });

  test('Ctrl-C while the cluster is deleting, then a rerun after the partial teardown finishes the job', async () => {
    const clock = fakeClock();
    const t = await makeTestContext({ config: CREATED, answers: ['dwhcluster', false], aws: aws.clients, clock });
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    mockOurRole();
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [wizardGroup] });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
    clock.onSleep = (count) => {
      if (count === 3) t.ctx.abort();
    };
    aws.redshift
      .on(DescribeClustersCommand, ONE)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .resolves({ Clusters: [cluster('deleting')] });
    await expect(runTeardown(t.ctx)).rejects.toBeInstanceOf(InterruptedError);
    expect(t.ui.of('warn')).toEqual([
      '⚠ Stopped waiting; cluster dwhcluster is still being deleted. Run `sparkify-dwh teardown` to pick up the wait.',
    ]);
    expect(aws.iam.commandCalls(DeleteRoleCommand)).toHaveLength(0);
    expect(await readFile(t.configPath, 'utf8')).toBe(CREATED);

    // Second run: the cluster is still deleting (no second DeleteCluster), then gone.
    t.ctx.resetInterrupt();
    clock.onSleep = undefined;
    aws.redshift
      .on(DescribeClustersCommand, ONE)
      .resolvesOnce({ Clusters: [cluster('deleting')] })
      .resolvesOnce({ Clusters: [cluster('deleting')] })
      .rejects(notFound());
    const second = await makeTestContext({ dir: t.dir, answers: ['dwhcluster'], aws: aws.clients, clock });
    expect((await runTeardown(second.ctx)).ok).toBe(true);
    expect(aws.redshift.commandCalls(DeleteClusterCommand)).toHaveLength(1);
    expect(await readFile(t.configPath, 'utf8')).toBe(TORN_DOWN);

    // Third run: everything gone already; role policies and group "not found" are fine.
    aws.iam.on(GetRoleCommand).rejects(noRole());
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    const third = await makeTestContext({ dir: t.dir, answers: [], aws: aws.clients, clock });
    expect(await runTeardown(third.ctx)).toEqual({ ok: true, summary: 'nothing to delete' });
    expect(third.ui.of('info')).toEqual(['Nothing created by sparkify-dwh is left in AWS.']);
    expect(await readFile(t.configPath, 'utf8')).toBe(TORN_DOWN);
    await third.cleanup();
    await second.cleanup();
    await t.cleanup();
  });

  test('a partial teardown (cluster and role gone, group left) is finished by a rerun', async () => {
    const t = await makeTestContext({
      config: TORN_DOWN,
      answers: ['dwhcluster'],
      aws: aws.clients,
      clock: fakeClock(),
    });
    aws.redshift.on(DescribeClustersCommand, ONE).rejects(notFound());
    aws.iam.on(GetRoleCommand).rejects(noRole());
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [wizardGroup] });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
    expect((await runTeardown(t.ctx)).ok).toBe(true);
    expect(aws.ec2.commandCalls(DeleteSecurityGroupCommand)[0]!.args[0].input).toEqual({ GroupId: 'sg-0wizard' });
    expect(await readFile(t.configPath, 'utf8')).toBe(TORN_DOWN);
    await t.cleanup();
  });

  test('under --yes: no typing, no final snapshot', async () => {
    const t = await makeTestContext({ config: CREATED, yes: true, aws: aws.clients, clock: fakeClock() });
    aws.redshift
      .on(DescribeClustersCommand, ONE)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .rejects(notFound());
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    mockOurRole();
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [wizardGroup] });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
    expect((await runTeardown(t.ctx)).ok).toBe(true);
    expect(aws.redshift.commandCalls(DeleteClusterCommand)[0]!.args[0].input).toEqual({
      ClusterIdentifier: 'dwhcluster',
      SkipFinalClusterSnapshot: true,
    });
    expect(await readFile(t.configPath, 'utf8')).toBe(TORN_DOWN);
    await t.cleanup();
  });
});
