/**
 * Serverless teardown: the plan marks what the wizard made for this identifier, and execution
 * deletes the workgroup, waits until it is gone, then deletes the namespace (with the final
 * snapshot when asked), retrying while the namespace is still busy; what is not ours stays.
 */
import {
  DeleteNamespaceCommand,
  DeleteWorkgroupCommand,
  GetNamespaceCommand,
  GetWorkgroupCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-redshift-serverless';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { executeServerlessTeardown, planServerlessTeardown } from '../../src/aws/serverless-teardown.js';
import { fakeClock, mockAws, REGION } from './fakes.js';
import {
  conflict,
  namespace,
  NAMESPACE_ARN,
  notFound,
  SERVERLESS_TAGS,
  workgroup,
  WORKGROUP_ARN,
} from './serverless-fakes.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const waits = () => ({
  clock: fakeClock(),
  signal: new AbortController().signal,
  intervalMs: 10_000,
  timeoutMs: 600_000,
});

describe('planServerlessTeardown', () => {
  test('finds the workgroup and the namespace and marks each ours or not by its tags', async () => {
    aws.serverless.on(GetWorkgroupCommand).resolves({ workgroup: workgroup('AVAILABLE') });
    aws.serverless.on(GetNamespaceCommand).resolves({ namespace: namespace('AVAILABLE') });
    aws.serverless.on(ListTagsForResourceCommand, { resourceArn: WORKGROUP_ARN }).resolves({ tags: SERVERLESS_TAGS });
    aws.serverless
      .on(ListTagsForResourceCommand, { resourceArn: NAMESPACE_ARN })
      .resolves({ tags: [{ key: 'team', value: 'data' }] });
    const plan = await planServerlessTeardown(aws.clients.redshiftServerless, 'dwhcluster', REGION);
    expect(plan.workgroup).toMatchObject({ name: 'dwhcluster', ours: true });
    expect(plan.namespace).toMatchObject({ name: 'dwhcluster', ours: false });
    expect(plan.namespaceBlockedBy).toBeUndefined();
  });

  test('our namespace served by a workgroup someone else made is blocked by it', async () => {
    aws.serverless.on(GetWorkgroupCommand).resolves({ workgroup: workgroup('AVAILABLE') });
    aws.serverless.on(GetNamespaceCommand).resolves({ namespace: namespace('AVAILABLE') });
    aws.serverless.on(ListTagsForResourceCommand, { resourceArn: WORKGROUP_ARN }).resolves({ tags: [] });
    aws.serverless.on(ListTagsForResourceCommand, { resourceArn: NAMESPACE_ARN }).resolves({ tags: SERVERLESS_TAGS });
    const plan = await planServerlessTeardown(aws.clients.redshiftServerless, 'dwhcluster', REGION);
    expect(plan.namespaceBlockedBy).toBe('dwhcluster');

    const result = await executeServerlessTeardown(aws.clients.redshiftServerless, plan, REGION, waits());
    expect(result).toEqual({ state: 'DONE', workgroup: 'not-ours', namespace: 'blocked', finalSnapshot: undefined });
    expect(aws.serverless.commandCalls(DeleteWorkgroupCommand)).toHaveLength(0);
    expect(aws.serverless.commandCalls(DeleteNamespaceCommand)).toHaveLength(0);
  });

  test('nothing there: an empty plan', async () => {
    aws.serverless.on(GetWorkgroupCommand).rejects(notFound('Workgroup dwhcluster'));
    aws.serverless.on(GetNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
    const plan = await planServerlessTeardown(aws.clients.redshiftServerless, 'dwhcluster', REGION);
    expect(plan).toEqual({
      identifier: 'dwhcluster',
      workgroup: undefined,
      namespace: undefined,
      namespaceBlockedBy: undefined,
    });
  });
});

describe('executeServerlessTeardown', () => {
  /** The plan for the wizard's own workgroup and namespace (then the mocks start afresh). */
  async function ourPlan() {
    aws.serverless.on(ListTagsForResourceCommand).resolves({ tags: SERVERLESS_TAGS });
    aws.serverless.on(GetWorkgroupCommand).resolves({ workgroup: workgroup('AVAILABLE') });
    aws.serverless.on(GetNamespaceCommand).resolves({ namespace: namespace('AVAILABLE') });
    const plan = await planServerlessTeardown(aws.clients.redshiftServerless, 'dwhcluster', REGION);
    expect(plan).toMatchObject({ workgroup: { ours: true }, namespace: { ours: true } });
    aws.serverless.reset();
    return plan;
  }

  test('a workgroup still being created is waited out: DeleteWorkgroup is asked again while it is busy', async () => {
    const plan = await ourPlan();
    aws.serverless
      .on(DeleteWorkgroupCommand)
      .rejectsOnce(conflict('There is an operation running on the workgroup. Try again later.'))
      .resolves({ workgroup: workgroup('DELETING') });
    aws.serverless.on(GetWorkgroupCommand).rejects(notFound('Workgroup dwhcluster'));
    aws.serverless.on(DeleteNamespaceCommand).resolves({ namespace: namespace('DELETING') });
    aws.serverless.on(GetNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
    const phases: string[] = [];
    const result = await executeServerlessTeardown(aws.clients.redshiftServerless, plan, REGION, {
      ...waits(),
      onProgress: (phase, progress) => phases.push(`${phase} ${progress.last.status}`),
    });
    expect(result).toEqual({ state: 'DONE', workgroup: 'deleted', namespace: 'deleted', finalSnapshot: undefined });
    expect(aws.serverless.commandCalls(DeleteWorkgroupCommand)).toHaveLength(2);
    expect(phases[0]).toBe('workgroup busy');
  });

  test('the workgroup first, waited out; then the namespace with its final snapshot, waited out', async () => {
    const plan = await ourPlan();
    const order: string[] = [];
    aws.serverless.on(DeleteWorkgroupCommand).callsFake(() => {
      order.push('DeleteWorkgroup');
      return { workgroup: workgroup('DELETING') };
    });
    aws.serverless
      .on(GetWorkgroupCommand)
      .callsFakeOnce(() => {
        order.push('GetWorkgroup DELETING');
        return { workgroup: workgroup('DELETING') };
      })
      .callsFake(() => {
        order.push('GetWorkgroup gone');
        throw notFound('Workgroup dwhcluster');
      });
    aws.serverless
      .on(DeleteNamespaceCommand)
      .callsFakeOnce(() => {
        order.push('DeleteNamespace busy');
        throw conflict('There is an operation running on the namespace. Try again later.');
      })
      .callsFake(() => {
        order.push('DeleteNamespace');
        return { namespace: namespace('DELETING') };
      });
    aws.serverless
      .on(GetNamespaceCommand)
      .resolvesOnce({ namespace: namespace('DELETING') })
      .rejects(notFound('Namespace dwhcluster'));

    const result = await executeServerlessTeardown(aws.clients.redshiftServerless, plan, REGION, {
      ...waits(),
      finalSnapshotName: 'dwhcluster-final-20250102-030405',
    });
    expect(result).toEqual({
      state: 'DONE',
      workgroup: 'deleted',
      namespace: 'deleted',
      finalSnapshot: 'dwhcluster-final-20250102-030405',
    });
    expect(order).toEqual([
      'DeleteWorkgroup',
      'GetWorkgroup DELETING',
      'GetWorkgroup gone',
      'DeleteNamespace busy',
      'DeleteNamespace',
    ]);
    expect(aws.serverless.commandCalls(DeleteNamespaceCommand).at(-1)!.args[0].input).toEqual({
      namespaceName: 'dwhcluster',
      finalSnapshotName: 'dwhcluster-final-20250102-030405',
    });
  });

  test('without a snapshot the request names none; a rerun after everything is gone is fine', async () => {
    const plan = await ourPlan();
    aws.serverless.on(DeleteWorkgroupCommand).rejects(notFound('Workgroup dwhcluster'));
    aws.serverless.on(DeleteNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
    const result = await executeServerlessTeardown(aws.clients.redshiftServerless, plan, REGION, waits());
    expect(result).toEqual({ state: 'DONE', workgroup: 'absent', namespace: 'absent', finalSnapshot: undefined });
    expect(aws.serverless.commandCalls(DeleteNamespaceCommand)[0]!.args[0].input).toEqual({
      namespaceName: 'dwhcluster',
    });
  });

  test('Ctrl-C while the workgroup is deleting stops before the namespace is touched', async () => {
    const plan = await ourPlan();
    aws.serverless.on(DeleteWorkgroupCommand).resolves({ workgroup: workgroup('DELETING') });
    aws.serverless.on(GetWorkgroupCommand).resolves({ workgroup: workgroup('DELETING') });
    const controller = new AbortController();
    const clock = fakeClock();
    clock.onSleep = (count) => {
      if (count === 2) controller.abort();
    };
    const result = await executeServerlessTeardown(aws.clients.redshiftServerless, plan, REGION, {
      ...waits(),
      clock,
      signal: controller.signal,
    });
    expect(result).toEqual({ state: 'ABORTED', phase: 'workgroup', workgroup: 'deleting' });
    expect(aws.serverless.commandCalls(DeleteNamespaceCommand)).toHaveLength(0);
  });
});
