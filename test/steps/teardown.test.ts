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
} from '@aws-sdk/client-iam';
import {
  DeleteClusterCommand,
  DescribeClustersCommand,
  InvalidClusterStateFault,
  type Cluster,
} from '@aws-sdk/client-redshift';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { finalSnapshotIdentifier } from '../../src/aws/naming.js';
import { runTeardown } from '../../src/steps/teardown.js';
import { makeTestContext } from '../support/context.js';
import { clusterNotFound, mockWizardRole, noSuchRole, THIS_CLUSTER, WIZARD_GROUP } from '../aws/account-fakes.js';
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
let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
  aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
});
afterEach(() => aws.restore());

describe('teardown', () => {
  test('lists, confirms, deletes the cluster, waits till gone, then role and group; clears HOST and ARN', async () => {
    const clock = fakeClock();
    const t = await makeTestContext({ config: CREATED, answers: ['dwhcluster', false], aws: aws.clients, clock });
    aws.redshift
      .on(DescribeClustersCommand, THIS_CLUSTER)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .resolvesOnce({ Clusters: [cluster('deleting')] })
      .rejects(clusterNotFound());
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    mockWizardRole(aws);
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [WIZARD_GROUP] });
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
    expect(aws.redshift.commandCalls(DescribeClustersCommand, THIS_CLUSTER)).toHaveLength(3);
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
      .on(DescribeClustersCommand, THIS_CLUSTER)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .rejects(clusterNotFound());
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    mockWizardRole(aws);
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [WIZARD_GROUP] });
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
      .on(DescribeClustersCommand, THIS_CLUSTER)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .rejects(clusterNotFound());
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    // The user's own role under the same name: no created-by tag.
    aws.iam.on(GetRoleCommand, { RoleName: 'dwhRole' }).resolves({
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
    aws.redshift.on(DescribeClustersCommand, THIS_CLUSTER).resolves({ Clusters: [cluster('available', [])] });
    aws.iam.on(GetRoleCommand).rejects(noSuchRole());
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
    aws.redshift.on(DescribeClustersCommand, THIS_CLUSTER).resolves({ Clusters: [cluster('available')] });
    mockWizardRole(aws);
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [WIZARD_GROUP] });
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
    mockWizardRole(aws);
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [WIZARD_GROUP] });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
    clock.onSleep = (count) => {
      if (count === 3) t.ctx.abort();
    };
    aws.redshift
      .on(DescribeClustersCommand, THIS_CLUSTER)
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
      .on(DescribeClustersCommand, THIS_CLUSTER)
      .resolvesOnce({ Clusters: [cluster('deleting')] })
      .resolvesOnce({ Clusters: [cluster('deleting')] })
      .rejects(clusterNotFound());
    const second = await makeTestContext({ dir: t.dir, answers: ['dwhcluster'], aws: aws.clients, clock });
    expect((await runTeardown(second.ctx)).ok).toBe(true);
    expect(aws.redshift.commandCalls(DeleteClusterCommand)).toHaveLength(1);
    expect(await readFile(t.configPath, 'utf8')).toBe(TORN_DOWN);

    // Third run: everything gone already; role policies and group "not found" are fine.
    aws.iam.on(GetRoleCommand).rejects(noSuchRole());
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
    aws.redshift.on(DescribeClustersCommand, THIS_CLUSTER).rejects(clusterNotFound());
    aws.iam.on(GetRoleCommand).rejects(noSuchRole());
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [WIZARD_GROUP] });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
    expect((await runTeardown(t.ctx)).ok).toBe(true);
    expect(aws.ec2.commandCalls(DeleteSecurityGroupCommand)[0]!.args[0].input).toEqual({ GroupId: 'sg-0wizard' });
    expect(await readFile(t.configPath, 'utf8')).toBe(TORN_DOWN);
    await t.cleanup();
  });

  test('under --yes: no typing, no final snapshot', async () => {
    const t = await makeTestContext({ config: CREATED, yes: true, aws: aws.clients, clock: fakeClock() });
    aws.redshift
      .on(DescribeClustersCommand, THIS_CLUSTER)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .rejects(clusterNotFound());
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    mockWizardRole(aws);
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [WIZARD_GROUP] });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
    expect((await runTeardown(t.ctx)).ok).toBe(true);
    expect(aws.redshift.commandCalls(DeleteClusterCommand)[0]!.args[0].input).toEqual({
      ClusterIdentifier: 'dwhcluster',
      SkipFinalClusterSnapshot: true,
    });
    expect(await readFile(t.configPath, 'utf8')).toBe(TORN_DOWN);
    await t.cleanup();
  });

  test('a cluster still creating (Ctrl-C during create) is waited out with the spinner, then deleted', async () => {
    const t = await makeTestContext({ config: CREATED, yes: true, aws: aws.clients, clock: fakeClock() });
    aws.redshift
      .on(DescribeClustersCommand, THIS_CLUSTER)
      .resolvesOnce({ Clusters: [cluster('creating')] })
      .resolvesOnce({ Clusters: [cluster('creating')] })
      .resolvesOnce({ Clusters: [cluster('available')] })
      .resolvesOnce({ Clusters: [cluster('deleting')] })
      .rejects(clusterNotFound());
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    mockWizardRole(aws);
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [WIZARD_GROUP] });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
    expect((await runTeardown(t.ctx, { pollIntervalMs: 5000 })).ok).toBe(true);
    expect(t.ui.of('info')).toContain(
      'Cluster dwhcluster is creating: AWS deletes it only once that is done; waiting.',
    );
    const settling = t.ui.spinners[0]!;
    expect(settling.texts).toContain('Cluster dwhcluster: creating · 0 ms elapsed · next check in 5 s');
    expect(settling.end).toEqual({ state: 'succeed', text: 'Cluster dwhcluster is available (5.0 s)' });
    // DeleteCluster only once the cluster could be deleted; no InvalidClusterStateFault on the way.
    expect(aws.redshift.commandCalls(DeleteClusterCommand)).toHaveLength(1);
    expect(await readFile(t.configPath, 'utf8')).toBe(TORN_DOWN);
    await t.cleanup();
  });

  test('InvalidClusterStateFault from DeleteCluster (the state moved under us) waits and asks again', async () => {
    const t = await makeTestContext({ config: CREATED, yes: true, aws: aws.clients, clock: fakeClock() });
    aws.redshift
      .on(DescribeClustersCommand, THIS_CLUSTER)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .resolvesOnce({ Clusters: [cluster('modifying')] })
      .resolvesOnce({ Clusters: [cluster('available')] })
      .rejects(clusterNotFound());
    aws.redshift
      .on(DeleteClusterCommand)
      .rejectsOnce(
        new InvalidClusterStateFault({
          message: 'The specified cluster is not in the available state.',
          $metadata: {},
        }),
      )
      .resolves({ Cluster: cluster('deleting') });
    mockWizardRole(aws);
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [WIZARD_GROUP] });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
    expect((await runTeardown(t.ctx, { pollIntervalMs: 5000 })).ok).toBe(true);
    expect(aws.redshift.commandCalls(DeleteClusterCommand)).toHaveLength(2);
    await t.cleanup();
  });

  test('a role made for another cluster, or that another cluster uses, is left with [IAM_ROLE] ARN', async () => {
    for (const [setup, action] of [
      [
        () => {
          aws.iam.on(GetRoleCommand, { RoleName: 'dwhRole' }).resolves({
            Role: {
              RoleName: 'dwhRole',
              Arn: ROLE_ARN,
              Path: '/',
              RoleId: 'AROAEXAMPLE',
              CreateDate: new Date(),
              Tags: [TAGS[0]!, { Key: 'sparkify-dwh:cluster', Value: 'teamcluster' }],
            },
          });
        },
        'left alone: belongs to cluster teamcluster',
      ],
      [
        () => {
          mockWizardRole(aws);
          const other = awsCluster('available', {
            ClusterIdentifier: 'teamcluster',
            IamRoles: [{ IamRoleArn: ROLE_ARN, ApplyStatus: 'in-sync' }],
          });
          aws.redshift
            .on(DescribeClustersCommand, { MaxRecords: 100 })
            .resolves({ Clusters: [cluster('available'), other] });
        },
        'left alone: cluster teamcluster uses it too',
      ],
    ] as const) {
      aws.restore();
      aws = mockAws();
      aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
      const t = await makeTestContext({ config: CREATED, yes: true, aws: aws.clients, clock: fakeClock() });
      aws.redshift
        .on(DescribeClustersCommand, THIS_CLUSTER)
        .resolvesOnce({ Clusters: [cluster('available')] })
        .rejects(clusterNotFound());
      aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
      setup();
      aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [WIZARD_GROUP] });
      aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
      expect((await runTeardown(t.ctx)).ok).toBe(true);
      expect(t.ui.tables[0]!.rows).toContainEqual(['IAM role', 'dwhRole', action]);
      expect(aws.iam.commandCalls(DeleteRoleCommand)).toHaveLength(0);
      expect(aws.iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0);
      // HOST cleared (this cluster is gone); the ARN still names a role that is in use.
      expect(await readFile(t.configPath, 'utf8')).toBe(
        configText({ 'CLUSTER.HOST': '', 'CLUSTER.DB_PASSWORD': DB_PASSWORD, 'IAM_ROLE.ARN': ROLE_ARN }),
      );
      await t.cleanup();
    }
  });

  test('with nothing to delete, a role left in place keeps [IAM_ROLE] ARN', async () => {
    const t = await makeTestContext({ config: CREATED, yes: true, aws: aws.clients, clock: fakeClock() });
    aws.redshift.on(DescribeClustersCommand, THIS_CLUSTER).rejects(clusterNotFound());
    aws.iam.on(GetRoleCommand, { RoleName: 'dwhRole' }).resolves({
      Role: { RoleName: 'dwhRole', Arn: ROLE_ARN, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date(), Tags: [] },
    });
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    expect(await runTeardown(t.ctx)).toEqual({ ok: true, summary: 'nothing to delete' });
    expect(await readFile(t.configPath, 'utf8')).toBe(
      configText({ 'CLUSTER.HOST': '', 'CLUSTER.DB_PASSWORD': DB_PASSWORD, 'IAM_ROLE.ARN': ROLE_ARN }),
    );
    await t.cleanup();
  });

  test('the plan lists ingress rules someone else added to the group it deletes', async () => {
    const t = await makeTestContext({ config: CREATED, yes: true, aws: aws.clients, clock: fakeClock() });
    aws.redshift
      .on(DescribeClustersCommand, THIS_CLUSTER)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .rejects(clusterNotFound());
    aws.redshift.on(DeleteClusterCommand).resolves({ Cluster: cluster('deleting') });
    mockWizardRole(aws);
    const opened = {
      ...WIZARD_GROUP,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 5439,
          ToPort: 5439,
          IpRanges: [{ CidrIp: '203.0.113.7/32', Description: 'sparkify-dwh: Redshift from the wizard user' }],
        },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
      ],
    };
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [opened] });
    aws.ec2.on(DeleteSecurityGroupCommand).resolves({ Return: true });
    await runTeardown(t.ctx);
    expect(t.ui.tables[0]!.rows).toContainEqual([
      'Security group',
      'dwhcluster-sparkify-dwh (sg-0wizard); with rules someone else added: tcp 22 from 10.0.0.0/8',
      'delete',
    ]);
    expect(t.ui.of('warn')).toContain(
      '⚠ Security group dwhcluster-sparkify-dwh also has rules sparkify-dwh did not add (tcp 22 from 10.0.0.0/8): ' +
        'deleting the group removes them too.',
    );
    await t.cleanup();
  });
});
