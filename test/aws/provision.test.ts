/**
 * Provisioning returns what it did (created / reused / not ours / refused) instead of printing:
 * each outcome against mocked SDK clients answering with the SDK's real exception classes.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import {
  CreateRoleCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { ClusterQuotaExceededFault, CreateClusterCommand } from '@aws-sdk/client-redshift';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { requestCluster, roleOfExistingCluster, type ClusterSpec } from '../../src/aws/provision-cluster.js';
import {
  allowWizardIngress,
  cidrReach,
  describeIngressRule,
  ensureSecurityGroup,
  foreignIngressRules,
  wizardGroupsOf,
} from '../../src/aws/provision-network.js';
import { ensureRole, ensureS3ReadPolicy, refreshS3ReadPolicy } from '../../src/aws/provision-role.js';
import type { ClusterInfo } from '../../src/aws/redshift.js';
import { UserError } from '../../src/errors.js';
import { ACCOUNT, DB_PASSWORD, fakeClock, mockAws, REGION, ROLE_ARN, ROLE_TAGS, roleNotValid, TAGS } from './fakes.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const noRole = () =>
  new NoSuchEntityException({ message: 'The role with name dwhRole cannot be found.', $metadata: {} });
const role = (tags: Array<{ Key: string; Value: string }> = ROLE_TAGS) => ({
  Role: { RoleName: 'dwhRole', Arn: ROLE_ARN, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date(), Tags: tags },
});

describe('ensureRole', () => {
  test('creates a missing role, tagged for the cluster, that only Redshift may assume', async () => {
    aws.iam.on(GetRoleCommand).rejects(noRole());
    aws.iam.on(CreateRoleCommand).resolves(role());
    expect(
      await ensureRole(aws.clients.iam, { roleName: 'dwhRole', clusterIdentifier: 'dwhcluster', region: REGION }),
    ).toEqual({
      kind: 'created',
      roleName: 'dwhRole',
      arn: ROLE_ARN,
    });
    const input = aws.iam.commandCalls(CreateRoleCommand)[0]!.args[0].input;
    expect(input.Tags).toEqual(ROLE_TAGS);
    expect(JSON.parse(input.AssumeRolePolicyDocument!)).toMatchObject({
      Statement: [{ Principal: { Service: 'redshift.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });

  test("reuses the wizard's role; a role someone else made is reported as not ours and left unchanged", async () => {
    aws.iam
      .on(GetRoleCommand)
      .resolvesOnce(role())
      .resolves(role([{ Key: 'team', Value: 'data' }]));
    const request = { roleName: 'dwhRole', clusterIdentifier: 'dwhcluster', region: REGION };
    expect(await ensureRole(aws.clients.iam, request)).toEqual({ kind: 'reused', roleName: 'dwhRole', arn: ROLE_ARN });
    expect(await ensureRole(aws.clients.iam, request)).toEqual({
      kind: 'not-ours',
      roleName: 'dwhRole',
      arn: ROLE_ARN,
    });
    expect(aws.iam.commandCalls(CreateRoleCommand)).toHaveLength(0);
  });

  test('EntityAlreadyExists (another run got there first) finds the role it lost the race to', async () => {
    aws.iam.on(GetRoleCommand).rejectsOnce(noRole()).resolves(role());
    aws.iam
      .on(CreateRoleCommand)
      .rejects(new EntityAlreadyExistsException({ message: 'Role with name dwhRole already exists.', $metadata: {} }));
    expect(
      await ensureRole(aws.clients.iam, { roleName: 'dwhRole', clusterIdentifier: 'dwhcluster', region: REGION }),
    ).toEqual({
      kind: 'created',
      roleName: 'dwhRole',
      arn: ROLE_ARN,
    });
  });

  test('a role that exists for CreateRole but not for GetRole is one clear error', async () => {
    aws.iam.on(GetRoleCommand).rejects(noRole());
    aws.iam
      .on(CreateRoleCommand)
      .rejects(new EntityAlreadyExistsException({ message: 'Role with name dwhRole already exists.', $metadata: {} }));
    await expect(
      ensureRole(aws.clients.iam, { roleName: 'dwhRole', clusterIdentifier: 'dwhcluster', region: REGION }),
    ).rejects.toThrow(
      new UserError('IAM role dwhRole could not be created or found: run `sparkify-dwh cluster create` again'),
    );
  });
});

describe('ensureS3ReadPolicy', () => {
  test('writes the least-privilege policy for the [S3] prefixes', async () => {
    aws.iam.on(PutRolePolicyCommand).resolves({});
    const urls = ['s3://udacity-dend/log_data', 's3://udacity-dend/song_data'];
    expect(await ensureS3ReadPolicy(aws.clients.iam, 'dwhRole', urls, REGION)).toEqual({
      kind: 'written',
      policyName: 'sparkify-dwh-s3-read',
      urls,
    });
    const input = aws.iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input;
    expect(input.RoleName).toBe('dwhRole');
    const document = JSON.parse(input.PolicyDocument!) as { Statement: Array<{ Resource: unknown }> };
    expect(document.Statement[0]!.Resource).toEqual([
      'arn:aws:s3:::udacity-dend/log_data*',
      'arn:aws:s3:::udacity-dend/song_data*',
    ]);
  });

  test('no [S3] prefix: skipped, and IAM is not called', async () => {
    expect(await ensureS3ReadPolicy(aws.clients.iam, 'dwhRole', [], REGION)).toEqual({
      kind: 'skipped',
      reason: 'no-s3-prefixes',
    });
    expect(aws.iam.calls()).toHaveLength(0);
  });
});

describe('a role belongs to one cluster', () => {
  const request = { roleName: 'dwhRole', clusterIdentifier: 'dwhcluster', region: REGION };

  test('a role the wizard made for another cluster, or in another region, is never reused', async () => {
    aws.iam
      .on(GetRoleCommand)
      .resolvesOnce(role([...TAGS.slice(0, 1), { Key: 'sparkify-dwh:cluster', Value: 'teamcluster' }]))
      .resolvesOnce(role([...TAGS, { Key: 'sparkify-dwh:region', Value: 'eu-west-1' }]))
      // Made before the region tag existed: taken as this cluster's.
      .resolves(role(TAGS));
    expect(await ensureRole(aws.clients.iam, request)).toEqual({
      kind: 'other-cluster',
      roleName: 'dwhRole',
      arn: ROLE_ARN,
      cluster: 'teamcluster',
      region: undefined,
    });
    expect(await ensureRole(aws.clients.iam, request)).toEqual({
      kind: 'other-cluster',
      roleName: 'dwhRole',
      arn: ROLE_ARN,
      cluster: 'dwhcluster',
      region: 'eu-west-1',
    });
    expect(await ensureRole(aws.clients.iam, request)).toEqual({ kind: 'reused', roleName: 'dwhRole', arn: ROLE_ARN });
    expect(aws.iam.commandCalls(CreateRoleCommand)).toHaveLength(0);
  });

  test("an existing cluster's role gets the [S3] policy only when it is this cluster's", async () => {
    aws.iam
      .on(GetRoleCommand)
      .resolvesOnce(role())
      .resolvesOnce(role([...TAGS.slice(0, 1), { Key: 'sparkify-dwh:cluster', Value: 'teamcluster' }]))
      .resolvesOnce(role([{ Key: 'team', Value: 'data' }]))
      .rejects(noRole());
    aws.iam.on(PutRolePolicyCommand).resolves({});
    const refresh = { roleArn: ROLE_ARN, clusterIdentifier: 'dwhcluster', region: REGION, urls: ['s3://b/logs'] };
    expect(await refreshS3ReadPolicy(aws.clients.iam, refresh)).toEqual({
      kind: 'written',
      policyName: 'sparkify-dwh-s3-read',
      urls: ['s3://b/logs'],
    });
    expect(await refreshS3ReadPolicy(aws.clients.iam, refresh)).toEqual({
      kind: 'left-alone',
      roleName: 'dwhRole',
      owner: 'other-cluster',
    });
    expect(await refreshS3ReadPolicy(aws.clients.iam, refresh)).toEqual({
      kind: 'left-alone',
      roleName: 'dwhRole',
      owner: 'not-ours',
    });
    expect(await refreshS3ReadPolicy(aws.clients.iam, refresh)).toEqual({ kind: 'gone', roleName: 'dwhRole' });
    expect(aws.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(aws.iam.commandCalls(GetRoleCommand)[0]!.args[0].input).toEqual({ RoleName: 'dwhRole' });
  });
});

describe('ensureSecurityGroup', () => {
  const group = (tags: Array<{ Key: string; Value: string }>) => ({
    SecurityGroups: [
      { GroupId: 'sg-0wizard', GroupName: 'dwhcluster-sparkify-dwh', VpcId: 'vpc-0default', Tags: tags },
    ],
  });

  test('creates the tagged group in the default VPC when it is missing', async () => {
    aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    aws.ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-0wizard' });
    expect(await ensureSecurityGroup(aws.clients.ec2, 'dwhcluster', REGION)).toEqual({
      kind: 'created',
      groupId: 'sg-0wizard',
      name: 'dwhcluster-sparkify-dwh',
      vpcId: 'vpc-0default',
    });
    expect(aws.ec2.commandCalls(CreateSecurityGroupCommand)[0]!.args[0].input.TagSpecifications).toEqual([
      { ResourceType: 'security-group', Tags: [{ Key: 'Name', Value: 'dwhcluster-sparkify-dwh' }, ...TAGS] },
    ]);
  });

  test("finds the wizard's group (reused) or a hand-made one of the same name (not ours)", async () => {
    aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
    aws.ec2.on(DescribeSecurityGroupsCommand).resolvesOnce(group(TAGS)).resolves(group([]));
    const name = 'dwhcluster-sparkify-dwh';
    expect(await ensureSecurityGroup(aws.clients.ec2, 'dwhcluster', REGION)).toEqual({
      kind: 'reused',
      groupId: 'sg-0wizard',
      name,
    });
    expect(await ensureSecurityGroup(aws.clients.ec2, 'dwhcluster', REGION)).toEqual({
      kind: 'not-ours',
      groupId: 'sg-0wizard',
      name,
      owner: 'someone-else',
    });
    expect(aws.ec2.commandCalls(CreateSecurityGroupCommand)).toHaveLength(0);
  });

  test("the wizard's group for another cluster is not reused either", async () => {
    aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
    aws.ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves(group([TAGS[0]!, { Key: 'sparkify-dwh:cluster', Value: 'teamcluster' }]));
    expect(await ensureSecurityGroup(aws.clients.ec2, 'dwhcluster', REGION)).toEqual({
      kind: 'not-ours',
      groupId: 'sg-0wizard',
      name: 'dwhcluster-sparkify-dwh',
      owner: 'cluster teamcluster',
    });
    expect(aws.ec2.commandCalls(CreateSecurityGroupCommand)).toHaveLength(0);
  });

  test('a region without a default VPC is refused before anything is created', async () => {
    aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    expect(await ensureSecurityGroup(aws.clients.ec2, 'dwhcluster', 'eu-north-1')).toEqual({
      kind: 'refused',
      reason: 'no-default-vpc',
      region: 'eu-north-1',
    });
    expect(aws.ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(0);
  });
});

describe('allowWizardIngress', () => {
  test('added, then exists when EC2 answers InvalidPermission.Duplicate', async () => {
    aws.ec2
      .on(AuthorizeSecurityGroupIngressCommand)
      .resolvesOnce({ Return: true })
      .rejects(
        new EC2ServiceException({
          name: 'InvalidPermission.Duplicate',
          $fault: 'client',
          message:
            'the specified rule "peer: 203.0.113.7/32, TCP, from port: 5439, to port: 5439, ALLOW" already exists',
          $metadata: {},
        }),
      );
    const rule = { groupId: 'sg-0wizard', port: 5439, cidr: '203.0.113.7/32' };
    expect(await allowWizardIngress(aws.clients.ec2, rule, REGION)).toEqual({ kind: 'added', ...rule });
    expect(await allowWizardIngress(aws.clients.ec2, rule, REGION)).toEqual({ kind: 'exists', ...rule });
    expect(aws.ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]!.args[0].input.IpPermissions).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 5439,
        ToPort: 5439,
        IpRanges: [{ CidrIp: '203.0.113.7/32', Description: 'sparkify-dwh: Redshift from the wizard user' }],
      },
    ]);
  });

  test.each([
    ['203.0.113.7/32', { kind: 'one-address' }],
    ['198.51.100.0/24', { kind: 'range', addresses: 256 }],
    ['10.0.0.0/8', { kind: 'range', addresses: 16_777_216 }],
    ['0.0.0.0/0', { kind: 'whole-internet' }],
  ])('%s reaches %j', (cidr, reach) => {
    expect(cidrReach(cidr)).toEqual(reach);
  });
});

function existing(iamRoleArns: string[], securityGroupIds: string[] = []): ClusterInfo {
  return {
    identifier: 'dwhcluster',
    status: 'available',
    availability: 'Available',
    nodeType: 'ra3.large',
    numberOfNodes: 1,
    endpoint: undefined,
    dbName: 'dwh',
    masterUsername: 'dwhuser',
    createdAt: undefined,
    vpcId: 'vpc-0default',
    securityGroupIds,
    iamRoleArns,
    tags: TAGS,
    publiclyAccessible: true,
    encrypted: true,
    arn: undefined,
  };
}

describe('an existing cluster', () => {
  test('the role: attached by the configured name (any path), else the first attached', async () => {
    const other = `arn:aws:iam::${ACCOUNT}:role/other`;
    const pathed = `arn:aws:iam::${ACCOUNT}:role/service/dwhRole`;
    expect(await roleOfExistingCluster(aws.clients.iam, existing([other, pathed]), 'dwhRole')).toEqual({
      kind: 'attached',
      arn: pathed,
    });
    expect(await roleOfExistingCluster(aws.clients.iam, existing([other]), 'dwhRole')).toEqual({
      kind: 'attached',
      arn: other,
    });
    expect(aws.iam.calls()).toHaveLength(0);
  });

  test('no role attached: the configured one if it exists (not attached), else missing', async () => {
    aws.iam.on(GetRoleCommand).resolvesOnce(role()).rejects(noRole());
    expect(await roleOfExistingCluster(aws.clients.iam, existing([]), 'dwhRole')).toEqual({
      kind: 'not-attached',
      roleName: 'dwhRole',
      arn: ROLE_ARN,
    });
    expect(await roleOfExistingCluster(aws.clients.iam, existing([]), 'dwhRole')).toEqual({
      kind: 'missing',
      roleName: 'dwhRole',
    });
  });

  test('its security groups that the wizard made; ids that are gone are left out', async () => {
    aws.ec2
      .on(DescribeSecurityGroupsCommand, { GroupIds: ['sg-0wizard'] })
      .resolves({ SecurityGroups: [{ GroupId: 'sg-0wizard', GroupName: 'dwhcluster-sparkify-dwh', Tags: TAGS }] })
      .on(DescribeSecurityGroupsCommand, { GroupIds: ['sg-0default'] })
      .resolves({ SecurityGroups: [{ GroupId: 'sg-0default', GroupName: 'default', Tags: [] }] })
      .on(DescribeSecurityGroupsCommand, { GroupIds: ['sg-0gone'] })
      .rejects(
        new EC2ServiceException({
          name: 'InvalidGroup.NotFound',
          $fault: 'client',
          message: "The security group 'sg-0gone' does not exist",
          $metadata: {},
        }),
      );
    const groups = await wizardGroupsOf(
      aws.clients.ec2,
      existing([], ['sg-0default', 'sg-0gone', 'sg-0wizard']),
      REGION,
    );
    expect(groups.map((group) => group.id)).toEqual(['sg-0wizard']);
  });

  test("a group the wizard made for another cluster is not this cluster's", async () => {
    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: 'sg-0team', Tags: [TAGS[0]!, { Key: 'sparkify-dwh:cluster', Value: 'teamcluster' }] },
      ],
    });
    expect(await wizardGroupsOf(aws.clients.ec2, existing([], ['sg-0team']), REGION)).toEqual([]);
  });
});

describe('ingress rules someone else added', () => {
  test('every rule not described as the wizard’s, whatever its source, said in one short phrase', () => {
    const ours = 'sparkify-dwh: Redshift from the wizard user';
    const group = {
      id: 'sg-0wizard',
      name: 'dwhcluster-sparkify-dwh',
      vpcId: 'vpc-0default',
      tags: TAGS,
      ingress: [
        { protocol: 'tcp', fromPort: 5439, toPort: 5439, source: '203.0.113.7/32', description: ours },
        { protocol: 'tcp', fromPort: 22, toPort: 22, source: '10.0.0.0/8', description: undefined },
        { protocol: '-1', fromPort: undefined, toPort: undefined, source: 'sg-0abc', description: 'bastion' },
        { protocol: 'tcp', fromPort: 8000, toPort: 8100, source: '2001:db8::/32', description: undefined },
      ],
    };
    expect(foreignIngressRules(group).map(describeIngressRule)).toEqual([
      'tcp 22 from 10.0.0.0/8',
      'all traffic from sg-0abc',
      'tcp 8000-8100 from 2001:db8::/32',
    ]);
  });
});

describe('requestCluster', () => {
  test('asks for the spec, behind the role and group made for it, tagged as the wizard’s', async () => {
    aws.redshift.on(CreateClusterCommand).resolves({
      Cluster: { ClusterIdentifier: 'sparkify-2', ClusterStatus: 'creating', NodeType: 'ra3.xlplus', NumberOfNodes: 2 },
    });
    const spec: ClusterSpec = {
      identifier: 'sparkify-2',
      nodeType: 'ra3.xlplus',
      numberOfNodes: 2,
      dbName: 'dwh',
      dbUser: 'dwhuser',
      password: DB_PASSWORD,
      port: 5439,
      roleName: 'dwhRole',
      access: 'public',
    };
    const made = await requestCluster(
      aws.clients.redshift,
      spec,
      { roleArn: ROLE_ARN, securityGroupId: 'sg-0wizard' },
      REGION,
    );
    if (made.kind !== 'requested') throw new Error(`not requested: ${made.kind}`);
    expect([made.cluster.identifier, made.cluster.status, made.cluster.numberOfNodes]).toEqual([
      'sparkify-2',
      'creating',
      2,
    ]);
    expect(aws.redshift.commandCalls(CreateClusterCommand)[0]!.args[0].input).toEqual({
      ClusterIdentifier: 'sparkify-2',
      ClusterType: 'multi-node',
      NodeType: 'ra3.xlplus',
      NumberOfNodes: 2,
      DBName: 'dwh',
      MasterUsername: 'dwhuser',
      MasterUserPassword: DB_PASSWORD,
      Port: 5439,
      IamRoles: [ROLE_ARN],
      VpcSecurityGroupIds: ['sg-0wizard'],
      PubliclyAccessible: true,
      Encrypted: true,
      Tags: [
        { Key: 'created-by', Value: 'sparkify-dwh' },
        { Key: 'sparkify-dwh:cluster', Value: 'sparkify-2' },
      ],
    });
  });

  test('private and without a password: not publicly accessible, the password managed by AWS', async () => {
    aws.redshift.on(CreateClusterCommand).resolves({
      Cluster: { ClusterIdentifier: 'dwhcluster', ClusterStatus: 'creating', NodeType: 'ra3.large', NumberOfNodes: 1 },
    });
    const spec: ClusterSpec = {
      identifier: 'dwhcluster',
      nodeType: 'ra3.large',
      numberOfNodes: 1,
      dbName: 'dwh',
      dbUser: 'dwhuser',
      password: undefined,
      port: 5439,
      roleName: 'dwhRole',
      access: 'private',
    };
    await requestCluster(aws.clients.redshift, spec, { roleArn: ROLE_ARN, securityGroupId: 'sg-0wizard' }, REGION);
    const input = aws.redshift.commandCalls(CreateClusterCommand)[0]!.args[0].input;
    expect(input.PubliclyAccessible).toBe(false);
    expect(input.ManageMasterPassword).toBe(true);
    expect(input).not.toHaveProperty('MasterUserPassword');
  });

  const spec: ClusterSpec = {
    identifier: 'dwhcluster',
    nodeType: 'ra3.large',
    numberOfNodes: 1,
    dbName: 'dwh',
    dbUser: 'dwhuser',
    password: DB_PASSWORD,
    port: 5439,
    roleName: 'dwhRole',
    access: 'public',
  };
  const network = { roleArn: ROLE_ARN, securityGroupId: 'sg-0wizard' };

  test('a new role Redshift does not accept yet is asked again every interval, saying so, until it is', async () => {
    aws.redshift
      .on(CreateClusterCommand)
      .rejectsOnce(roleNotValid())
      .rejectsOnce(roleNotValid())
      .resolves({ Cluster: { ClusterIdentifier: 'dwhcluster', ClusterStatus: 'creating' } });
    const clock = fakeClock();
    const waits: Array<[number, number]> = [];
    const outcome = await requestCluster(aws.clients.redshift, spec, network, REGION, {
      clock,
      signal: new AbortController().signal,
      intervalMs: 5000,
      timeoutMs: 60_000,
      onWait: (elapsed, next) => waits.push([elapsed, next]),
    });
    expect(outcome).toMatchObject({ kind: 'requested', cluster: { identifier: 'dwhcluster', status: 'creating' } });
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(3);
    expect(clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(10_000);
    expect(waits[0]).toEqual([0, 5000]);
  });

  test('still refused after about a minute: role-not-usable; any other refusal is not retried', async () => {
    aws.redshift.on(CreateClusterCommand).rejects(roleNotValid());
    const clock = fakeClock();
    const wait = { clock, signal: new AbortController().signal, intervalMs: 5000, timeoutMs: 60_000 };
    expect(await requestCluster(aws.clients.redshift, spec, network, REGION, wait)).toEqual({
      kind: 'role-not-usable',
      elapsedMs: 60_000,
    });
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(13);

    aws.redshift.reset();
    aws.redshift.on(CreateClusterCommand).rejects(
      new ClusterQuotaExceededFault({
        message: 'The request would exceed the allowed number of clusters.',
        $metadata: {},
      }),
    );
    await expect(requestCluster(aws.clients.redshift, spec, network, REGION, wait)).rejects.toThrow(
      /Redshift cluster or node quota/,
    );
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(1);
  });

  test('without a propagation wait (a role that already existed), the refusal is reported at once', async () => {
    aws.redshift.on(CreateClusterCommand).rejects(roleNotValid());
    await expect(requestCluster(aws.clients.redshift, spec, network, REGION)).rejects.toThrow(
      /IAM role dwhRole does not let Redshift use it/,
    );
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(1);
  });

  test('Ctrl-C while waiting for the role: aborted, nothing more is asked', async () => {
    aws.redshift.on(CreateClusterCommand).rejects(roleNotValid());
    const clock = fakeClock();
    const controller = new AbortController();
    clock.onSleep = (count) => {
      if (count === 2) controller.abort();
    };
    const outcome = await requestCluster(aws.clients.redshift, spec, network, REGION, {
      clock,
      signal: controller.signal,
      intervalMs: 5000,
      timeoutMs: 60_000,
    });
    expect(outcome).toEqual({ kind: 'aborted' });
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(1);
  });
});
