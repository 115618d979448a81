import { describe, expect, test } from 'vitest';
import {
  BASE_RPU_EXTENDED_REGIONS,
  checkBaseRpu,
  checkNodeCount,
  checkNodeType,
  checkPort,
  checkWorkgroupPort,
  clusterTypeFor,
  isRetiredNodeType,
  nearestBaseRpu,
  NODE_TYPE_LIMITS,
  nodeCountRange,
  PROVISIONABLE_NODE_TYPES,
  replacementFor,
  SINGLE_NODE_TYPES,
} from '../../src/aws/limits.js';

const problem = (check: true | string): string => {
  if (check === true) throw new Error('expected a problem, got ok');
  return check;
};

describe('node types AWS provisions today', () => {
  test('every RA3 and RG type in CreateCluster Valid Values is accepted, nothing else', () => {
    expect([...PROVISIONABLE_NODE_TYPES].sort()).toEqual(
      [
        'ra3.16xlarge',
        'ra3.4xlarge',
        'ra3.large',
        'ra3.xlplus',
        'rg.12xlarge',
        'rg.4xlarge',
        'rg.large',
        'rg.xlarge',
      ].sort(),
    );
    for (const type of PROVISIONABLE_NODE_TYPES) expect(checkNodeType(type)).toBe(true);
  });

  test('dc2.large is refused with ra3.large first and the other types offered', () => {
    const text = problem(checkNodeType('dc2.large'));
    expect(text).toMatch(/^dc2\.large can no longer be provisioned \(AWS deprecated DC2 in April 2025/);
    expect(text).toContain('; use ra3.large, or ');
    for (const type of PROVISIONABLE_NODE_TYPES) expect(text).toContain(type);
    expect(text).not.toContain('\n');
  });

  test('each retired type names the type to use instead', () => {
    expect(problem(checkNodeType('dc2.8xlarge'))).toContain('use ra3.4xlarge');
    expect(problem(checkNodeType('ds2.xlarge'))).toMatch(/no longer available\); use ra3\.xlplus/);
    expect(problem(checkNodeType('ds2.8xlarge'))).toContain('use ra3.4xlarge');
    expect(problem(checkNodeType('dc1.large'))).toContain('use ra3.large');
    expect(problem(checkNodeType('dw2.8xlarge'))).toContain('use ra3.4xlarge');
    expect(problem(checkNodeType('dw.hs1.xlarge'))).toContain('use ra3.xlplus');
    expect(replacementFor('dc2.large')).toBe('ra3.large');
    expect(replacementFor('ra3.large')).toBeUndefined();
    expect(replacementFor('toString')).toBeUndefined();
    expect(isRetiredNodeType('dc2.8xlarge')).toBe(true);
    expect(isRetiredNodeType('rg.large')).toBe(false);
  });

  test('an unknown type lists the provisionable ones; a wrong case says how to write it', () => {
    expect(problem(checkNodeType('x1.huge'))).toBe(
      '"x1.huge" is not a Redshift node type; use ra3.large, ra3.xlplus, ra3.4xlarge, ra3.16xlarge, ' +
        'rg.large, rg.xlarge, rg.4xlarge or rg.12xlarge',
    );
    expect(problem(checkNodeType(''))).toContain('"" is not a Redshift node type');
    expect(problem(checkNodeType('constructor'))).toContain('is not a Redshift node type');
    expect(problem(checkNodeType('RA3.large'))).toBe('"RA3.large" is not a node type; write it as ra3.large');
    expect(problem(checkNodeType(' rg.xlarge'))).toBe('" rg.xlarge" is not a node type; write it as rg.xlarge');
    expect(problem(checkNodeType('DC2.LARGE'))).toMatch(/^dc2\.large can no longer be provisioned/);
  });
});

describe('node counts for a new cluster', () => {
  test('the create ranges from "Node type details"', () => {
    const ranges = Object.fromEntries(PROVISIONABLE_NODE_TYPES.map((type) => [type, nodeCountRange(type)]));
    expect(ranges).toEqual({
      'ra3.large': '1 (single-node) or 2–16',
      'ra3.xlplus': '1 (single-node) or 2–16',
      'ra3.4xlarge': '2–32',
      'ra3.16xlarge': '2–128',
      'rg.large': '1 (single-node) or 2–16',
      'rg.xlarge': '2–16',
      'rg.4xlarge': '2–32',
      'rg.12xlarge': '2–128',
    });
    expect(SINGLE_NODE_TYPES).toEqual(['ra3.large', 'ra3.xlplus', 'rg.large']);
  });

  test('every type accepts exactly its range, at both ends', () => {
    for (const type of PROVISIONABLE_NODE_TYPES) {
      const { singleNode, multiNode } = NODE_TYPE_LIMITS[type];
      expect(checkNodeCount(type, 'multi-node', multiNode.min)).toBe(true);
      expect(checkNodeCount(type, 'multi-node', multiNode.max)).toBe(true);
      expect(checkNodeCount(type, 'multi-node', multiNode.max + 1)).not.toBe(true);
      expect(checkNodeCount(type, 'multi-node', 1)).not.toBe(true);
      expect(checkNodeCount(type, 'single-node', 1) === true).toBe(singleNode);
      expect(checkNodeCount(type, undefined, 1) === true).toBe(singleNode);
      expect(checkNodeCount(type, undefined, multiNode.max)).toBe(true);
    }
  });

  test('single-node on a type without it names the range and the single-node types', () => {
    expect(problem(checkNodeCount('ra3.4xlarge', 'single-node', 1))).toBe(
      'ra3.4xlarge has no single-node clusters; use 2–32 nodes (multi-node), ' +
        'or ra3.large, ra3.xlplus or rg.large for a single node',
    );
    expect(problem(checkNodeCount('rg.xlarge', undefined, 1))).toContain('rg.xlarge has no single-node clusters');
    expect(problem(checkNodeCount('ra3.16xlarge', 'single-node', 4))).toContain('has no single-node clusters');
  });

  test('a single-node cluster with more than one node, and multi-node with one', () => {
    expect(problem(checkNodeCount('ra3.large', 'single-node', 3))).toBe(
      'a single-node cluster has exactly 1 node, not 3; use 1 node, or multi-node for 3',
    );
    expect(problem(checkNodeCount('ra3.xlplus', 'multi-node', 1))).toBe(
      'a multi-node ra3.xlplus cluster needs 2–16 nodes, not 1, or single-node for 1 ra3.xlplus node',
    );
    expect(problem(checkNodeCount('rg.4xlarge', 'multi-node', 1))).toBe(
      'a multi-node rg.4xlarge cluster needs 2–32 nodes, not 1',
    );
  });

  test('too many nodes points to a larger type of the same family', () => {
    expect(problem(checkNodeCount('ra3.large', 'multi-node', 20))).toBe(
      'a new ra3.large cluster takes at most 16 nodes, not 20; ' +
        'use 2–16, or a larger type (ra3.4xlarge or ra3.16xlarge)',
    );
    expect(problem(checkNodeCount('rg.xlarge', undefined, 40))).toContain('or a larger type (rg.12xlarge)');
    expect(problem(checkNodeCount('ra3.16xlarge', 'multi-node', 129))).toBe(
      'a new ra3.16xlarge cluster takes at most 128 nodes, not 129; use 2–128',
    );
  });

  test('not a count at all', () => {
    expect(problem(checkNodeCount('ra3.large', undefined, 0))).toBe(
      '0 is not a node count; a ra3.large cluster has 1 (single-node) or 2–16 nodes',
    );
    expect(checkNodeCount('ra3.large', undefined, 2.5)).not.toBe(true);
    expect(checkNodeCount('ra3.large', undefined, Number.NaN)).not.toBe(true);
    expect(checkNodeCount('ra3.large', undefined, -2)).not.toBe(true);
  });

  test('a retired or unknown type fails on the type first', () => {
    expect(problem(checkNodeCount('dc2.large', 'single-node', 1))).toMatch(/^dc2\.large can no longer be provisioned/);
    expect(problem(checkNodeCount('x1.huge', undefined, 2))).toContain('is not a Redshift node type');
  });

  test('the cluster type a count means', () => {
    expect(clusterTypeFor(1)).toBe('single-node');
    expect(clusterTypeFor(2)).toBe('multi-node');
  });
});

describe('ports', () => {
  test('5431–5455 and 8191–8215, both ends, for every type', () => {
    for (const type of PROVISIONABLE_NODE_TYPES) {
      for (const port of [5431, 5439, 5455, 8191, 8215]) expect(checkPort(type, port)).toBe(true);
      for (const port of [5430, 5456, 8190, 8216, 1150, 65535, 0, -1, 5439.5, Number.NaN]) {
        expect(checkPort(type, port)).not.toBe(true);
      }
    }
  });

  test('the problem names the family, the ranges and the default', () => {
    expect(problem(checkPort('ra3.xlplus', 1150))).toBe(
      'port 1150 is not one RA3 clusters accept (5431–5455 or 8191–8215); use 5439, the Redshift default',
    );
    expect(problem(checkPort('rg.large', 9000))).toContain('not one RG clusters accept');
    expect(problem(checkPort('dc2.large', 1150))).toContain('not one new clusters accept');
  });

  test('Serverless workgroups take the same ranges', () => {
    expect(checkWorkgroupPort(5439)).toBe(true);
    expect(checkWorkgroupPort(8215)).toBe(true);
    expect(problem(checkWorkgroupPort(5440 + 100))).toBe(
      'port 5540 is not one Serverless workgroups accept (5431–5455 or 8191–8215); use 5439, the default',
    );
  });
});

describe('Serverless base capacity', () => {
  test('4, and every multiple of 8 from 8 to 512', () => {
    const accepted: number[] = [];
    for (let n = 0; n <= 512; n += 1) if (checkBaseRpu(n, 'eu-west-2') === true) accepted.push(n);
    expect(accepted).toEqual([4, ...Array.from({ length: 64 }, (_, i) => (i + 1) * 8)]);
  });

  test('544–1024 in steps of 32, only in the regions that offer it', () => {
    for (const region of BASE_RPU_EXTENDED_REGIONS) {
      expect(checkBaseRpu(544, region)).toBe(true);
      expect(checkBaseRpu(1024, region)).toBe(true);
      expect(checkBaseRpu(520, region)).not.toBe(true);
      expect(checkBaseRpu(1056, region)).not.toBe(true);
    }
    expect(problem(checkBaseRpu(1024, 'ap-southeast-2'))).toBe(
      '1024 RPUs is only offered in us-east-1, us-east-2, us-west-2, eu-west-1 or eu-central-1; ' +
        'in ap-southeast-2 the base capacity is at most 512',
    );
    // Without a region only the shape is checked.
    expect(checkBaseRpu(768)).toBe(true);
  });

  test('a wrong value gets the rule and the nearest allowed value', () => {
    expect(problem(checkBaseRpu(6, 'us-west-2'))).toBe(
      '6 RPUs is not a base capacity Redshift Serverless accepts; use 4, or a multiple of 8 from 8 to 512, ' +
        'or a multiple of 32 up to 1024 in some regions, e.g. 8',
    );
    expect(problem(checkBaseRpu(2, 'eu-west-2'))).toBe(
      '2 RPUs is not a base capacity Redshift Serverless accepts; use 4, or a multiple of 8 from 8 to 512, e.g. 4',
    );
    expect(problem(checkBaseRpu(600, 'eu-west-2'))).toMatch(/e\.g\. 512$/);
    expect(problem(checkBaseRpu(530, 'us-east-1'))).toMatch(/e\.g\. 544$/);
    expect(problem(checkBaseRpu(Number.NaN))).toMatch(/^NaN RPUs is not a base capacity.*regions$/);
    expect(checkBaseRpu(12.5)).not.toBe(true);
    expect(checkBaseRpu(0)).not.toBe(true);
  });

  test('nearest allowed value', () => {
    expect([1, 4, 5, 6, 7, 9, 12, 13, 500, 509, 2000].map((n) => nearestBaseRpu(n))).toEqual([
      4, 4, 4, 8, 8, 8, 16, 16, 504, 512, 512,
    ]);
    expect([515, 530, 1000, 5000].map((n) => nearestBaseRpu(n, 1024))).toEqual([512, 544, 992, 1024]);
  });
});
