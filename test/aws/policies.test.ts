import { describe, expect, test } from 'vitest';
import { partitionOf, redshiftTrustPolicy, s3ReadPolicy } from '../../src/aws/policies.js';
import { publicIpLookup } from '../../src/aws/public-ip.js';

describe('policies', () => {
  test('the trust policy lets only Redshift assume the role', () => {
    expect(redshiftTrustPolicy()).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'redshift.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });

  test(
    'two buckets: GetObject on each prefix, one ListBucket per bucket limited to its prefixes; ' + 'duplicates once',
    () => {
      const policy = s3ReadPolicy(
        [
          's3://logs-bucket/events/2018',
          's3://songs.bucket/catalog/',
          's3://songs.bucket/catalog/',
          's3://logs-bucket/paths.json',
        ],
        'eu-west-1',
      );
      expect(policy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadSourceObjects',
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: [
              'arn:aws:s3:::logs-bucket/events/2018*',
              'arn:aws:s3:::songs.bucket/catalog/*',
              'arn:aws:s3:::logs-bucket/paths.json*',
            ],
          },
          {
            Sid: 'ListSourcePrefixes',
            Effect: 'Allow',
            Action: 's3:ListBucket',
            Resource: 'arn:aws:s3:::logs-bucket',
            Condition: { StringLike: { 's3:prefix': ['events/2018*', 'paths.json*'] } },
          },
          {
            Sid: 'ListSourcePrefixes2',
            Effect: 'Allow',
            Action: 's3:ListBucket',
            Resource: 'arn:aws:s3:::songs.bucket',
            Condition: { StringLike: { 's3:prefix': ['catalog/*'] } },
          },
        ],
      });
      // Nothing broader than the prefixes: no s3:*, no bucket-wide object wildcard.
      const text = JSON.stringify(policy);
      expect(text).not.toContain('s3:*');
      expect(text).not.toMatch(/:::[a-z.-]+\/\*"/);
    },
  );

  test('ARNs follow the region partition', () => {
    expect([partitionOf('us-west-2'), partitionOf('cn-north-1'), partitionOf('us-gov-west-1')]).toEqual([
      'aws',
      'aws-cn',
      'aws-us-gov',
    ]);
    expect(s3ReadPolicy(['s3://b/p'], 'cn-north-1').Statement[0]!.Resource).toEqual(['arn:aws-cn:s3:::b/p*']);
  });
});

describe('public IP lookup', () => {
  const reply = (body: string, status = 200) => (async () => new Response(body, { status })) as unknown as typeof fetch;

  test('an address in the reply', async () => {
    expect(await publicIpLookup(reply('203.0.113.7\n'))()).toBe('203.0.113.7');
  });

  test('anything else is "unknown", never an error', async () => {
    expect(await publicIpLookup(reply('<html>captive portal</html>'))()).toBeUndefined();
    expect(await publicIpLookup(reply('203.0.113.7', 503))()).toBeUndefined();
    expect(await publicIpLookup(async () => Promise.reject(new TypeError('fetch failed')))()).toBeUndefined();
  });

  test('gives up after the time-out', async () => {
    const never = ((_url: string, init: { signal: AbortSignal }) =>
      new Promise((_resolve, reject) =>
        // As fetch does: reject with the signal's reason (a DOMException, typed `any` by the DOM types).
        init.signal.addEventListener('abort', () => reject(init.signal.reason as DOMException)),
      )) as unknown as typeof fetch;
    const started = Date.now();
    expect(await publicIpLookup(never, 50)()).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
