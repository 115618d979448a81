/**
 * How long the cluster has run and what it has cost: paused time left out of compute (the wizard
 * tags its own cluster when it pauses and resumes it), managed storage counted when it can be
 * measured, a warning past the cost guard's threshold, and the one line the menu header shows.
 */
import {
  CreateTagsCommand,
  DescribeClustersCommand,
  PauseClusterCommand,
  ResumeClusterCommand,
} from '@aws-sdk/client-redshift';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { PAUSED_MS_TAG, PAUSED_SINCE_TAG, RESUMED_AT_TAG } from '../../src/aws/cluster-cost.js';
import { clusterCostHeader } from '../../src/steps/cluster-cost.js';
import { runClusterPause, runClusterResume, runClusterStatus } from '../../src/steps/cluster.js';
import { storedMegabytesSql } from '../../src/sql/storage.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { makeTestContext } from '../support/context.js';
import { ACCOUNT, cluster, configText, ENDPOINT, fakeClock, mockAws, REGION, setKey, TAGS } from '../aws/fakes.js';
import { notFound } from './cluster-fakes.js';

let aws: ReturnType<typeof mockAws>;
beforeEach(() => {
  aws = mockAws();
});
afterEach(() => aws.restore());

const HOUR = 3_600_000;
const CLUSTER_ARN = `arn:aws:redshift:${REGION}:${ACCOUNT}:cluster:dwhcluster`;
/** The fake clock's start; fakes.cluster() was created 2 hours before it. */
const NOW = Date.UTC(2025, 0, 2, 3, 4, 5);

describe('pause and resume are recorded on the cluster', () => {
  test('pause tags when the pause began; resume adds the pause to the total and notes when it ended', async () => {
    const clock = fakeClock();
    const t = await makeTestContext({ config: configText(), aws: aws.clients, clock });
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .resolves({ Clusters: [cluster('paused')] });
    aws.redshift.on(PauseClusterCommand).resolves({ Cluster: cluster('pausing') });
    aws.redshift.on(CreateTagsCommand).resolves({});
    await runClusterPause(t.ctx, { pollIntervalMs: 5000 });
    expect(aws.redshift.commandCalls(CreateTagsCommand)[0]!.args[0].input).toEqual({
      ResourceName: CLUSTER_ARN,
      Tags: [{ Key: PAUSED_SINCE_TAG, Value: String(NOW) }],
    });

    aws.redshift.reset();
    const pausedAt = NOW - HOUR;
    const paused = cluster('paused', { Tags: [...TAGS, { Key: PAUSED_SINCE_TAG, Value: String(pausedAt) }] });
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [paused] })
      .resolves({ Clusters: [cluster('available')] });
    aws.redshift.on(ResumeClusterCommand).resolves({ Cluster: cluster('resuming') });
    aws.redshift.on(CreateTagsCommand).resolves({});
    const resumedAt = clock.now();
    await runClusterResume(t.ctx, { pollIntervalMs: 5000 });
    expect(aws.redshift.commandCalls(CreateTagsCommand)[0]!.args[0].input).toEqual({
      ResourceName: CLUSTER_ARN,
      Tags: [
        { Key: PAUSED_SINCE_TAG, Value: '' },
        { Key: PAUSED_MS_TAG, Value: String(resumedAt - pausedAt) },
        { Key: RESUMED_AT_TAG, Value: String(resumedAt) },
      ],
    });
    await t.cleanup();
  });

  test("a cluster someone else made is never tagged; a tagging failure is not the pause's failure", async () => {
    const t = await makeTestContext({ config: configText(), aws: aws.clients, clock: fakeClock() });
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster('available', { Tags: [] })] })
      .resolves({ Clusters: [cluster('paused', { Tags: [] })] });
    aws.redshift.on(PauseClusterCommand).resolves({ Cluster: cluster('pausing', { Tags: [] }) });
    expect((await runClusterPause(t.ctx, { pollIntervalMs: 5000 })).ok).toBe(true);
    expect(aws.redshift.commandCalls(CreateTagsCommand)).toHaveLength(0);

    aws.redshift.reset();
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .resolves({ Clusters: [cluster('paused')] });
    aws.redshift.on(PauseClusterCommand).resolves({ Cluster: cluster('pausing') });
    aws.redshift.on(CreateTagsCommand).rejects(new Error('tagging is down'));
    expect((await runClusterPause(t.ctx, { pollIntervalMs: 5000 })).ok).toBe(true);
    await t.cleanup();
  });
});

describe('cluster status', () => {
  test('a paused cluster: compute only for the time it ran, storage only from now on', async () => {
    const t = await makeTestContext({ config: configText(), aws: aws.clients, clock: fakeClock() });
    // Created 2 h ago, paused for the last hour.
    const paused = cluster('paused', { Tags: [...TAGS, { Key: PAUSED_SINCE_TAG, Value: String(NOW - HOUR) }] });
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [paused] });
    const result = await runClusterStatus(t.ctx);
    expect(t.ui.tables[0]!.rows).toContainEqual(['Running', 'no: paused (compute is not billed)']);
    // One ra3.large node-hour (0.543), not two.
    expect(t.ui.tables[0]!.rows).toContainEqual([
      'Cost so far',
      '~$0.54 ($0.54 compute + managed storage (size not measured); on-demand estimate)',
    ]);
    expect(t.ui.tables[0]!.rows).toContainEqual(['Cost now', 'managed storage only, while paused']);
    expect(result.summary).toBe('cluster dwhcluster paused, ~$0.54 so far; only storage is billed while paused');
    await t.cleanup();
  });

  test('running past the cost guard (4 h) warns, with how long and how much', async () => {
    const t = await makeTestContext({ config: configText(), aws: aws.clients, clock: fakeClock() });
    const old = cluster('available', { ClusterCreateTime: new Date(NOW - 6 * HOUR) });
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [old] });
    await runClusterStatus(t.ctx);
    expect(t.ui.of('warn')).toContain(
      '⚠ Cluster dwhcluster has been running for 6 h 00 min and has cost ~$3.26 so far: pause it ' +
        '(`sparkify-dwh cluster pause`) or delete it (`sparkify-dwh teardown`) when you are done.',
    );
    await t.cleanup();
  });

  test('managed storage is measured on the cluster when dwh.cfg points at it', async () => {
    const config = setKey(configText(), 'CLUSTER.HOST', ENDPOINT);
    const asked: string[] = [];
    const warehouse = {
      target: 'redshift',
      dialect: 'redshift',
      description: 'redshift://dwhuser@test',
      query: (sql: string) => {
        asked.push(sql);
        return Promise.resolve({ rows: [{ megabytes: '20480' }], fields: ['megabytes'], rowCount: 1 });
      },
      close: () => Promise.resolve(),
    } as unknown as Warehouse; // only query is used
    const t = await makeTestContext({ config, aws: aws.clients, clock: fakeClock(), warehouse });
    aws.redshift.on(DescribeClustersCommand).resolves({ Clusters: [cluster('available')] });
    await runClusterStatus(t.ctx);
    expect(asked).toEqual([storedMegabytesSql()]);
    // 20 GB for 2 hours at $0.024 per GB-month (730 h): well under a cent, shown as such.
    expect(t.ui.tables[0]!.rows).toContainEqual([
      'Cost so far',
      '~$1.09 ($1.09 compute + < $0.01 managed storage for 20.00 GB; on-demand estimate)',
    ]);
    await t.cleanup();
  });
});

describe('the menu header', () => {
  test('one line with run time and cost, a warning past the guard, nothing without a cluster', async () => {
    const t = await makeTestContext({ config: configText(), aws: aws.clients, clock: fakeClock() });
    aws.redshift
      .on(DescribeClustersCommand)
      .resolvesOnce({ Clusters: [cluster('available')] })
      .resolvesOnce({ Clusters: [cluster('available', { ClusterCreateTime: new Date(NOW - 5 * HOUR) })] })
      .rejects(notFound());
    expect(await clusterCostHeader(t.ctx)).toEqual({
      text: 'Cluster dwhcluster: running for 2 h 00 min, ~$1.09 so far',
      warn: false,
    });
    expect(await clusterCostHeader(t.ctx)).toMatchObject({ warn: true });
    expect(await clusterCostHeader(t.ctx)).toBeUndefined();
    await t.cleanup();
  });
});
