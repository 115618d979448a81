/**
 * The IAM role the cluster reads S3 with: created (tagged for the cluster and region) when missing,
 * reused when the wizard made it for this cluster, used unchanged when someone else made it, and
 * refused when the wizard made it for another cluster (one role per cluster: sharing it would let
 * one config replace the other's S3 policy and delete it under it). Returns what happened; prints
 * and asks nothing.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { UserError } from '../errors.js';
import { createRole, getRole, putRolePolicy } from './iam.js';
import { redshiftTrustPolicy, s3ReadPolicy, S3_READ_POLICY_NAME } from './policies.js';
import { ownershipOf, roleTags } from './tags.js';

export type RoleOutcome =
  | { kind: 'created'; roleName: string; arn: string }
  | { kind: 'reused'; roleName: string; arn: string }
  /** The user's own role: used as it is, never changed (and never deleted by teardown). */
  | { kind: 'not-ours'; roleName: string; arn: string }
  /** Made by the wizard for another cluster (or region): never used, changed or deleted for this one. */
  | { kind: 'other-cluster'; roleName: string; arn: string; cluster: string; region: string | undefined };

export interface RoleRequest {
  roleName: string;
  clusterIdentifier: string;
  /** The cluster's region, tagged on a new role and checked on an existing one. */
  region: string;
}

/** The role of that name and whose it is, or undefined when there is none yet. Changes nothing. */
export async function findRole(iam: IAMClient, request: RoleRequest): Promise<RoleOutcome | undefined> {
  const { roleName, clusterIdentifier, region } = request;
  const existing = await getRole(iam, roleName);
  if (!existing) return undefined;
  const owner = ownershipOf(existing.tags, clusterIdentifier, region);
  if (owner.kind === 'other-cluster') {
    return { kind: 'other-cluster', roleName, arn: existing.arn, cluster: owner.cluster, region: owner.region };
  }
  return { kind: owner.kind === 'this-cluster' ? 'reused' : 'not-ours', roleName, arn: existing.arn };
}

/** Create the role for the cluster, or find it and say whose it is. */
export async function ensureRole(iam: IAMClient, request: RoleRequest): Promise<RoleOutcome> {
  const { roleName, clusterIdentifier, region } = request;
  const existing = await findRole(iam, request);
  if (existing) return existing;
  const created = await createRole(iam, {
    name: roleName,
    trustPolicy: redshiftTrustPolicy(),
    description: `Lets Redshift cluster ${clusterIdentifier} read the Sparkify source data in S3 (sparkify-dwh)`,
    tags: roleTags(clusterIdentifier, region),
  });
  // EntityAlreadyExists: another run made it between our GetRole and CreateRole.
  const arn = 'arn' in created ? created.arn : (await getRole(iam, roleName))?.arn;
  if (!arn) {
    throw new UserError(
      `IAM role ${roleName} could not be created or found: run \`sparkify-dwh cluster create\` again`,
    );
  }
  return { kind: 'created', roleName, arn };
}

export type S3PolicyOutcome =
  | { kind: 'written'; policyName: string; urls: string[] }
  /** [S3] names no prefix: there is nothing the role could be allowed to read. */
  | { kind: 'skipped'; reason: 'no-s3-prefixes' };

/** Put the least-privilege inline policy (read only the [S3] prefixes) on a role the wizard owns. */
export async function ensureS3ReadPolicy(
  iam: IAMClient,
  roleName: string,
  urls: readonly string[],
  region: string,
): Promise<S3PolicyOutcome> {
  if (urls.length === 0) return { kind: 'skipped', reason: 'no-s3-prefixes' };
  await putRolePolicy(iam, roleName, S3_READ_POLICY_NAME, s3ReadPolicy(urls, region));
  return { kind: 'written', policyName: S3_READ_POLICY_NAME, urls: [...urls] };
}

/** The role's name from its ARN (arn:aws:iam::123456789012:role/path/name → name). */
export function roleNameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

export type ExistingRolePolicyOutcome =
  | S3PolicyOutcome
  /** Not the wizard's role for this cluster: its policies are left as they are. */
  | { kind: 'left-alone'; roleName: string; owner: 'not-ours' | 'other-cluster' }
  | { kind: 'gone'; roleName: string };

/**
 * The S3 policy of the role an existing cluster reads with, brought in line with [S3]: rewritten
 * when the wizard made the role for this cluster, left alone otherwise.
 */
export async function refreshS3ReadPolicy(
  iam: IAMClient,
  request: { roleArn: string; clusterIdentifier: string; region: string; urls: readonly string[] },
): Promise<ExistingRolePolicyOutcome> {
  const roleName = roleNameFromArn(request.roleArn);
  const role = await getRole(iam, roleName);
  if (!role) return { kind: 'gone', roleName };
  const owner = ownershipOf(role.tags, request.clusterIdentifier, request.region);
  if (owner.kind !== 'this-cluster') return { kind: 'left-alone', roleName, owner: owner.kind };
  return ensureS3ReadPolicy(iam, roleName, request.urls, request.region);
}
