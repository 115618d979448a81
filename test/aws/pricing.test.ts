import { describe, expect, test } from 'vitest';
import { PROVISIONABLE_NODE_TYPES } from '../../src/aws/limits.js';
import {
  costGuard,
  DEFAULT_COST_GUARD,
  estimateClusterCost,
  estimateCost,
  estimateCostSince,
  estimateServerlessCost,
  managedStorageUsdPerHour,
  NODE_TYPE_INFO,
  serverlessUsageCost,
} from '../../src/aws/pricing.js';
import { NODE_TYPES } from '../../src/config/validate.js';

const HOUR = 3_600_000;

describe('node prices', () => {
  test('every node type the validator accepts and every type AWS provisions has a price', () => {
    const priced = Object.keys(NODE_TYPE_INFO);
    for (const type of [...NODE_TYPES, ...PROVISIONABLE_NODE_TYPES]) expect(priced).toContain(type);
  });

  test('per hour and per day, exact region or lower bound', () => {
    expect(estimateCost('ra3.large', 1, 'us-west-2')).toEqual({
      usdPerHour: 0.543,
      usdPerDay: 13.032,
      exactRegion: true,
    });
    expect(estimateCost('dc2.large', 4, 'eu-west-1')).toEqual({ usdPerHour: 1, usdPerDay: 24, exactRegion: false });
    expect(estimateCost('x1.huge', 1, 'us-west-2')).toBeUndefined();
    expect(estimateCost('toString', 1, 'us-west-2')).toBeUndefined();
    expect(estimateCostSince('ra3.large', 2, 'us-east-1', 0, 30 * 60_000)).toBeCloseTo(0.543, 10);
    expect(estimateCostSince('x1.huge', 2, 'us-east-1', 0, HOUR)).toBeUndefined();
  });

  test('RG costs 30% less per vCPU than RA3, as AWS states', () => {
    const perVcpu = (type: keyof typeof NODE_TYPE_INFO) =>
      NODE_TYPE_INFO[type].usdPerNodeHour / NODE_TYPE_INFO[type].vcpu;
    for (const rg of ['rg.large', 'rg.xlarge', 'rg.4xlarge', 'rg.12xlarge'] as const) {
      expect(perVcpu(rg) / perVcpu('ra3.xlplus')).toBeCloseTo(0.7, 2);
    }
  });

  test('managed storage only for RA3 and RG; DC2 keeps its data on the nodes', () => {
    for (const type of PROVISIONABLE_NODE_TYPES) expect(NODE_TYPE_INFO[type].managedStorage).toBe(true);
    expect(NODE_TYPE_INFO['dc2.large'].managedStorage).toBe(false);
    expect(NODE_TYPE_INFO['dc2.8xlarge'].previousGeneration).toBe(true);
    expect(managedStorageUsdPerHour(730)).toBeCloseTo(0.024, 10);
    expect(managedStorageUsdPerHour(-5)).toBe(0);
  });
});

describe('cost since creation', () => {
  const base = { nodeType: 'ra3.large', nodes: 2, region: 'us-west-2', createdAtMs: 0 };

  test('never paused: compute for the whole time, running since creation', () => {
    const cost = estimateClusterCost({ ...base, nowMs: 10 * HOUR, status: 'available' })!;
    expect(cost.computeUsd).toBeCloseTo(0.543 * 2 * 10, 10);
    expect(cost.storageUsd).toBe(0);
    expect(cost.totalUsd).toBeCloseTo(cost.computeUsd, 10);
    expect(cost.runningHours).toBe(10);
    expect(cost.pausedHours).toBe(0);
    expect(cost.runningSinceMs).toBe(0);
    expect(cost.currentUsdPerHour).toBeCloseTo(1.086, 10);
    expect(cost.computeIsUpperBound).toBe(false);
    expect(cost.exactRegion).toBe(true);
  });

  test('paused time is not billed for compute; running restarts at the resume', () => {
    const cost = estimateClusterCost({
      ...base,
      nowMs: 10 * HOUR,
      paused: [{ fromMs: 2 * HOUR, toMs: 8 * HOUR }],
      status: 'available',
    })!;
    expect(cost.runningHours).toBe(4);
    expect(cost.pausedHours).toBe(6);
    expect(cost.computeUsd).toBeCloseTo(0.543 * 2 * 4, 10);
    expect(cost.runningSinceMs).toBe(8 * HOUR);
  });

  test('paused now: only storage accrues, and nothing is running', () => {
    const cost = estimateClusterCost({
      ...base,
      nowMs: 10 * HOUR,
      paused: [{ fromMs: 3 * HOUR }],
      status: 'paused',
      storedGb: 730,
    })!;
    expect(cost.runningHours).toBe(3);
    expect(cost.pausedHours).toBe(7);
    expect(cost.computeUsd).toBeCloseTo(0.543 * 2 * 3, 10);
    // Storage is billed for all 10 hours, paused or not: 730 GB × 0.024 / 730 h = 0.024 per hour.
    expect(cost.storageUsd).toBeCloseTo(0.24, 10);
    expect(cost.currentUsdPerHour).toBeCloseTo(0.024, 10);
    expect(cost.runningSinceMs).toBeUndefined();
    expect(cost.computeIsUpperBound).toBe(false);
  });

  test('paused with no known pause start: still storage only now, compute an upper bound', () => {
    const cost = estimateClusterCost({ ...base, nowMs: 5 * HOUR, status: 'paused', storedGb: 10 })!;
    expect(cost.computeUsd).toBeCloseTo(0.543 * 2 * 5, 10);
    expect(cost.computeIsUpperBound).toBe(true);
    expect(cost.currentUsdPerHour).toBeCloseTo(managedStorageUsdPerHour(10), 10);
    expect(cost.runningSinceMs).toBeUndefined();
  });

  test('overlapping, unsorted and out-of-lifetime pauses are merged and clipped', () => {
    const cost = estimateClusterCost({
      ...base,
      createdAtMs: 1 * HOUR,
      nowMs: 11 * HOUR,
      paused: [
        { fromMs: 6 * HOUR, toMs: 9 * HOUR },
        { fromMs: 0, toMs: 2 * HOUR }, // before creation: only 1 h counts
        { fromMs: 5 * HOUR, toMs: 7 * HOUR },
        { fromMs: 12 * HOUR, toMs: 13 * HOUR }, // after now: ignored
        { fromMs: 4 * HOUR, toMs: 4 * HOUR }, // empty
      ],
    })!;
    expect(cost.pausedHours).toBe(1 + 4);
    expect(cost.runningHours).toBe(10 - 5);
    expect(cost.runningSinceMs).toBe(9 * HOUR);
  });

  test('DC2 has no managed storage charge; other regions are a lower bound; unknown types none', () => {
    const dc2 = estimateClusterCost({
      ...base,
      nodeType: 'dc2.large',
      region: 'eu-west-1',
      nowMs: HOUR,
      storedGb: 100,
    })!;
    expect(dc2.storageUsd).toBe(0);
    expect(dc2.computeUsd).toBeCloseTo(0.5, 10);
    expect(dc2.exactRegion).toBe(false);
    expect(estimateClusterCost({ ...base, nodeType: 'x1.huge', nowMs: HOUR })).toBeUndefined();
  });

  test('a clock before creation costs nothing', () => {
    const cost = estimateClusterCost({ ...base, createdAtMs: 5 * HOUR, nowMs: 4 * HOUR })!;
    expect(cost.totalUsd).toBe(0);
    expect(cost.runningHours).toBe(0);
  });
});

describe('Serverless', () => {
  test('per RPU-hour at base capacity, with the note that idle time is free', () => {
    const estimate = estimateServerlessCost(8, 'us-east-1');
    expect(estimate.usdPerRpuHour).toBe(0.375);
    expect(estimate.usdPerHourAtBase).toBeCloseTo(3, 10);
    expect(estimate.exactRegion).toBe(true);
    expect(estimate.note).toContain('idle time is free');
    expect(estimate.note).toContain('60-second minimum');
    expect(estimateServerlessCost(4, 'ap-south-1')).toMatchObject({ usdPerHourAtBase: 1.5, exactRegion: false });
  });

  test('usage so far from charged RPU-seconds', () => {
    expect(serverlessUsageCost(8 * 3600)).toBeCloseTo(3, 10);
    expect(serverlessUsageCost(-1)).toBe(0);
  });
});

describe('cost guard', () => {
  const now = 10 * HOUR;

  test('warns past the hours since the last resume, or past the cost, or both', () => {
    expect(costGuard({ runningSinceMs: now - 5 * HOUR, costUsd: 2 }, now)).toEqual({
      warn: true,
      reasons: ['hours'],
      runningHours: 5,
      costUsd: 2,
    });
    expect(costGuard({ runningSinceMs: now - HOUR, costUsd: 12 }, now).reasons).toEqual(['cost']);
    expect(costGuard({ runningSinceMs: now - 6 * HOUR, costUsd: 12 }, now).reasons).toEqual(['hours', 'cost']);
  });

  test('at the threshold, paused, or with a limit left out: no warning', () => {
    expect(costGuard({ runningSinceMs: now - 4 * HOUR, costUsd: 10 }, now).warn).toBe(false);
    expect(costGuard({ runningSinceMs: undefined, costUsd: 3 }, now)).toEqual({
      warn: false,
      reasons: [],
      runningHours: 0,
      costUsd: 3,
    });
    expect(costGuard({ runningSinceMs: 0, costUsd: 100 }, now, { hours: 24 }).warn).toBe(false);
    expect(costGuard({ runningSinceMs: 0 }, now, { usd: 1 }).warn).toBe(false);
    expect(costGuard({ runningSinceMs: 0 }, now, { hours: 2 }).reasons).toEqual(['hours']);
  });

  test('the defaults, and a cluster estimate feeds it directly', () => {
    expect(DEFAULT_COST_GUARD).toEqual({ hours: 4, usd: 10 });
    const cost = estimateClusterCost({
      nodeType: 'ra3.4xlarge',
      nodes: 2,
      region: 'us-west-2',
      createdAtMs: 0,
      nowMs: 3 * HOUR,
    })!;
    const verdict = costGuard({ runningSinceMs: cost.runningSinceMs, costUsd: cost.totalUsd }, 3 * HOUR);
    expect(verdict).toMatchObject({ warn: true, reasons: ['cost'], runningHours: 3 });
  });
});
