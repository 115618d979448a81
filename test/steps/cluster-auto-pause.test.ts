/**
 * The cost guard in the commands: `cluster create` schedules the automatic pause N hours after the
 * cluster was created (DWH_PAUSE_AFTER_HOURS under --yes, or the answer at the prompt), and
 * `teardown` deletes the scheduled action and its role with the rest.
 */
import { DescribeSecurityGroupsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import {
  CreateClusterCommand,
  CreateScheduledActionCommand,
  DeleteScheduledActionCommand,
  DescribeClustersCommand,
  DescribeScheduledActionsCommand,
} from '@aws-sdk/client-redshift';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { runClusterCreate } from '../../src/steps/cluster-create.js';
import { runTeardown } from '../../src/steps/teardown.js';
import { ACCOUNT, cluster, configText, fakeClock, mockAws, TAGS } from '../aws/fakes.js';
import { makeTestContext } from '../support/context.js';
import { ACCEPT_DEFAULTS, fakeDeps, mockFreshNetworkAndRole, notFound } from './cluster-fakes.js';

const SCHEDULER_ROLE = 'sparkify-dwh-pause-dwhcluster';
const SCHEDULER_ARN = `arn:aws:iam::${ACCOUNT}:role/${SCHEDULER_ROLE}`;
const schedulerRole = () => ({
  Role: {
    RoleName: SCHEDULER_ROLE,
    Arn: SCHEDULER_ARN,
    Path: '/',
    RoleId: 'AROASCHED',
    CreateDate: new Date(),
    Tags: TAGS,
  },
});

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

function mockNewCluster(): void {
  mockFreshNetworkAndRole(aws);
  aws.iam.on(CreateRoleCommand, { RoleName: SCHEDULER_ROLE }).resolves(schedulerRole());
  aws.redshift
    .on(DescribeClustersCommand)
    .rejectsOnce(notFound())
    .resolves({ Clusters: [cluster('available')] });
  aws.redshift.on(CreateClusterCommand).resolves({ Cluster: cluster('creating') });
  aws.redshift.on(CreateScheduledActionCommand).resolves({});
}

test('under --yes, DWH_PAUSE_AFTER_HOURS schedules one PauseCluster that many hours after creation', async () => {
  mockNewCluster();
  const config = configText({ 'DWH.DWH_ALLOWED_CIDR': '198.51.100.4/32', 'DWH.DWH_PAUSE_AFTER_HOURS': '4' });
  const t = await makeTestContext({ config, yes: true, aws: aws.clients, clock: fakeClock() });
  try {
    expect((await runClusterCreate(t.ctx, fakeDeps().deps)).ok).toBe(true);
    // The cluster was created at 01:04:05 UTC (cluster() in fakes.ts): the pause runs at 05:04:05.
    expect(aws.redshift.commandCalls(CreateScheduledActionCommand)[0]!.args[0].input).toMatchObject({
      ScheduledActionName: 'dwhcluster-sparkify-dwh-pause',
      TargetAction: { PauseCluster: { ClusterIdentifier: 'dwhcluster' } },
      Schedule: 'at(2025-01-02T05:04:05)',
      IamRole: SCHEDULER_ARN,
    });
    expect(t.ui.tables[0]!.rows).toContainEqual([
      'Automatic pause',
      '4 h after creation (a Redshift scheduled action; storage is still billed while paused)',
    ]);
    expect(t.ui.text()).toContain('Cluster dwhcluster pauses automatically at 2025-01-02 05:04 UTC');
  } finally {
    await t.cleanup();
  }
});

test('at the prompt: hours typed are scheduled and written to DWH_PAUSE_AFTER_HOURS; 0 schedules nothing', async () => {
  mockNewCluster();
  const answers = [...ACCEPT_DEFAULTS.slice(0, 7), '6', true];
  const t = await makeTestContext({ config: configText(), answers, aws: aws.clients, clock: fakeClock() });
  try {
    expect((await runClusterCreate(t.ctx, fakeDeps().deps)).ok).toBe(true);
    expect(aws.redshift.commandCalls(CreateScheduledActionCommand)[0]!.args[0].input.Schedule).toBe(
      'at(2025-01-02T07:04:05)',
    );
    expect(await readFile(t.configPath, 'utf8')).toMatch(/^DWH_PAUSE_AFTER_HOURS = 6$/m);
  } finally {
    await t.cleanup();
  }
  aws.restore();
  aws = mockAws();
  mockNewCluster();
  const never = await makeTestContext({
    config: configText(),
    answers: ACCEPT_DEFAULTS,
    aws: aws.clients,
    clock: fakeClock(),
  });
  try {
    expect((await runClusterCreate(never.ctx, fakeDeps().deps)).ok).toBe(true);
    expect(aws.redshift.commandCalls(CreateScheduledActionCommand)).toHaveLength(0);
    expect(await readFile(never.configPath, 'utf8')).toMatch(/^DWH_PAUSE_AFTER_HOURS =$/m);
  } finally {
    await never.cleanup();
  }
});

test('teardown deletes the scheduled action and the scheduler role it made', async () => {
  aws.redshift.on(DescribeClustersCommand).rejects(notFound());
  aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
  aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  aws.redshift.on(DescribeScheduledActionsCommand).resolves({
    ScheduledActions: [
      {
        ScheduledActionName: 'dwhcluster-sparkify-dwh-pause',
        TargetAction: { PauseCluster: { ClusterIdentifier: 'dwhcluster' } },
        Schedule: 'at(2025-01-02T05:04:05)',
        IamRole: SCHEDULER_ARN,
        ScheduledActionDescription: 'sparkify-dwh: pause dwhcluster 4 h after it was created (cost guard)',
        State: 'ACTIVE',
      },
    ],
  });
  aws.redshift.on(DeleteScheduledActionCommand).resolves({});
  aws.iam.on(GetRoleCommand, { RoleName: SCHEDULER_ROLE }).resolves(schedulerRole());
  aws.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['sparkify-dwh-pause-cluster'], IsTruncated: false });
  aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
  aws.iam.on(DeleteRolePolicyCommand).resolves({});
  aws.iam.on(DeleteRoleCommand).resolves({});
  const t = await makeTestContext({ config: configText(), yes: true, aws: aws.clients, clock: fakeClock() });
  try {
    expect((await runTeardown(t.ctx)).ok, t.ui.text()).toBe(true);
    expect(aws.redshift.commandCalls(DeleteScheduledActionCommand)[0]!.args[0].input).toEqual({
      ScheduledActionName: 'dwhcluster-sparkify-dwh-pause',
    });
    expect(aws.iam.commandCalls(DeleteRoleCommand).map((call) => call.args[0].input.RoleName)).toEqual([
      SCHEDULER_ROLE,
    ]);
    expect(t.ui.text()).toContain('Scheduled action dwhcluster-sparkify-dwh-pause deleted');
  } finally {
    await t.cleanup();
  }
});
