/**
 * The network path from the user's machine to the cluster: a security group of the wizard's own in
 * the default VPC, and one ingress rule for the allowed CIDR on the cluster's port. Returns what
 * happened; prints and asks nothing.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  allowIngress,
  createSecurityGroup,
  describeSecurityGroups,
  findDefaultVpc,
  findSecurityGroupByName,
  type IngressRule,
  type SecurityGroupInfo,
} from './ec2.js';
import { securityGroupNameFor } from './naming.js';
import type { ClusterInfo } from './redshift.js';
import { ownershipOf, wizardTags } from './tags.js';

/** The description on the ingress rules the wizard adds (shown in the EC2 console). */
export const INGRESS_RULE_DESCRIPTION = 'sparkify-dwh: Redshift from the wizard user';

export type SecurityGroupOutcome =
  | { kind: 'created'; groupId: string; name: string; vpcId: string }
  /** The group an earlier run made for this cluster. */
  | { kind: 'reused'; groupId: string; name: string }
  /**
   * A group of this name that the wizard did not make for this cluster: never changed or reused.
   * `owner`: "someone-else", or "cluster <identifier>" when the wizard made it for another cluster.
   */
  | { kind: 'not-ours'; groupId: string; name: string; owner: string }
  /** The region has no default VPC to put the group (and the cluster) in. */
  | { kind: 'refused'; reason: 'no-default-vpc'; region: string };

/**
 * The group of the wizard's name for the cluster in the default VPC and whose it is ('created' never:
 * this changes nothing), or a vpcId to create it in when there is none yet.
 */
export async function findSecurityGroup(
  ec2: EC2Client,
  clusterIdentifier: string,
  region: string,
): Promise<Exclude<SecurityGroupOutcome, { kind: 'created' }> | { kind: 'missing'; vpcId: string; name: string }> {
  const vpcId = await findDefaultVpc(ec2, region);
  if (!vpcId) return { kind: 'refused', reason: 'no-default-vpc', region };
  const name = securityGroupNameFor(clusterIdentifier);
  const existing = await findSecurityGroupByName(ec2, name, vpcId, region);
  if (!existing) return { kind: 'missing', vpcId, name };
  const owner = ownershipOf(existing.tags, clusterIdentifier);
  if (owner.kind === 'this-cluster') return { kind: 'reused', groupId: existing.id, name };
  return {
    kind: 'not-ours',
    groupId: existing.id,
    name,
    owner: owner.kind === 'other-cluster' ? `cluster ${owner.cluster}` : 'someone-else',
  };
}

/** The wizard's security group for the cluster in the default VPC, created when missing. */
export async function ensureSecurityGroup(
  ec2: EC2Client,
  clusterIdentifier: string,
  region: string,
): Promise<SecurityGroupOutcome> {
  const found = await findSecurityGroup(ec2, clusterIdentifier, region);
  if (found.kind !== 'missing') return found;
  const { vpcId, name } = found;
  const groupId = await createSecurityGroup(
    ec2,
    {
      name,
      description: `Access to Redshift cluster ${clusterIdentifier} (sparkify-dwh)`,
      vpcId,
      tags: [{ Key: 'Name', Value: name }, ...wizardTags(clusterIdentifier)],
    },
    region,
  );
  return { kind: 'created', groupId, name, vpcId };
}

export interface IngressOutcome {
  kind: 'added' | 'exists';
  groupId: string;
  port: number;
  cidr: string;
}

/** Let `cidr` reach TCP `port` through the group; 'exists' when the rule was already there. */
export async function allowWizardIngress(
  ec2: EC2Client,
  request: { groupId: string; port: number; cidr: string },
  region: string,
): Promise<IngressOutcome> {
  const kind = await allowIngress(ec2, { ...request, description: INGRESS_RULE_DESCRIPTION }, region);
  return { kind, ...request };
}

/** The security groups attached to a cluster that the wizard made for that cluster. */
export async function wizardGroupsOf(
  ec2: EC2Client,
  cluster: ClusterInfo,
  region: string,
): Promise<SecurityGroupInfo[]> {
  const groups = await describeSecurityGroups(ec2, cluster.securityGroupIds, region);
  return groups.filter((group) => ownershipOf(group.tags, cluster.identifier).kind === 'this-cluster');
}

/** Ingress rules the wizard did not add (someone opened the group further by hand). Pure. */
export function foreignIngressRules(group: SecurityGroupInfo): IngressRule[] {
  return group.ingress.filter((rule) => rule.description !== INGRESS_RULE_DESCRIPTION);
}

/** "tcp 22 from 10.0.0.0/8", "all traffic from sg-0abc". */
export function describeIngressRule(rule: IngressRule): string {
  const ports =
    rule.fromPort === undefined || rule.fromPort === -1
      ? ''
      : rule.fromPort === rule.toPort
        ? ` ${rule.fromPort}`
        : ` ${rule.fromPort}-${rule.toPort ?? ''}`;
  const protocol = rule.protocol === '-1' ? 'all traffic' : `${rule.protocol}${ports}`;
  return `${protocol} from ${rule.source}`;
}

/** How far an IPv4 CIDR reaches: one address, a range, or the whole internet (/0). */
export type CidrReach = { kind: 'one-address' } | { kind: 'range'; addresses: number } | { kind: 'whole-internet' };

/** `cidr` is a validated a.b.c.d/n. */
export function cidrReach(cidr: string): CidrReach {
  const prefix = Number(cidr.split('/')[1]);
  if (prefix === 0) return { kind: 'whole-internet' };
  if (prefix < 32) return { kind: 'range', addresses: 2 ** (32 - prefix) };
  return { kind: 'one-address' };
}

/** What rerunning `cluster create` did about the caller's address on an existing cluster's group. */
export type CallerIngressOutcome =
  /** The cluster has no group the wizard made for it: nothing of the wizard's to open. */
  | { kind: 'no-wizard-group' }
  /** No DWH_ALLOWED_CIDR and the public-IP lookup failed: the group is left as it is. */
  | { kind: 'no-address' }
  | IngressOutcome;

/**
 * The caller's address (DWH_ALLOWED_CIDR, else the looked-up public IP as /32) let into the
 * wizard's group of an existing cluster: the caller may be on another network than when the
 * cluster was made. Never a failure for want of an address: the cluster still works for whoever
 * it already lets in.
 */
export async function allowCallerIntoCluster(
  ec2: EC2Client,
  cluster: ClusterInfo,
  options: {
    configuredCidr: string | undefined;
    lookupPublicIp: () => Promise<string | undefined>;
    port: number;
    region: string;
  },
): Promise<CallerIngressOutcome> {
  const ourGroups = await wizardGroupsOf(ec2, cluster, options.region);
  const group = ourGroups[0];
  if (!group) return { kind: 'no-wizard-group' };
  const ip = options.configuredCidr ? undefined : await options.lookupPublicIp();
  const cidr = options.configuredCidr ?? (ip ? `${ip}/32` : undefined);
  if (!cidr) return { kind: 'no-address' };
  return allowWizardIngress(ec2, { groupId: group.id, port: options.port, cidr }, options.region);
}
