/**
 * The IAM role the cluster reads S3 with: created (tagged) when missing, reused when the wizard
 * made it, used unchanged when someone else did. Returns what happened; prints and asks nothing.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { UserError } from '../errors.js';
import { createRole, getRole, putRolePolicy } from './iam.js';
import { redshiftTrustPolicy, s3ReadPolicy, S3_READ_POLICY_NAME } from './policies.js';
import { isCreatedByWizard, wizardTags } from './tags.js';

export type RoleOutcome =
  | { kind: 'created'; roleName: string; arn: string }
  | { kind: 'reused'; roleName: string; arn: string }
  /** The user's own role: used as it is, never changed (and never deleted by teardown). */
  | { kind: 'not-ours'; roleName: string; arn: string };

/** Create the role for `clusterIdentifier`, or find it; a role the wizard did not make is left as it is. */
export async function ensureRole(
  iam: IAMClient,
  request: { roleName: string; clusterIdentifier: string },
): Promise<RoleOutcome> {
  const { roleName, clusterIdentifier } = request;
  const existing = await getRole(iam, roleName);
  if (existing) {
    const kind = isCreatedByWizard(existing.tags) ? 'reused' : 'not-ours';
    return { kind, roleName, arn: existing.arn };
  }
  const created = await createRole(iam, {
    name: roleName,
    trustPolicy: redshiftTrustPolicy(),
    description: `Lets Redshift cluster ${clusterIdentifier} read the Sparkify source data in S3 (sparkify-dwh)`,
    tags: wizardTags(clusterIdentifier),
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
