/**
 * What teardown finds and may delete. Resources are recognised as the wizard's by their tags, not by
 * name: created-by = sparkify-dwh, and for this cluster (sparkify-dwh:cluster, and for a role
 * sparkify-dwh:region). A role or group the user made by hand under the same name, or one the wizard
 * made for another cluster, is listed and left alone; so is a role another cluster has attached.
 * Prints and asks nothing.
 */
import type { DwhConfig } from '../config/types.js';
import type { AwsClients } from './clients.js';
import {
  deleteSecurityGroup,
  describeSecurityGroups,
  findDefaultVpc,
  findSecurityGroupByName,
  type IngressRule,
  type SecurityGroupInfo,
} from './ec2.js';
import { getRole, listRolePolicies, type RoleInfo } from './iam.js';
import { clusterIdentifierOf, roleNameOf, securityGroupNameFor } from './naming.js';
import type { PollClock, PollResult } from './poll.js';
import { poll } from './poll.js';
import { foreignIngressRules } from './provision-network.js';
import { describeAllClusters, describeCluster, type ClusterInfo } from './redshift.js';
import { isCreatedByWizard, ownershipOf } from './tags.js';

/** Why teardown leaves the role in place. */
export type RoleLeftBecause =
  /** Not made by the wizard. */
  | { kind: 'not-ours' }
  /** Made by the wizard for another cluster (or region). */
  | { kind: 'other-cluster'; cluster: string; region: string | undefined }
  /** Made for this cluster, but other clusters have it attached. */
  | { kind: 'attached-elsewhere'; clusters: string[] };

export interface TeardownPlan {
  clusterIdentifier: string;
  roleName: string;
  cluster: (ClusterInfo & { ours: boolean }) | undefined;
  /**
   * `ours`: teardown deletes it. `policies` is listed only for such a role (it is what teardown
   * removes); `leftBecause` says why any other is left.
   */
  role: (RoleInfo & { ours: boolean; policies: string[]; leftBecause: RoleLeftBecause | undefined }) | undefined;
  /** `foreignRules`: ingress rules someone else added to a group teardown deletes (they go with it). */
  groups: Array<SecurityGroupInfo & { ours: boolean; foreignRules: IngressRule[] }>;
}

/** Why the role stays, or undefined when teardown may delete it. */
async function whyRoleStays(
  clients: AwsClients,
  role: RoleInfo,
  clusterIdentifier: string,
): Promise<RoleLeftBecause | undefined> {
  const owner = ownershipOf(role.tags, clusterIdentifier, clients.region);
  if (owner.kind === 'not-ours') return { kind: 'not-ours' };
  if (owner.kind === 'other-cluster') return { kind: 'other-cluster', cluster: owner.cluster, region: owner.region };
  // Tags say whose it is; a cluster made elsewhere (by hand, by an older config) may still use it.
  const others = (await describeAllClusters(clients.redshift, clients.region))
    .filter((cluster) => cluster.identifier !== clusterIdentifier && cluster.iamRoleArns.includes(role.arn))
    .map((cluster) => cluster.identifier);
  return others.length > 0 ? { kind: 'attached-elsewhere', clusters: others } : undefined;
}

/** What exists, found by the names in dwh.cfg and the cluster's own security groups. */
export async function planTeardown(clients: AwsClients, config: DwhConfig): Promise<TeardownPlan> {
  const clusterIdentifier = clusterIdentifierOf(config);
  const roleName = roleNameOf(config);
  const cluster = await describeCluster(clients.redshift, clusterIdentifier, clients.region);
  const role = await getRole(clients.iam, roleName);
  const leftBecause = role ? await whyRoleStays(clients, role, clusterIdentifier) : undefined;
  let policies: string[] = [];
  if (role && !leftBecause) {
    const listed = await listRolePolicies(clients.iam, roleName);
    policies = [...listed.inline, ...listed.attached];
  }
  const groupIds = new Set(cluster?.securityGroupIds ?? []);
  const vpcId = await findDefaultVpc(clients.ec2, clients.region);
  const groups = await describeSecurityGroups(clients.ec2, [...groupIds], clients.region);
  if (vpcId) {
    const name = securityGroupNameFor(clusterIdentifier);
    const byName = await findSecurityGroupByName(clients.ec2, name, vpcId, clients.region);
    if (byName && !groupIds.has(byName.id)) groups.push(byName);
  }
  return {
    clusterIdentifier,
    roleName,
    cluster: cluster ? { ...cluster, ours: isCreatedByWizard(cluster.tags) } : undefined,
    role: role ? { ...role, ours: leftBecause === undefined, policies, leftBecause } : undefined,
    groups: groups.map((group) => {
      const ours = ownershipOf(group.tags, clusterIdentifier).kind === 'this-cluster';
      return { ...group, ours, foreignRules: ours ? foreignIngressRules(group) : [] };
    }),
  };
}

export type GroupDeletion = { state: 'SUCCESS'; outcome: 'deleted' | 'gone' } | { state: 'RETRY' };

export interface GroupDeletionOptions {
  clock: PollClock;
  signal: AbortSignal;
  intervalMs: number;
  timeoutMs: number;
  /** Runs before each wait between two attempts (not before the first attempt). */
  onRetry?: (waitedMs: number) => void;
}

/**
 * Delete the group, retrying while DependencyViolation says it is in use: a deleted cluster's
 * network interfaces hold its groups for a few minutes after the cluster is gone.
 */
export async function deleteGroupWhenFree(
  clients: AwsClients,
  groupId: string,
  options: GroupDeletionOptions,
): Promise<PollResult<GroupDeletion>> {
  return poll<GroupDeletion>(
    async () => {
      const outcome = await deleteSecurityGroup(clients.ec2, groupId, clients.region);
      return outcome === 'in-use' ? { state: 'RETRY' } : { state: 'SUCCESS', outcome };
    },
    {
      clock: options.clock,
      signal: options.signal,
      intervalMs: options.intervalMs,
      timeoutMs: options.timeoutMs,
      onProgress: (progress) => options.onRetry?.(progress.elapsedMs),
    },
  );
}
