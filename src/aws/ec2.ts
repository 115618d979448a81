/** Thin wrappers over EC2 for the cluster's security group. No prompts, no printing. */
import type { EC2Client, SecurityGroup } from '@aws-sdk/client-ec2';
import { callAws, isAwsError } from './errors.js';
import type { Tag } from './tags.js';

export interface SecurityGroupInfo {
  id: string;
  name: string;
  vpcId: string | undefined;
  tags: Tag[];
  ingress: IngressRule[];
}

/** One source an ingress rule admits: an address block, another group or a prefix list. */
export interface IngressRule {
  /** "tcp", "udp", "icmp", "-1" (all traffic)… as EC2 gives it. */
  protocol: string;
  fromPort: number | undefined;
  toPort: number | undefined;
  /** "203.0.113.7/32", "2001:db8::/32", "sg-0123…", "pl-0123…". */
  source: string;
  description: string | undefined;
}

function toInfo(group: SecurityGroup): SecurityGroupInfo {
  const ingress: IngressRule[] = [];
  for (const permission of group.IpPermissions ?? []) {
    const rule = {
      protocol: permission.IpProtocol ?? '-1',
      fromPort: permission.FromPort,
      toPort: permission.ToPort,
    };
    const add = (source: string | undefined, description: string | undefined): void => {
      if (source) ingress.push({ ...rule, source, description });
    };
    for (const range of permission.IpRanges ?? []) add(range.CidrIp, range.Description);
    for (const range of permission.Ipv6Ranges ?? []) add(range.CidrIpv6, range.Description);
    for (const pair of permission.UserIdGroupPairs ?? []) add(pair.GroupId, pair.Description);
    for (const list of permission.PrefixListIds ?? []) add(list.PrefixListId, list.Description);
  }
  return {
    id: group.GroupId ?? '',
    name: group.GroupName ?? '',
    vpcId: group.VpcId,
    tags: (group.Tags ?? []).map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' })),
    ingress,
  };
}

/** The default VPC's id, or undefined when the region has none. */
export async function findDefaultVpc(client: EC2Client, region?: string): Promise<string | undefined> {
  const { DescribeVpcsCommand } = await import('@aws-sdk/client-ec2');
  const output = await callAws({ action: 'ec2:DescribeVpcs', doing: 'looking up the default VPC', region }, () =>
    client.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] })),
  );
  return output.Vpcs?.[0]?.VpcId;
}

/** The security group called `name` in `vpcId`, if any. */
export async function findSecurityGroupByName(
  client: EC2Client,
  name: string,
  vpcId: string,
  region?: string,
): Promise<SecurityGroupInfo | undefined> {
  const { DescribeSecurityGroupsCommand } = await import('@aws-sdk/client-ec2');
  const output = await callAws(
    { action: 'ec2:DescribeSecurityGroups', doing: `looking up security group ${name}`, region },
    () =>
      client.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'group-name', Values: [name] },
            { Name: 'vpc-id', Values: [vpcId] },
          ],
        }),
      ),
  );
  const group = output.SecurityGroups?.[0];
  return group ? toInfo(group) : undefined;
}

/** Security groups by id; ids that no longer exist are left out rather than failing. */
export async function describeSecurityGroups(
  client: EC2Client,
  ids: readonly string[],
  region?: string,
): Promise<SecurityGroupInfo[]> {
  if (ids.length === 0) return [];
  const { DescribeSecurityGroupsCommand } = await import('@aws-sdk/client-ec2');
  const found: SecurityGroupInfo[] = [];
  // One id per call: a single missing id would fail a batched call with InvalidGroup.NotFound.
  for (const id of ids) {
    await callAws(
      { action: 'ec2:DescribeSecurityGroups', doing: `looking up security group ${id}`, region },
      async () => {
        try {
          const output = await client.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }));
          for (const group of output.SecurityGroups ?? []) found.push(toInfo(group));
        } catch (error) {
          if (!isAwsError(error, 'InvalidGroup.NotFound', 'InvalidGroupId.NotFound')) throw error;
        }
      },
    );
  }
  return found;
}

export async function createSecurityGroup(
  client: EC2Client,
  request: { name: string; description: string; vpcId: string; tags: Tag[] },
  region?: string,
): Promise<string> {
  const { CreateSecurityGroupCommand } = await import('@aws-sdk/client-ec2');
  const output = await callAws(
    { action: 'ec2:CreateSecurityGroup', doing: `creating security group ${request.name}`, region },
    () =>
      client.send(
        new CreateSecurityGroupCommand({
          GroupName: request.name,
          Description: request.description,
          VpcId: request.vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: request.tags }],
        }),
      ),
  );
  if (!output.GroupId) throw new Error('CreateSecurityGroup returned no group id');
  return output.GroupId;
}

/** Allow TCP `port` from `cidr`; 'exists' when InvalidPermission.Duplicate says the rule is already there. */
export async function allowIngress(
  client: EC2Client,
  request: { groupId: string; port: number; cidr: string; description: string },
  region?: string,
): Promise<'added' | 'exists'> {
  const { AuthorizeSecurityGroupIngressCommand } = await import('@aws-sdk/client-ec2');
  return callAws(
    { action: 'ec2:AuthorizeSecurityGroupIngress', doing: `allowing ${request.cidr} to port ${request.port}`, region },
    async () => {
      try {
        await client.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: request.groupId,
            IpPermissions: [
              {
                IpProtocol: 'tcp',
                FromPort: request.port,
                ToPort: request.port,
                IpRanges: [{ CidrIp: request.cidr, Description: request.description }],
              },
            ],
          }),
        );
        return 'added' as const;
      } catch (error) {
        if (isAwsError(error, 'InvalidPermission.Duplicate')) return 'exists' as const;
        throw error;
      }
    },
  );
}

/**
 * Delete the group: 'deleted', 'gone' (already), or 'in-use' while DependencyViolation says the
 * deleted cluster's network interfaces still hold it (they go a few minutes after the cluster).
 */
export async function deleteSecurityGroup(
  client: EC2Client,
  groupId: string,
  region?: string,
): Promise<'deleted' | 'gone' | 'in-use'> {
  const { DeleteSecurityGroupCommand } = await import('@aws-sdk/client-ec2');
  return callAws(
    { action: 'ec2:DeleteSecurityGroup', doing: `deleting security group ${groupId}`, region },
    async () => {
      try {
        await client.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
        return 'deleted' as const;
      } catch (error) {
        if (isAwsError(error, 'InvalidGroup.NotFound', 'InvalidGroupId.NotFound')) return 'gone' as const;
        if (isAwsError(error, 'DependencyViolation')) return 'in-use' as const;
        throw error;
      }
    },
  );
}
