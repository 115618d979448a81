/**
 * What teardown finds (each resource marked ours or not by its tags), the security group deletion
 * that waits out DependencyViolation, and the names both go by.
 */
import {
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import {
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { ClusterNotFoundFault, DescribeClustersCommand } from '@aws-sdk/client-redshift';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  clusterIdentifierOf,
  readsSparkifyBucketFromAfar,
  roleNameOf,
  s3SourceUrls,
  securityGroupNameFor,
} from '../../src/aws/naming.js';
import { deleteGroupWhenFree, planTeardown } from '../../src/aws/teardown.js';
import type { DwhConfig } from '../../src/config/types.js';
import { cluster, fakeClock, mockAws, ROLE_ARN, TAGS } from './fakes.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

/** Only the sections naming reads. */
function config(dwh: Partial<DwhConfig['dwh']> = {}, s3: Partial<DwhConfig['s3']> = {}): DwhConfig {
  return {
    dwh: { access: 'public', baseRpu: 8, ...dwh },
    s3: { region: 'us-west-2', ...s3 },
  } as DwhConfig;
}

const inUse = () =>
  new EC2ServiceException({
    name: 'DependencyViolation',
    $fault: 'client',
    message: 'resource sg-0wizard has a dependent object',
    $metadata: {},
  });

describe('planTeardown', () => {
  test('lists the cluster, the role with its policies and both groups, each marked ours or not', async () => {
    aws.redshift.on(DescribeClustersCommand).resolves({
      Clusters: [cluster('available', { VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0default' }] })],
    });
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
    aws.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['sparkify-dwh-s3-read'] });
    aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
    aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default' }] });
    aws.ec2
      .on(DescribeSecurityGroupsCommand, { GroupIds: ['sg-0default'] })
      .resolves({ SecurityGroups: [{ GroupId: 'sg-0default', GroupName: 'default', Tags: [] }] })
      .on(DescribeSecurityGroupsCommand, {
        Filters: [
          { Name: 'group-name', Values: ['dwhcluster-sparkify-dwh'] },
          { Name: 'vpc-id', Values: ['vpc-0default'] },
        ],
      })
      .resolves({ SecurityGroups: [{ GroupId: 'sg-0wizard', GroupName: 'dwhcluster-sparkify-dwh', Tags: TAGS }] });

    const plan = await planTeardown(aws.clients, config());

    expect(plan.clusterIdentifier).toBe('dwhcluster');
    expect(plan.roleName).toBe('dwhRole');
    expect([plan.cluster?.identifier, plan.cluster?.ours]).toEqual(['dwhcluster', true]);
    expect([plan.role?.ours, plan.role?.policies]).toEqual([true, ['sparkify-dwh-s3-read']]);
    expect(plan.groups.map((group) => [group.id, group.ours])).toEqual([
      ['sg-0default', false],
      ['sg-0wizard', true],
    ]);
  });

  test('a hand-made role is not ours and its policies are not even listed; nothing else exists', async () => {
    aws.redshift
      .on(DescribeClustersCommand)
      .rejects(new ClusterNotFoundFault({ message: 'Cluster sparkify-2 not found.', $metadata: {} }));
    aws.iam.on(GetRoleCommand).resolves({
      Role: { RoleName: 'mine', Arn: ROLE_ARN, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date(), Tags: [] },
    });
    aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });

    const plan = await planTeardown(aws.clients, config({ clusterIdentifier: 'sparkify-2', iamRoleName: 'mine' }));

    expect(plan).toMatchObject({ clusterIdentifier: 'sparkify-2', roleName: 'mine', cluster: undefined, groups: [] });
    expect([plan.role?.ours, plan.role?.policies]).toEqual([false, []]);
    expect(aws.iam.commandCalls(ListRolePoliciesCommand)).toHaveLength(0);
  });

  test('no role of that name: undefined, not an error', async () => {
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [cluster('deleting')] });
    aws.iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'not found', $metadata: {} }));
    aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    expect((await planTeardown(aws.clients, config())).role).toBeUndefined();
  });
});

describe('deleteGroupWhenFree', () => {
  test('retries while the group is in use, reporting each wait, then deletes it', async () => {
    aws.ec2.on(DeleteSecurityGroupCommand).rejectsOnce(inUse()).rejectsOnce(inUse()).resolves({ Return: true });
    const waits: number[] = [];
    const result = await deleteGroupWhenFree(aws.clients, 'sg-0wizard', {
      clock: fakeClock(),
      signal: new AbortController().signal,
      intervalMs: 10_000,
      timeoutMs: 60_000,
      onRetry: (waited) => waits.push(waited),
    });
    expect(result).toEqual({ state: 'SUCCESS', outcome: 'deleted', elapsedMs: 20_000 });
    expect(waits).toEqual([0, 10_000]);
  });

  test('already gone is success; still in use at the limit is TIMEOUT', async () => {
    aws.ec2
      .on(DeleteSecurityGroupCommand)
      .rejectsOnce(
        new EC2ServiceException({
          name: 'InvalidGroup.NotFound',
          $fault: 'client',
          message: "The security group 'sg-0wizard' does not exist",
          $metadata: {},
        }),
      )
      .rejects(inUse());
    const options = { clock: fakeClock(), signal: new AbortController().signal, intervalMs: 10_000, timeoutMs: 30_000 };
    expect(await deleteGroupWhenFree(aws.clients, 'sg-0wizard', options)).toEqual({
      state: 'SUCCESS',
      outcome: 'gone',
      elapsedMs: 0,
    });
    expect(await deleteGroupWhenFree(aws.clients, 'sg-0wizard', options)).toEqual({
      state: 'TIMEOUT',
      last: { state: 'RETRY' },
      elapsedMs: 30_000,
    });
  });
});

describe('naming', () => {
  test('defaults are the seed scripts’ names; dwh.cfg overrides them', () => {
    expect([clusterIdentifierOf(config()), roleNameOf(config())]).toEqual(['dwhcluster', 'dwhRole']);
    const named = config({ clusterIdentifier: 'sparkify-2', iamRoleName: 'sparkifyRole' });
    expect([clusterIdentifierOf(named), roleNameOf(named)]).toEqual(['sparkify-2', 'sparkifyRole']);
    expect(securityGroupNameFor('sparkify-2')).toBe('sparkify-2-sparkify-dwh');
  });

  test('the [S3] URLs to read, and whether they are in the Sparkify bucket while the cluster is elsewhere', () => {
    const s3 = config({}, { logData: 's3://udacity-dend/log_data', songData: 's3://udacity-dend/song_data' });
    expect(s3SourceUrls(s3)).toEqual(['s3://udacity-dend/log_data', 's3://udacity-dend/song_data']);
    expect(readsSparkifyBucketFromAfar(s3, 'us-west-2')).toBe(false);
    expect(readsSparkifyBucketFromAfar(s3, 'eu-west-1')).toBe(true);
    expect(readsSparkifyBucketFromAfar(config({}, { logData: 's3://my-bucket/logs' }), 'eu-west-1')).toBe(false);
  });
});
