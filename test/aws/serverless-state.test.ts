/**
 * Waiting on a namespace and a workgroup: the pure checks (SDK waiter style) for every status the
 * API knows, and the wait that runs them under the poller with a fake clock.
 */
import { GetNamespaceCommand, GetWorkgroupCommand } from '@aws-sdk/client-redshift-serverless';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { NamespaceInfo, WorkgroupInfo } from '../../src/aws/serverless.js';
import {
  checkNamespaceState,
  checkServerlessState,
  checkWorkgroupState,
  waitForServerless,
} from '../../src/aws/serverless-state.js';
import { fakeClock, mockAws, REGION } from './fakes.js';
import { namespace, notFound, workgroup, WORKGROUP_ENDPOINT } from './serverless-fakes.js';

const ns = (status: string): NamespaceInfo => ({
  name: 'dwhcluster',
  arn: undefined,
  status,
  dbName: 'dwh',
  adminUsername: 'dwhuser',
  adminPasswordSecretArn: undefined,
  defaultIamRoleArn: undefined,
  iamRoleArns: [],
  createdAt: undefined,
});

const wg = (status: string, withEndpoint = status === 'AVAILABLE'): WorkgroupInfo => ({
  name: 'dwhcluster',
  arn: undefined,
  namespaceName: 'dwhcluster',
  status,
  baseCapacity: 8,
  endpoint: withEndpoint ? { address: WORKGROUP_ENDPOINT, port: 5439 } : undefined,
  port: 5439,
  publiclyAccessible: false,
  createdAt: undefined,
});

describe('checkNamespaceState', () => {
  test.each([
    ['AVAILABLE', 'SUCCESS'],
    ['MODIFYING', 'RETRY'],
    ['DELETING', 'FAILURE'],
  ])('waiting for available: %s is %s', (status, state) => {
    expect(checkNamespaceState(ns(status), 'available').state).toBe(state);
  });

  test('waiting for available, a namespace that vanished fails; waiting for gone, that is success', () => {
    expect(checkNamespaceState(undefined, 'available')).toEqual({
      state: 'FAILURE',
      reason: 'vanished',
      status: undefined,
    });
    expect(checkNamespaceState(undefined, 'gone')).toEqual({ state: 'SUCCESS', namespace: undefined });
    expect(checkNamespaceState(ns('DELETING'), 'gone')).toEqual({ state: 'RETRY', status: 'DELETING' });
    expect(checkNamespaceState(ns('AVAILABLE'), 'gone')).toEqual({ state: 'RETRY', status: 'AVAILABLE' });
  });
});

describe('checkWorkgroupState', () => {
  test.each([
    ['CREATING', 'RETRY'],
    ['AVAILABLE', 'SUCCESS'],
    ['MODIFYING', 'RETRY'],
    ['DELETING', 'FAILURE'],
  ])('waiting for available: %s is %s', (status, state) => {
    expect(checkWorkgroupState(wg(status), 'available').state).toBe(state);
  });

  test('AVAILABLE without an endpoint address yet is not done: HOST is what we write back', () => {
    expect(checkWorkgroupState(wg('AVAILABLE', false), 'available')).toEqual({ state: 'RETRY', status: 'AVAILABLE' });
  });

  test('waiting for gone: deleting retries, absent succeeds', () => {
    expect(checkWorkgroupState(wg('DELETING'), 'gone').state).toBe('RETRY');
    expect(checkWorkgroupState(undefined, 'gone').state).toBe('SUCCESS');
    expect(checkWorkgroupState(undefined, 'available')).toMatchObject({ state: 'FAILURE', reason: 'vanished' });
  });
});

describe('checkServerlessState', () => {
  test('succeeds only when both are available', () => {
    expect(checkServerlessState(ns('AVAILABLE'), wg('AVAILABLE')).state).toBe('SUCCESS');
    expect(checkServerlessState(ns('AVAILABLE'), wg('CREATING'))).toEqual({
      state: 'RETRY',
      namespaceStatus: 'AVAILABLE',
      workgroupStatus: 'CREATING',
    });
    expect(checkServerlessState(ns('MODIFYING'), wg('AVAILABLE')).state).toBe('RETRY');
  });

  test("says which one cannot become available, the namespace's verdict first", () => {
    expect(checkServerlessState(ns('DELETING'), wg('DELETING'))).toEqual({
      state: 'FAILURE',
      which: 'namespace',
      reason: 'being-deleted',
      status: 'DELETING',
    });
    expect(checkServerlessState(ns('AVAILABLE'), undefined)).toEqual({
      state: 'FAILURE',
      which: 'workgroup',
      reason: 'vanished',
      status: undefined,
    });
  });
});

describe('waitForServerless', () => {
  let aws: ReturnType<typeof mockAws>;
  beforeEach(() => {
    aws = mockAws();
  });
  afterEach(() => aws.restore());

  test('polls both until the workgroup has its endpoint, ticking progress every second', async () => {
    aws.serverless.on(GetNamespaceCommand).resolves({ namespace: namespace('AVAILABLE') });
    aws.serverless
      .on(GetWorkgroupCommand)
      .resolvesOnce({ workgroup: workgroup('CREATING') })
      .resolvesOnce({ workgroup: workgroup('CREATING') })
      .resolves({ workgroup: workgroup('AVAILABLE') });
    const clock = fakeClock();
    const statuses: string[] = [];
    const result = await waitForServerless(aws.clients.redshiftServerless, 'dwhcluster', REGION, {
      clock,
      signal: new AbortController().signal,
      intervalMs: 15_000,
      timeoutMs: 600_000,
      onProgress: (progress) => statuses.push(progress.last.workgroupStatus),
    });
    expect(result.state).toBe('SUCCESS');
    if (result.state === 'SUCCESS') expect(result.workgroup.endpoint?.address).toBe(WORKGROUP_ENDPOINT);
    expect(result.elapsedMs).toBe(30_000);
    expect(clock.sleeps).toEqual(Array(30).fill(1000));
    expect(new Set(statuses)).toEqual(new Set(['CREATING']));
  });

  test('stops with TIMEOUT when it takes too long, and with ABORTED on Ctrl-C', async () => {
    aws.serverless.on(GetNamespaceCommand).resolves({ namespace: namespace('AVAILABLE') });
    aws.serverless.on(GetWorkgroupCommand).resolves({ workgroup: workgroup('CREATING') });
    const options = { intervalMs: 15_000, timeoutMs: 30_000 };
    const timedOut = await waitForServerless(aws.clients.redshiftServerless, 'dwhcluster', REGION, {
      ...options,
      clock: fakeClock(),
      signal: new AbortController().signal,
    });
    expect(timedOut).toMatchObject({ state: 'TIMEOUT', last: { workgroupStatus: 'CREATING' } });

    const controller = new AbortController();
    const clock = fakeClock();
    clock.onSleep = (count) => {
      if (count === 3) controller.abort();
    };
    const aborted = await waitForServerless(aws.clients.redshiftServerless, 'dwhcluster', REGION, {
      ...options,
      clock,
      signal: controller.signal,
    });
    expect(aborted.state).toBe('ABORTED');
  });

  test('a namespace deleted meanwhile ends the wait with FAILURE', async () => {
    aws.serverless.on(GetNamespaceCommand).rejects(notFound('Namespace dwhcluster'));
    aws.serverless.on(GetWorkgroupCommand).rejects(notFound('Workgroup dwhcluster'));
    const result = await waitForServerless(aws.clients.redshiftServerless, 'dwhcluster', REGION, {
      clock: fakeClock(),
      signal: new AbortController().signal,
      intervalMs: 15_000,
      timeoutMs: 600_000,
    });
    expect(result).toMatchObject({ state: 'FAILURE', which: 'namespace', reason: 'vanished' });
  });
});
