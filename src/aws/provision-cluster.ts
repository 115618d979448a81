/**
 * The cluster itself: the request for a new one (tagged as the wizard's), and the role an existing
 * one reads S3 with. Returns what happened; prints and asks nothing.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { RedshiftClient } from '@aws-sdk/client-redshift';
import { getRole } from './iam.js';
import { createCluster, type ClusterInfo } from './redshift.js';
import { wizardTags } from './tags.js';

/** Everything the user chooses for a new cluster. */
export interface ClusterSpec {
  identifier: string;
  nodeType: string;
  numberOfNodes: number;
  dbName: string;
  dbUser: string;
  password: string;
  port: number;
  roleName: string;
}

/** CreateCluster for `spec` with the role and group made for it; the cluster as Redshift answered. */
export async function requestCluster(
  redshift: RedshiftClient,
  spec: ClusterSpec,
  network: { roleArn: string; securityGroupId: string },
  region: string,
): Promise<ClusterInfo> {
  return createCluster(
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
      tags: wizardTags(spec.identifier),
    },
    region,
  );
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
