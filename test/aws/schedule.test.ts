/**
 * The cost guard's automatic pause: the scheduler role (trusting only the Redshift scheduler,
 * allowed to pause only this cluster, tagged), the one-time PauseCluster action N hours after
 * creation, the waits for a new role to become usable, and teardown removing both.
 */
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateScheduledActionCommand,
  DeleteScheduledActionCommand,
  DescribeScheduledActionsCommand,
  InvalidScheduledActionFault,
  InvalidScheduleFault,
  ScheduledActionNotFoundFault,
  type ScheduledAction,
} from '@aws-sdk/client-redshift';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  accountOfArn,
  checkPauseHours,
  clusterArn,
  ensurePauseSchedule,
  executeScheduleTeardown,
  pauseActionName,
  pauseSchedule,
  planScheduleTeardown,
  schedulerRoleName,
} from '../../src/aws/schedule.js';
import { ACCOUNT, fakeClock, mockAws, REGION, TAGS } from './fakes.js';

const SCHEDULER_ROLE = 'sparkify-dwh-pause-dwhcluster';
const SCHEDULER_ARN = `arn:aws:iam::${ACCOUNT}:role/${SCHEDULER_ROLE}`;
const CREATED_AT = Date.UTC(2025, 0, 2, 1, 4, 5);

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const noRole = () =>
  new NoSuchEntityException({ message: `The role with name ${SCHEDULER_ROLE} cannot be found.`, $metadata: {} });
const noAction = () => new ScheduledActionNotFoundFault({ message: 'Scheduled action not found.', $metadata: {} });
const role = (tags = TAGS) => ({
  Role: {
    RoleName: SCHEDULER_ROLE,
    Arn: SCHEDULER_ARN,
    Path: '/',
    RoleId: 'AROASCHEDULER',
    CreateDate: new Date(),
    Tags: tags,
  },
});
const action = (extra: Partial<ScheduledAction> = {}): ScheduledAction => ({
  ScheduledActionName: 'dwhcluster-sparkify-dwh-pause',
  TargetAction: { PauseCluster: { ClusterIdentifier: 'dwhcluster' } },
  Schedule: 'at(2025-01-02T05:04:05)',
  IamRole: SCHEDULER_ARN,
  ScheduledActionDescription: 'sparkify-dwh: pause dwhcluster 4 h after it was created (cost guard)',
  State: 'ACTIVE',
  NextInvocations: [new Date(Date.UTC(2025, 0, 2, 5, 4, 5))],
  ...extra,
});

const request = (extra: Partial<Parameters<typeof ensurePauseSchedule>[1]> = {}) => ({
  clusterIdentifier: 'dwhcluster',
  hours: 4,
  fromMs: CREATED_AT,
  region: REGION,
  clock: fakeClock(),
  signal: new AbortController().signal,
  ...extra,
});

describe('names, times and policies', () => {
  test('the action and the role are named after the cluster; the role name stays within 64 characters', () => {
    expect(pauseActionName('dwhcluster')).toBe('dwhcluster-sparkify-dwh-pause');
    expect(schedulerRoleName('dwhcluster')).toBe(SCHEDULER_ROLE);
    const long = `a${'b'.repeat(62)}`;
    const other = `a${'b'.repeat(61)}c`;
    expect(schedulerRoleName(long)).toHaveLength(64);
    expect(schedulerRoleName(long)).toMatch(/^sparkify-dwh-pause-ab+-[0-9a-f]{8}$/);
    expect(schedulerRoleName(long)).not.toBe(schedulerRoleName(other));
  });

  test('at(…) is N hours after creation, in UTC, to the second', () => {
    expect(pauseSchedule(CREATED_AT, 4)).toEqual({
      expression: 'at(2025-01-02T05:04:05)',
      at: new Date(Date.UTC(2025, 0, 2, 5, 4, 5)),
    });
    expect(pauseSchedule(CREATED_AT, 24).expression).toBe('at(2025-01-03T01:04:05)');
  });

  test('whole hours from 1 to a week', () => {
    expect(checkPauseHours(1)).toBe(true);
    expect(checkPauseHours(168)).toBe(true);
    for (const bad of [0, 0.5, 169, -2, Number.NaN]) {
      expect(checkPauseHours(bad)).toBe(
        `${String(bad)} is not a pause delay the wizard offers: use whole hours from 1 to 168`,
      );
    }
  });

  test('ARNs follow the partition; the account comes from the role ARN', () => {
    expect(clusterArn('us-west-2', ACCOUNT, 'dwhcluster')).toBe(
      `arn:aws:redshift:us-west-2:${ACCOUNT}:cluster:dwhcluster`,
    );
    expect(clusterArn('cn-north-1', ACCOUNT, 'dwhcluster')).toBe(
      `arn:aws-cn:redshift:cn-north-1:${ACCOUNT}:cluster:dwhcluster`,
    );
    expect(accountOfArn(SCHEDULER_ARN)).toBe(ACCOUNT);
    expect(accountOfArn('not-an-arn')).toBeUndefined();
  });
});

describe('ensurePauseSchedule', () => {
  test('makes the role (trusting only the scheduler, pausing only this cluster, tagged), then the action', async () => {
    aws.redshift.on(DescribeScheduledActionsCommand).rejects(noAction());
    aws.iam.on(GetRoleCommand).rejects(noRole());
    aws.iam.on(CreateRoleCommand).resolves(role());
    aws.redshift.on(CreateScheduledActionCommand).resolves(action());
    const outcome = await ensurePauseSchedule(aws.clients, request());
    expect(outcome).toEqual({
      kind: 'created',
      name: 'dwhcluster-sparkify-dwh-pause',
      schedule: 'at(2025-01-02T05:04:05)',
      at: new Date(Date.UTC(2025, 0, 2, 5, 4, 5)),
      role: { kind: 'created', roleName: SCHEDULER_ROLE, arn: SCHEDULER_ARN },
    });
    const created = aws.iam.commandCalls(CreateRoleCommand)[0]!.args[0].input;
    expect(created.Tags).toEqual(TAGS);
    expect(JSON.parse(created.AssumeRolePolicyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'scheduler.redshift.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    const policy = aws.iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input;
    expect(policy.RoleName).toBe(SCHEDULER_ROLE);
    expect(JSON.parse(policy.PolicyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PauseThisCluster',
          Effect: 'Allow',
          Action: 'redshift:PauseCluster',
          Resource: `arn:aws:redshift:us-west-2:${ACCOUNT}:cluster:dwhcluster`,
        },
      ],
    });
    expect(aws.redshift.commandCalls(CreateScheduledActionCommand)[0]!.args[0].input).toEqual({
      ScheduledActionName: 'dwhcluster-sparkify-dwh-pause',
      TargetAction: { PauseCluster: { ClusterIdentifier: 'dwhcluster' } },
      Schedule: 'at(2025-01-02T05:04:05)',
      IamRole: SCHEDULER_ARN,
      ScheduledActionDescription: 'sparkify-dwh: pause dwhcluster 4 h after it was created (cost guard)',
      Enable: true,
    });
  });

  test('an earlier pause of ours is replaced: the latest choice wins', async () => {
    aws.redshift.on(DescribeScheduledActionsCommand).resolves({ ScheduledActions: [action({ NextInvocations: [] })] });
    aws.iam.on(GetRoleCommand).resolves(role());
    aws.redshift.on(DeleteScheduledActionCommand).resolves({});
    aws.redshift.on(CreateScheduledActionCommand).resolves(action());
    const outcome = await ensurePauseSchedule(aws.clients, request({ hours: 8, fromMs: Date.UTC(2025, 0, 5) }));
    expect(outcome).toMatchObject({ kind: 'replaced', schedule: 'at(2025-01-05T08:00:00)', role: { kind: 'reused' } });
    expect(aws.redshift.commandCalls(DeleteScheduledActionCommand)[0]!.args[0].input).toEqual({
      ScheduledActionName: 'dwhcluster-sparkify-dwh-pause',
    });
    expect(aws.iam.commandCalls(CreateRoleCommand)).toHaveLength(0);
  });

  test('an action or a role of those names that the wizard did not make is left alone', async () => {
    aws.redshift
      .on(DescribeScheduledActionsCommand)
      .resolvesOnce({ ScheduledActions: [action({ ScheduledActionDescription: 'nightly pause by ops' })] })
      .rejects(noAction());
    expect(await ensurePauseSchedule(aws.clients, request())).toEqual({
      kind: 'not-ours',
      what: 'action',
      name: 'dwhcluster-sparkify-dwh-pause',
    });
    aws.iam.on(GetRoleCommand).resolves(role([{ Key: 'team', Value: 'ops' }]));
    expect(await ensurePauseSchedule(aws.clients, request())).toEqual({
      kind: 'not-ours',
      what: 'role',
      name: SCHEDULER_ROLE,
    });
    expect(aws.iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(aws.redshift.commandCalls(CreateScheduledActionCommand)).toHaveLength(0);
    expect(aws.redshift.commandCalls(DeleteScheduledActionCommand)).toHaveLength(0);
  });

  test('a role made seconds ago that the scheduler cannot assume yet is retried until it can', async () => {
    aws.redshift.on(DescribeScheduledActionsCommand).rejects(noAction());
    aws.iam.on(GetRoleCommand).rejects(noRole());
    aws.iam.on(CreateRoleCommand).resolves(role());
    const notYet = () =>
      new InvalidScheduledActionFault({
        message: `The IAM role ${SCHEDULER_ARN} could not be assumed by the Amazon Redshift scheduler.`,
        $metadata: {},
      });
    aws.redshift.on(CreateScheduledActionCommand).rejectsOnce(notYet()).rejectsOnce(notYet()).resolves(action());
    const clock = fakeClock();
    const outcome = await ensurePauseSchedule(aws.clients, request({ clock }));
    expect(outcome.kind).toBe('created');
    expect(aws.redshift.commandCalls(CreateScheduledActionCommand)).toHaveLength(3);
    expect(clock.sleeps).toEqual([5000, 5000]);
  });

  test('other refusals are not retried: one line, the action named', async () => {
    aws.redshift.on(DescribeScheduledActionsCommand).rejects(noAction());
    aws.iam.on(GetRoleCommand).resolves(role());
    aws.redshift
      .on(CreateScheduledActionCommand)
      .rejects(new InvalidScheduleFault({ message: 'The schedule time is in the past.', $metadata: {} }));
    await expect(ensurePauseSchedule(aws.clients, request())).rejects.toThrow(
      'AWS failed while scheduling the pause of cluster dwhcluster ' +
        '(InvalidScheduleFault: The schedule time is in the past.)',
    );
    expect(aws.redshift.commandCalls(CreateScheduledActionCommand)).toHaveLength(1);
  });

  test('a bad delay is refused before any call', async () => {
    await expect(ensurePauseSchedule(aws.clients, request({ hours: 0 }))).rejects.toThrow(
      '0 is not a pause delay the wizard offers',
    );
    expect(aws.redshift.calls()).toHaveLength(0);
    expect(aws.iam.calls()).toHaveLength(0);
  });
});

describe('teardown of the pause', () => {
  test("deletes the wizard's action, then its role (the role's policy first)", async () => {
    aws.redshift.on(DescribeScheduledActionsCommand).resolves({ ScheduledActions: [action()] });
    aws.iam.on(GetRoleCommand).resolves(role());
    aws.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['sparkify-dwh-pause-cluster'], IsTruncated: false });
    aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
    aws.redshift.on(DeleteScheduledActionCommand).resolves({});
    aws.iam.on(DeleteRolePolicyCommand).resolves({});
    aws.iam.on(DeleteRoleCommand).resolves({});
    const plan = await planScheduleTeardown(aws.clients, 'dwhcluster', REGION);
    expect(plan).toMatchObject({ action: { ours: true }, role: { ours: true } });
    expect(await executeScheduleTeardown(aws.clients, plan, REGION)).toEqual({ action: 'deleted', role: 'deleted' });
    expect(aws.iam.commandCalls(DeleteRolePolicyCommand)[0]!.args[0].input).toEqual({
      RoleName: SCHEDULER_ROLE,
      PolicyName: 'sparkify-dwh-pause-cluster',
    });
    expect(aws.iam.commandCalls(DeleteRoleCommand)[0]!.args[0].input).toEqual({ RoleName: SCHEDULER_ROLE });
  });

  test('nothing scheduled: nothing to delete; not ours: not deleted', async () => {
    aws.redshift
      .on(DescribeScheduledActionsCommand)
      .resolvesOnce({ ScheduledActions: [] })
      .resolves({ ScheduledActions: [action({ ScheduledActionDescription: 'ops' })] });
    aws.iam
      .on(GetRoleCommand)
      .rejectsOnce(noRole())
      .resolves(role([{ Key: 'created-by', Value: 'sparkify-dwh' }]));
    const empty = await planScheduleTeardown(aws.clients, 'dwhcluster', REGION);
    expect(await executeScheduleTeardown(aws.clients, empty, REGION)).toEqual({ action: 'absent', role: 'absent' });
    const foreign = await planScheduleTeardown(aws.clients, 'dwhcluster', REGION);
    // The role says created-by but not for which cluster: not provably ours.
    expect(foreign).toMatchObject({ action: { ours: false }, role: { ours: false } });
    expect(await executeScheduleTeardown(aws.clients, foreign, REGION)).toEqual({
      action: 'not-ours',
      role: 'not-ours',
    });
    expect(aws.redshift.commandCalls(DeleteScheduledActionCommand)).toHaveLength(0);
    expect(aws.iam.commandCalls(DeleteRoleCommand)).toHaveLength(0);
  });
});
