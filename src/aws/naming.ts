/**
 * The names the wizard gives, or reads from dwh.cfg, for what it makes in AWS. Pure functions: the
 * cluster, status, pause/resume and teardown steps all find the same resources by the same names.
 */
import type { DwhConfig } from '../config/types.js';

/** Where the Sparkify data lives (s3://udacity-dend): COPY across regions is slower and billed for transfer. */
export const SPARKIFY_BUCKET_REGION = 'us-west-2';
export const DEFAULT_CLUSTER_IDENTIFIER = 'dwhcluster';
export const DEFAULT_ROLE_NAME = 'dwhRole';

/** [DWH] DWH_CLUSTER_IDENTIFIER, else the seed scripts' name. */
export function clusterIdentifierOf(config: DwhConfig): string {
  return config.dwh.clusterIdentifier ?? DEFAULT_CLUSTER_IDENTIFIER;
}

/** [DWH] DWH_IAM_ROLE_NAME, else the seed scripts' name. */
export function roleNameOf(config: DwhConfig): string {
  return config.dwh.iamRoleName ?? DEFAULT_ROLE_NAME;
}

/**
 * The security group the wizard makes for a cluster (one per cluster, in the default VPC). A cluster
 * identifier has at most 63 characters, so the name stays far below EC2's 255 and never starts with
 * "sg-" (docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html).
 */
export function securityGroupNameFor(clusterIdentifier: string): string {
  return `${clusterIdentifier}-sparkify-dwh`;
}

/** The [S3] URLs the cluster's role must be able to read. */
export function s3SourceUrls(config: DwhConfig): string[] {
  return [config.s3.logData, config.s3.logJsonPath, config.s3.songData].filter((url): url is string => Boolean(url));
}

/** Whether [S3] reads the Sparkify bucket while the cluster would live in another region than it. */
export function readsSparkifyBucketFromAfar(config: DwhConfig, region: string): boolean {
  const readsSparkifyBucket = s3SourceUrls(config).some(
    (url) => url.startsWith('s3://udacity-dend/') || url === 's3://udacity-dend',
  );
  return readsSparkifyBucket && region !== SPARKIFY_BUCKET_REGION;
}

/**
 * "dwhcluster-final-20250102-030405", from the injectable clock so tests know the name. A valid
 * cluster identifier (a letter first, no double or trailing hyphen, at most 63 characters) keeps
 * it within the final snapshot's rules: 1 to 255 characters, a letter first, no double or trailing
 * hyphen (docs.aws.amazon.com/redshift/latest/APIReference/API_DeleteCluster.html).
 */
export function finalSnapshotIdentifier(clusterIdentifier: string, nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${clusterIdentifier}-final-${stamp}`;
}
