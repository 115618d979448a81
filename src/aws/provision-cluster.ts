/**
 * The cluster itself: the request for a new one (tagged as the wizard's), and the role an existing
 * one reads S3 with. Returns what happened; prints and asks nothing.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import type { DwhAccess } from '../config/types.js';
import { UserError } from '../errors.js';
import { isAwsError } from './errors.js';
import { getRole } from './iam.js';
import { createCluster, type ClusterInfo } from './redshift.js';
import { retryWhileRoleNotUsable, type RolePropagationWait } from './role-propagation.js';
import { wizardTags } from './tags.js';

/** Everything the user chooses for a new cluster. */
export interface ClusterSpec {
  identifier: string;
  nodeType: string;
  numberOfNodes: number;
  dbName: string;
  dbUser: string;
  /** Undefined: no password in dwh.cfg, so AWS generates and keeps it (ManageMasterPassword). */
  password: string | undefined;
  port: number;
  roleName: string;
  /** private: not publicly accessible, no port opened, SQL through the Data API; public: the TLS path. */
  access: DwhAccess;
}

/**
 * Whether CreateCluster refused the role because IAM has not finished making it usable. A role is
 * eventually consistent: created a moment ago, Redshift may not see it (or its trust policy) yet and
 * answers InvalidParameterValue "The IAM role <name> is not valid. The IAM role must delegate access
 * to an Amazon Redshift account." (the same text AWS's knowledge center gives for a role that does
 * not trust redshift.amazonaws.com: repost.aws/knowledge-center/redshift-iam-role-error). Retried
 * for a new role by retryWhileRoleNotUsable (role-propagation.ts).
 */
export function isRoleNotYetUsable(error: unknown): boolean {
  const cause = error instanceof UserError && error.cause !== undefined ? error.cause : error;
  if (!isAwsError(cause, 'InvalidParameterValue')) return false;
  const message = cause instanceof Error ? cause.message : '';
  return /IAM role\b.*\bis not valid|must delegate access to an Amazon Redshift account/i.test(message);
}

export type ClusterRequestOutcome =
  | { kind: 'requested'; cluster: ClusterInfo }
  /** Redshift still refused the new role when the time was up. */
  | { kind: 'role-not-usable'; elapsedMs: number }
  | { kind: 'aborted' };

/**
 * CreateCluster for `spec` with the role and group made for it; the cluster as Redshift answered.
 * With `propagation` (the role was just created), a refusal of the role is retried until it is up.
 */
export async function requestCluster(
  redshift: RedshiftClient,
  spec: ClusterSpec,
  network: { roleArn: string; securityGroupId: string },
  region: string,
  propagation?: RolePropagationWait,
): Promise<ClusterRequestOutcome> {
  const request = (): Promise<ClusterInfo> =>
    createCluster(
      redshift,
      {
        identifier: spec.identifier,
        nodeType: spec.nodeType,
        numberOfNodes: spec.numberOfNodes,
        dbName: spec.dbName,
        masterUsername: spec.dbUser,
        masterPassword: spec.password,
        port: spec.port,
        iamRoleArn: network.roleArn,
        securityGroupId: network.securityGroupId,
        publiclyAccessible: spec.access === 'public',
        tags: wizardTags(spec.identifier),
      },
      region,
    );
  const outcome = await retryWhileRoleNotUsable(request, isRoleNotYetUsable, propagation);
  return outcome.kind === 'done' ? { kind: 'requested', cluster: outcome.value } : outcome;
}

/** The attached role named `roleName` (any path), else the first attached role. Pure. */
export function attachedRoleArn(cluster: ClusterInfo, roleName: string): string | undefined {
  return cluster.iamRoleArns.find((arn) => arn.endsWith(`/${roleName}`)) ?? cluster.iamRoleArns[0];
}

export type ExistingRoleOutcome =
  | { kind: 'attached'; arn: string }
  /** The cluster has no role, but one of the configured name exists: COPY will fail until it is attached. */
  | { kind: 'not-attached'; roleName: string; arn: string }
  /** The cluster has no role and none of the configured name exists. */
  | { kind: 'missing'; roleName: string };

/** The role an existing cluster reads S3 with. */
export async function roleOfExistingCluster(
  iam: IAMClient,
  cluster: ClusterInfo,
  roleName: string,
): Promise<ExistingRoleOutcome> {
  const attached = attachedRoleArn(cluster, roleName);
  if (attached) return { kind: 'attached', arn: attached };
  const role = await getRole(iam, roleName);
  return role ? { kind: 'not-attached', roleName, arn: role.arn } : { kind: 'missing', roleName };
}
