/**
 * The policy documents the wizard sends to IAM, built as plain data so tests check them exactly.
 * Least privilege (issue 5): the cluster's role may read only the S3 prefixes named in [S3].
 */

export const REDSHIFT_SERVICE_PRINCIPAL = 'redshift.amazonaws.com';
/** Name of the inline policy the wizard puts on the role it creates. */
export const S3_READ_POLICY_NAME = 'sparkify-dwh-s3-read';

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow';
  Principal?: { Service: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** Only Redshift may assume the role. */
export function redshiftTrustPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: REDSHIFT_SERVICE_PRINCIPAL }, Action: 'sts:AssumeRole' }],
  };
}

/** The partition of a region: ARNs in China and GovCloud differ. */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

interface S3Location {
  bucket: string;
  key: string;
}

function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) throw new Error(`not an S3 URL: ${JSON.stringify(url)}`);
  return { bucket: match[1]!, key: match[2]! };
}

/**
 * s3:GetObject on each prefix (COPY reads every object whose key starts with it, so `prefix*`),
 * and s3:ListBucket on each bucket limited to those prefixes. Nothing else of S3.
 * `urls` are validated s3:// URLs ([S3] LOG_DATA, LOG_JSONPATH, SONG_DATA).
 */
export function s3ReadPolicy(urls: readonly string[], region: string): PolicyDocument {
  const partition = partitionOf(region);
  const locations = [...new Map(urls.map((url) => [url, parseS3Url(url)])).values()];
  const objectResources = [
    ...new Set(locations.map((location) => `arn:${partition}:s3:::${location.bucket}/${location.key}*`)),
  ];
  const buckets = [...new Set(locations.map((location) => location.bucket))];
  const statements: PolicyStatement[] = [
    { Sid: 'ReadSourceObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: objectResources },
  ];
  buckets.forEach((bucket, index) => {
    const prefixes = [
      ...new Set(locations.filter((location) => location.bucket === bucket).map((location) => `${location.key}*`)),
    ];
    statements.push({
      Sid: `ListSourcePrefixes${index === 0 ? '' : index + 1}`,
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: `arn:${partition}:s3:::${bucket}`,
      Condition: { StringLike: { 's3:prefix': prefixes } },
    });
  });
  return { Version: '2012-10-17', Statement: statements };
}
