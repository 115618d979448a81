/** `cluster create`: a new cluster end to end, a rerun that reuses it, and every way it can stop. */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { CreateRoleCommand, GetRoleCommand, IAMServiceException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  ClusterAlreadyExistsFault,
  ClusterQuotaExceededFault,
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeEventsCommand,
  InsufficientClusterCapacityFault,
} from '@aws-sdk/client-redshift';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InterruptedError, UserError } from '../../src/errors.js';
import { runClusterCreate } from '../../src/steps/cluster-create.js';
import { makeTestContext } from '../support/context.js';
import {
  ACCOUNT,
  AWS_SECRET,
  cluster,
  configText,
  DB_PASSWORD,
  ENDPOINT,
  fakeClock,
  mockAws,
  ROLE_ARN,
  setKey,
  ROLE_TAGS,
  TAGS,
} from '../aws/fakes.js';
import { ACCEPT_DEFAULTS, fakeDeps, mockFreshNetworkAndRole, notFound } from './cluster-fakes.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

describe('cluster create', () => {
  test('creates role, security group and cluster, polls till available, writes back, tests connecting', async () => {
    const clock = fakeClock();
    const t = await makeTestContext({ config: configText(), answers: ACCEPT_DEFAULTS, aws: aws.clients, clock });
    mockFreshNetworkAndRole(aws);
    aws.redshift
      .on(DescribeClustersCommand)
      .rejectsOnce(notFound())
      .resolvesOnce({ Clusters: [cluster('creating')] })
      .resolvesOnce({ Clusters: [cluster('creating')] })
      .resolves({ Clusters: [cluster('available')] });
    aws.redshift.on(CreateClusterCommand).resolves({ Cluster: cluster('creating') });
    const { deps, connections } = fakeDeps();

    const result = await runClusterCreate(t.ctx, deps);

    expect(result).toEqual({ ok: true, summary: `cluster dwhcluster available at ${ENDPOINT}` });
    // The trust policy: only Redshift may assume the role.
    const createRole = aws.iam.commandCalls(CreateRoleCommand)[0]!.args[0].input;
    expect(JSON.parse(createRole.AssumeRolePolicyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'redshift.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(createRole.RoleName).toBe('dwhRole');
    // Tagged for this cluster and region: another config's cluster never shares it.
    expect(createRole.Tags).toEqual(ROLE_TAGS);
    // Least privilege: GetObject on the [S3] prefixes, ListBucket limited to them; nothing else.
    const policy = aws.iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input;
    expect(policy.PolicyName).toBe('sparkify-dwh-s3-read');
    expect(JSON.parse(policy.PolicyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadSourceObjects',
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: [
            'arn:aws:s3:::udacity-dend/log_data*',
            'arn:aws:s3:::udacity-dend/log_json_path.json*',
            'arn:aws:s3:::udacity-dend/song_data*',
          ],
        },
        {
          Sid: 'ListSourcePrefixes',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::udacity-dend',
          Condition: { StringLike: { 's3:prefix': ['log_data*', 'log_json_path.json*', 'song_data*'] } },
        },
      ],
    });
    // A dedicated, tagged group in the default VPC, open only to the caller's /32.
    expect(aws.ec2.commandCalls(CreateSecurityGroupCommand)[0]!.args[0].input).toEqual({
      GroupName: 'dwhcluster-sparkify-dwh',
      Description: 'Access to Redshift cluster dwhcluster (sparkify-dwh)',
      VpcId: 'vpc-0default',
      TagSpecifications: [
        { ResourceType: 'security-group', Tags: [{ Key: 'Name', Value: 'dwhcluster-sparkify-dwh' }, ...TAGS] },
      ],
    });
    expect(aws.ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]!.args[0].input).toEqual({
      GroupId: 'sg-0wizard',
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 5439,
          ToPort: 5439,
          IpRanges: [{ CidrIp: '203.0.113.7/32', Description: 'sparkify-dwh: Redshift from the wizard user' }],
        },
      ],
    });
    expect(aws.redshift.commandCalls(CreateClusterCommand)[0]!.args[0].input).toEqual({
      ClusterIdentifier: 'dwhcluster',
      ClusterType: 'single-node',
      NodeType: 'ra3.large',
      DBName: 'dwh',
      MasterUsername: 'dwhuser',
      MasterUserPassword: DB_PASSWORD,
      Port: 5439,
      IamRoles: [ROLE_ARN],
      VpcSecurityGroupIds: ['sg-0wizard'],
      PubliclyAccessible: true,
      Encrypted: true,
      Tags: TAGS,
    });
    // Write-back, byte for byte: everything else (comments, order) unchanged.
    let expected = configText();
    expected = setKey(expected, 'CLUSTER.HOST', ENDPOINT);
    expected = setKey(expected, 'CLUSTER.DB_PASSWORD', DB_PASSWORD);
    expected = setKey(expected, 'IAM_ROLE.ARN', ROLE_ARN);
    expect(await readFile(t.configPath, 'utf8')).toBe(expected);
    // Live polling: status, elapsed time, countdown; sleeps of one second, never a busy loop.
    const polling = t.ui.spinners.find((spinner) => spinner.texts[0] === 'Cluster dwhcluster: checking…')!;
    expect(polling.texts[1]).toBe('Cluster dwhcluster: creating · 0 ms elapsed · next check in 15 s');
    expect(polling.texts[15]).toBe('Cluster dwhcluster: creating · 14.0 s elapsed · next check in 1 s');
    // The first check is CreateCluster's own answer; DescribeClusters from one interval on
    // (creating, creating, available).
    expect(polling.end).toEqual({ state: 'succeed', text: 'Cluster dwhcluster is available (45.0 s)' });
    expect(clock.sleeps).toEqual(Array(45).fill(1000));
    expect(connections).toEqual([
      { host: ENDPOINT, port: 5439, database: 'dwh', user: 'dwhuser', password: DB_PASSWORD },
    ]);
    expect(t.ui.spinners.at(-1)!.end).toEqual({
      state: 'succeed',
      text: 'Connected: PostgreSQL 8.0.2 on i686-pc-linux-gnu, Redshift 1.0.90000',
    });
    // The summary before anything was created, with the estimated cost.
    expect(t.ui.tables[0]!.rows).toContainEqual(['Estimated cost', '$0.54 per hour, $13.03 per day']);
    const shown = t.ui.text();
    expect(shown).not.toContain(DB_PASSWORD);
    expect(shown).not.toContain(AWS_SECRET);
    await t.cleanup();
  });

  test('a rerun reuses the cluster, the role and the ingress rule, and leaves dwh.cfg byte for byte', async () => {
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
    aws.redshift.on(CreateClusterCommand).resolves({ Cluster: cluster('creating') });
    await runClusterCreate(t.ctx, fakeDeps().deps);
    const afterFirst = await readFile(t.configPath, 'utf8');

    aws.ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: 'sg-0wizard', GroupName: 'dwhcluster-sparkify-dwh', VpcId: 'vpc-0default', Tags: TAGS },
      ],
    });
    aws.ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(
      new EC2ServiceException({
        name: 'InvalidPermission.Duplicate',
        $fault: 'client',
        message: 'the specified rule "peer: 203.0.113.7/32, TCP, from port: 5439, to port: 5439, ALLOW" already exists',
        $metadata: {},
      }),
    );
    const second = await makeTestContext({ dir: t.dir, answers: [undefined], aws: aws.clients, clock: fakeClock() });
    const result = await runClusterCreate(second.ctx, fakeDeps().deps);

    expect(result.ok).toBe(true);
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(1);
    expect(aws.iam.commandCalls(CreateRoleCommand)).toHaveLength(1);
    expect(second.ui.text()).toContain('Cluster dwhcluster already exists (available): reusing it.');
    expect(second.ui.text()).toContain('Port 5439 was already open to 203.0.113.7/32');
    expect(await readFile(t.configPath, 'utf8')).toBe(afterFirst);
    // Nothing changed, so it does not claim to have written (the first run did).
    expect(t.ui.text()).toContain(`Wrote [CLUSTER] HOST = ${ENDPOINT} and [IAM_ROLE] ARN to dwh.cfg`);
    expect(second.ui.text()).toContain(`dwh.cfg already up to date ([CLUSTER] HOST = ${ENDPOINT} and [IAM_ROLE] ARN)`);
    expect(second.ui.text()).not.toContain('Wrote');
    await second.cleanup();
    await t.cleanup();
  });

  test('Ctrl-C while polling stops the wait, not the cluster; the next run picks the wait up', async () => {
    const clock = fakeClock();
    const t = await makeTestContext({ config: configText(), answers: ACCEPT_DEFAULTS, aws: aws.clients, clock });
    mockFreshNetworkAndRole(aws);
    aws.redshift
      .on(DescribeClustersCommand)
      .rejectsOnce(notFound())
      .resolves({ Clusters: [cluster('creating')] });
    aws.redshift.on(CreateClusterCommand).resolves({ Cluster: cluster('creating') });
    clock.onSleep = (count) => {
      if (count === 20) t.ctx.abort();
    };

    await expect(runClusterCreate(t.ctx, fakeDeps().deps)).rejects.toBeInstanceOf(InterruptedError);
    expect(t.ui.of('warn')).toContain(
      '⚠ Stopped waiting; cluster dwhcluster is still being created. ' +
        'Run `sparkify-dwh cluster create` to pick up the wait.',
    );
    // Nothing deletes or stops the cluster. The first check is CreateCluster's own answer (creating).
    expect(aws.redshift.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'DescribeClustersCommand',
      'CreateClusterCommand',
      'DescribeClustersCommand',
    ]);
    expect(await readFile(t.configPath, 'utf8')).toContain('HOST =\n');

    t.ctx.resetInterrupt();
    clock.onSleep = undefined;
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster('creating')] })
      .resolvesOnce({ Clusters: [cluster('creating')] })
      .resolves({ Clusters: [cluster('available')] });
    const second = await makeTestContext({ dir: t.dir, answers: [undefined], aws: aws.clients, clock });
    const result = await runClusterCreate(second.ctx, fakeDeps().deps);
    expect(result.ok).toBe(true);
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(1);
    expect(await readFile(t.configPath, 'utf8')).toContain(`HOST = ${ENDPOINT}\n`);
    await second.cleanup();
    await t.cleanup();
  });

  test('a cluster that goes to incompatible-network is reported with its reason and the next action', async () => {
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
      .resolvesOnce({ Clusters: [cluster('creating')] })
      .resolves({ Clusters: [cluster('incompatible-network')] });
    aws.redshift.on(CreateClusterCommand).resolves({ Cluster: cluster('creating') });
    aws.redshift.on(DescribeEventsCommand).resolves({
      Events: [
        {
          SourceIdentifier: 'dwhcluster',
          Message: 'Amazon Redshift cluster dwhcluster\nhas been created',
          Date: new Date(Date.UTC(2025, 0, 2, 3, 0)),
        },
        {
          SourceIdentifier: 'dwhcluster',
          Message: 'The subnet in the availability zone has no free IP addresses.',
          Date: new Date(Date.UTC(2025, 0, 2, 3, 5)),
        },
      ],
    });
    await expect(runClusterCreate(t.ctx, fakeDeps().deps)).rejects.toThrow(
      new UserError(
        'cluster dwhcluster is incompatible-network (The subnet in the availability zone has no free IP addresses.): ' +
          'the network setup is not usable (default VPC subnets or the security group); ' +
          'run `sparkify-dwh teardown`, check the default VPC, and create the cluster again',
      ),
    );
    await t.cleanup();
  });

  test.each([
    [
      'failed',
      "run `sparkify-dwh teardown` and create the cluster again; the Redshift console's Events tab has the details",
    ],
    [
      'hardware-failure',
      "run `sparkify-dwh teardown` and create the cluster again; the Redshift console's Events tab has the details",
    ],
    [
      'incompatible-parameters',
      'the parameter group is inconsistent; run `sparkify-dwh teardown` and create the cluster again',
    ],
    [
      'incompatible-hsm',
      "run `sparkify-dwh teardown` and create the cluster again; the Redshift console's Events tab has the details",
    ],
  ])('a cluster that goes to %s is reported with its reason and the next action', async (status, action) => {
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
      .resolvesOnce({ Clusters: [cluster('creating')] })
      .resolves({ Clusters: [cluster(status)] });
    aws.redshift.on(CreateClusterCommand).resolves({ Cluster: cluster('creating') });
    aws.redshift.on(DescribeEventsCommand).resolves({
      Events: [
        {
          SourceIdentifier: 'dwhcluster',
          Message: `Cluster dwhcluster went to ${status}.`,
          Date: new Date(Date.UTC(2025, 0, 2, 3, 5)),
        },
      ],
    });
    await expect(runClusterCreate(t.ctx, fakeDeps().deps)).rejects.toThrow(
      new UserError(`cluster dwhcluster is ${status} (Cluster dwhcluster went to ${status}.): ${action}`),
    );
    await t.cleanup();
  });

  test('a wait that runs out of time explains that the cluster carries on', async () => {
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
      .resolves({ Clusters: [cluster('creating')] });
    aws.redshift.on(CreateClusterCommand).resolves({ Cluster: cluster('creating') });
    await expect(runClusterCreate(t.ctx, { ...fakeDeps().deps, createTimeoutMs: 60_000 })).rejects.toThrow(
      'cluster dwhcluster is still creating after 1 min 00 s; AWS is sometimes slow and it is still being created: ' +
        'run `sparkify-dwh cluster create` to keep waiting, or look at it in the Redshift console',
    );
    await t.cleanup();
  });

  test.each([
    [
      'ClusterQuotaExceededFault',
      () =>
        new ClusterQuotaExceededFault({
          message: 'The request would exceed the allowed number of cluster instances for this account.',
          $metadata: {},
        }),
      'the account has reached its Redshift cluster or node quota in us-west-2 (ClusterQuotaExceededFault): ' +
        'delete an unused cluster or request an increase in the Service Quotas console',
    ],
    [
      'InsufficientClusterCapacityFault',
      () => new InsufficientClusterCapacityFault({ message: 'There is not enough capacity.', $metadata: {} }),
      'AWS has no spare ra3.large capacity in us-west-2 right now: ' +
        'try another node type ([DWH] DWH_NODE_TYPE), another region ([AWS] REGION) or again later',
    ],
    [
      'ClusterAlreadyExistsFault',
      () => new ClusterAlreadyExistsFault({ message: 'Cluster already exists', $metadata: {} }),
      'a cluster named "dwhcluster" already exists in us-west-2 but could not be reused: ' +
        'choose another [DWH] DWH_CLUSTER_IDENTIFIER or run `sparkify-dwh cluster status`',
    ],
  ])('CreateCluster failing with %s gets its message', async (_name, makeError, message) => {
    const t = await makeTestContext({
      config: configText(),
      answers: ACCEPT_DEFAULTS,
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    aws.redshift.on(CreateClusterCommand).rejects(makeError());
    const failure = await runClusterCreate(t.ctx, fakeDeps().deps).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as Error).message).toBe(message);
    expect((failure as Error).message).not.toContain(DB_PASSWORD);
    await t.cleanup();
  });

  test('AccessDenied on iam:GetRole names the action and the minimal policy', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: ACCEPT_DEFAULTS,
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    aws.iam.on(GetRoleCommand).rejects(
      new IAMServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        message: `User: arn:aws:iam::${ACCOUNT}:user/dev is not authorized to perform: iam:GetRole`,
        $metadata: {},
      }),
    );
    await expect(runClusterCreate(t.ctx, fakeDeps().deps)).rejects.toThrow(
      'AWS denied iam:GetRole while looking up IAM role dwhRole (AccessDenied): ' +
        'the identity running the wizard needs that permission; ' +
        'see the README, "Minimal IAM policy for the user running the wizard"',
    );
    await t.cleanup();
  });

  test('UnauthorizedOperation on the ingress rule names the action', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: ACCEPT_DEFAULTS,
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    aws.ec2.on(AuthorizeSecurityGroupIngressCommand).rejects(
      new EC2ServiceException({
        name: 'UnauthorizedOperation',
        $fault: 'client',
        message: 'You are not authorized to perform this operation. Encoded authorization failure message: AbC',
        $metadata: {},
      }),
    );
    await expect(runClusterCreate(t.ctx, fakeDeps().deps)).rejects.toThrow(
      'AWS denied ec2:AuthorizeSecurityGroupIngress while allowing 203.0.113.7/32 to port 5439 ' +
        '(UnauthorizedOperation): the identity running the wizard needs that permission; ' +
        'see the README, "Minimal IAM policy for the user running the wizard"',
    );
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(0);
    await t.cleanup();
  });

  test('under --yes with no public IP and no DWH_ALLOWED_CIDR: a clear error before anything is created', async () => {
    const t = await makeTestContext({ config: configText(), yes: true, aws: aws.clients, clock: fakeClock() });
    mockFreshNetworkAndRole(aws);
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    await expect(runClusterCreate(t.ctx, fakeDeps(null).deps)).rejects.toThrow(
      new UserError(
        'The address allowed to connect (your public IP as a.b.c.d/32) is required under --yes: ' +
          'set [DWH] DWH_ALLOWED_CIDR in dwh.cfg to your public IP as a.b.c.d/32',
      ),
    );
    expect(aws.iam.commandCalls(CreateRoleCommand)).toHaveLength(0);
    expect(aws.redshift.commandCalls(CreateClusterCommand)).toHaveLength(0);
    await t.cleanup();
  });

  test('a failed IP lookup asks for the address; 0.0.0.0/0 needs an explicit yes', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: [...ACCEPT_DEFAULTS.slice(0, 7), '0.0.0.0/0', false],
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    aws.redshift.on(DescribeClustersCommand).rejects(notFound());
    await expect(runClusterCreate(t.ctx, fakeDeps(null).deps)).rejects.toThrow(
      'stopped before opening the cluster to the whole internet: ' +
        'set [DWH] DWH_ALLOWED_CIDR to your own address (a.b.c.d/32)',
    );
    expect(t.ui.of('warn')).toEqual([
      '⚠ Could not find your public IP address (offline, or the lookup was blocked).',
      "⚠ 0.0.0.0/0 opens the cluster's port to the whole internet: anyone can try passwords against it.",
    ]);
    expect(aws.ec2.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
    await t.cleanup();
  });

  test('edited inputs are validated at the prompt and written to [DWH]', async () => {
    const t = await makeTestContext({
      config: configText(),
      answers: ['Bad_Name', 'sparkify-2', 'ra3.xlplus', '2', undefined, undefined, undefined, undefined, '0', true],
      aws: aws.clients,
      clock: fakeClock(),
    });
    mockFreshNetworkAndRole(aws);
    const two = (status: string) =>
      cluster(status, { ClusterIdentifier: 'sparkify-2', NodeType: 'ra3.xlplus', NumberOfNodes: 2 });
    aws.redshift
      .on(DescribeClustersCommand)
      .rejectsOnce(notFound())
      .resolves({ Clusters: [two('available')] });
    aws.redshift.on(CreateClusterCommand).resolves({ Cluster: two('creating') });
    await runClusterCreate(t.ctx, fakeDeps().deps);
    expect(t.prompts.asked[0]!.rejected).toEqual([
      '"Bad_Name" is not a valid cluster identifier: use only lowercase letters, digits and hyphens',
    ]);
    const input = aws.redshift.commandCalls(CreateClusterCommand)[0]!.args[0].input;
    expect([input.ClusterType, input.NumberOfNodes, input.NodeType]).toEqual(['multi-node', 2, 'ra3.xlplus']);
    const text = await readFile(t.configPath, 'utf8');
    expect(text).toContain('DWH_CLUSTER_TYPE = multi-node\nDWH_NUM_NODES = 2\n');
    expect(text).toContain('DWH_NODE_TYPE = ra3.xlplus\n');
    expect(text).toContain('DWH_CLUSTER_IDENTIFIER = sparkify-2\n');
    expect(t.ui.tables[0]!.rows).toContainEqual(['Estimated cost', '$2.17 per hour, $52.13 per day']);
    await t.cleanup();
  });
});
