/**
 * What teardown finds and may delete. Resources are recognised as the wizard's by the
 * created-by = sparkify-dwh tag, not by name: a role or group the user made by hand under the same
 * name is listed and left alone. Prints and asks nothing.
 */
import type { DwhConfig } from '../config/types.js';
import type { AwsClients } from './clients.js';
import {
  deleteSecurityGroup,
  describeSecurityGroups,
  findDefaultVpc,
  findSecurityGroupByName,
  type SecurityGroupInfo,
} from './ec2.js';
import { getRole, listRolePolicies, type RoleInfo } from './iam.js';
import { clusterIdentifierOf, roleNameOf, securityGroupNameFor } from './naming.js';
import type { PollClock, PollResult } from './poll.js';
import { poll } from './poll.js';
import { describeCluster, type ClusterInfo } from './redshift.js';
import { isCreatedByWizard } from './tags.js';

export interface TeardownPlan {
  clusterIdentifier: string;
  roleName: string;
  cluster: (ClusterInfo & { ours: boolean }) | undefined;
  /** `policies` is listed only for a role the wizard made (it is what teardown removes). */
  role: (RoleInfo & { ours: boolean; policies: string[] }) | undefined;
  groups: Array<SecurityGroupInfo & { ours: boolean }>;
}

/** What exists, found by the names in dwh.cfg and the cluster's own security groups. */
export async function planTeardown(clients: AwsClients, config: DwhConfig): Promise<TeardownPlan> {
  const clusterIdentifier = clusterIdentifierOf(config);
  const roleName = roleNameOf(config);
  const cluster = await describeCluster(clients.redshift, clusterIdentifier, clients.region);
  const role = await getRole(clients.iam, roleName);
  const roleOurs = role !== undefined && isCreatedByWizard(role.tags);
  let policies: string[] = [];
  if (roleOurs) {
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
    role: role ? { ...role, ours: roleOurs, policies } : undefined,
    groups: groups.map((group) => ({ ...group, ours: isCreatedByWizard(group.tags) })),
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
