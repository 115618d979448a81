/**
 * An AWS account as a small stateful service on the mocked clients of fakes.ts, for the tests that
 * walk a whole journey (create, use, tear down) and for the teardown tests: IAM keeps the roles
 * CreateRole made (with their tags and inline policies), EC2 the security groups and their ingress
 * rules, Redshift the cluster (CreateCluster answers `creating`; a few DescribeClusters later it is
 * `available` with its endpoint; DeleteCluster answers `deleting`, and the next DescribeClusters says
 * ClusterNotFound), as the services do. Errors are the SDK's own classes; every answer is a promise,
 * as `send` gives it (src/aws chains `.catch` on some).
 */
import {
  EC2ServiceException,
  type AuthorizeSecurityGroupIngressCommandInput,
  type CreateSecurityGroupCommandInput,
  type DescribeSecurityGroupsCommandInput,
  type IpPermission,
  type SecurityGroup,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  type CreateRoleCommandInput,
  type Role,
} from '@aws-sdk/client-iam';
import {
  ClusterNotFoundFault,
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  type Cluster,
  type CreateClusterCommandInput,
} from '@aws-sdk/client-redshift';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ACCOUNT, cluster, ENDPOINT, ROLE_TAGS, TAGS, type mockAws } from './fakes.js';

type MockedAws = ReturnType<typeof mockAws>;

/** The cluster the wizard looks up by its identifier (the list of all clusters is mocked apart). */
export const THIS_CLUSTER = { ClusterIdentifier: 'dwhcluster' };
/** DescribeClusters' list of every cluster (who else has the role attached). */
export const ALL_CLUSTERS = { MaxRecords: 100 };

export const clusterNotFound = (identifier = 'dwhcluster') =>
  new ClusterNotFoundFault({ message: `Cluster ${identifier} not found.`, $metadata: {} });
export const noSuchRole = (name = 'dwhRole') =>
  new NoSuchEntityException({ message: `The role with name ${name} cannot be found.`, $metadata: {} });

/** The security group the wizard makes for dwhcluster, as DescribeSecurityGroups lists it. */
export const WIZARD_GROUP = {
  GroupId: 'sg-0wizard',
  GroupName: 'dwhcluster-sparkify-dwh',
  VpcId: 'vpc-0default',
  Tags: [{ Key: 'Name', Value: 'dwhcluster-sparkify-dwh' }, ...TAGS],
};

/** The wizard's role for dwhcluster as GetRole answers it, with `tags`. */
export function wizardRole(tags: Role['Tags'] = ROLE_TAGS): Role {
  return {
    RoleName: 'dwhRole',
    Arn: `arn:aws:iam::${ACCOUNT}:role/dwhRole`,
    Path: '/',
    RoleId: 'AROAEXAMPLE',
    CreateDate: new Date(Date.UTC(2025, 0, 2, 1, 0, 0)),
    Tags: tags,
  };
}

/**
 * What teardown reads and deletes of the wizard's role dwhRole: the role (tagged `tags`), its one
 * inline policy, no managed ones; deleting them succeeds. Only this cluster has it attached.
 */
export function mockWizardRole(
  aws: MockedAws,
  tags: Role['Tags'] = TAGS,
  attachedTo: Cluster[] = [cluster('available')],
): void {
  aws.iam.on(GetRoleCommand, { RoleName: 'dwhRole' }).resolves({ Role: wizardRole(tags) });
  aws.iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['sparkify-dwh-s3-read'], IsTruncated: false });
  aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
  aws.iam.on(DeleteRolePolicyCommand).resolves({});
  aws.iam.on(DeleteRoleCommand).resolves({});
  aws.redshift.on(DescribeClustersCommand, ALL_CLUSTERS).resolves({ Clusters: attachedTo });
}

const ec2Error = (name: string, message: string) =>
  new EC2ServiceException({ name, $fault: 'client', message, $metadata: { httpStatusCode: 400 } });

export interface AccountOptions {
  /** DescribeClusters answers that still say `creating` after CreateCluster (default 2). */
  creatingPolls?: number;
  /** The secret AWS keeps the admin password in, when CreateCluster asks it to manage it. */
  secretArn?: string;
  /** The account's time (the test's clock), for ClusterCreateTime. */
  now?: () => number;
}

/**
 * An empty account (no cluster, no role, no group; the default VPC) that remembers what is made in
 * it and forgets what is deleted. Returns its state for the test to look at.
 */
export function awsAccount(aws: MockedAws, options: AccountOptions = {}) {
  const state = {
    cluster: undefined as Cluster | undefined,
    creatingLeft: 0,
    port: 5439,
    role: undefined as Role | undefined,
    rolePolicies: new Set<string>(),
    group: undefined as (SecurityGroup & { IpPermissions: IpPermission[] }) | undefined,
    deleted: [] as string[],
  };
  aws.sts.on(GetCallerIdentityCommand).resolves({
    Account: ACCOUNT,
    Arn: `arn:aws:iam::${ACCOUNT}:user/ana`,
    UserId: 'AIDAEXAMPLE',
  });

  // IAM
  aws.iam.on(GetRoleCommand).callsFake(async (input: { RoleName: string }) => {
    if (!state.role || state.role.RoleName !== input.RoleName) throw noSuchRole(input.RoleName);
    return { Role: state.role };
  });
  aws.iam.on(CreateRoleCommand).callsFake(async (input: CreateRoleCommandInput) => {
    state.role = {
      ...wizardRole(input.Tags),
      RoleName: input.RoleName,
      Arn: `arn:aws:iam::${ACCOUNT}:role/${input.RoleName}`,
    };
    return { Role: state.role };
  });
  aws.iam.on(PutRolePolicyCommand).callsFake(async (input: { PolicyName: string }) => {
    state.rolePolicies.add(input.PolicyName);
    return {};
  });
  aws.iam
    .on(ListRolePoliciesCommand)
    .callsFake(async () => ({ PolicyNames: [...state.rolePolicies], IsTruncated: false }));
  aws.iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
  aws.iam.on(DeleteRolePolicyCommand).callsFake(async (input: { PolicyName: string }) => {
    state.rolePolicies.delete(input.PolicyName);
    return {};
  });
  aws.iam.on(DeleteRoleCommand).callsFake(async (input: { RoleName: string }) => {
    if (!state.role) throw noSuchRole(input.RoleName);
    state.role = undefined;
    state.deleted.push(`role ${input.RoleName}`);
    return {};
  });

  // EC2
  aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
  aws.ec2.on(DescribeSecurityGroupsCommand).callsFake(async (input: DescribeSecurityGroupsCommandInput) => {
    const group = state.group;
    if (input.GroupIds) {
      if (!group || !input.GroupIds.includes(group.GroupId!)) {
        throw ec2Error('InvalidGroup.NotFound', `The security group '${input.GroupIds.join(', ')}' does not exist`);
      }
      return { SecurityGroups: [group] };
    }
    const names = input.Filters?.find((filter) => filter.Name === 'group-name')?.Values;
    return { SecurityGroups: group && (!names || names.includes(group.GroupName!)) ? [group] : [] };
  });
  aws.ec2.on(CreateSecurityGroupCommand).callsFake(async (input: CreateSecurityGroupCommandInput) => {
    state.group = {
      ...WIZARD_GROUP,
      GroupName: input.GroupName,
      Description: input.Description,
      VpcId: input.VpcId,
      Tags: input.TagSpecifications?.flatMap((spec) => spec.Tags ?? []) ?? [],
      IpPermissions: [],
    };
    return { GroupId: state.group.GroupId };
  });
  aws.ec2
    .on(AuthorizeSecurityGroupIngressCommand)
    .callsFake(async (input: AuthorizeSecurityGroupIngressCommandInput) => {
      state.group?.IpPermissions.push(...(input.IpPermissions ?? []));
      return { Return: true };
    });
  aws.ec2.on(DeleteSecurityGroupCommand).callsFake(async (input: { GroupId: string }) => {
    if (!state.group) throw ec2Error('InvalidGroup.NotFound', `The security group '${input.GroupId}' does not exist`);
    if (state.cluster) throw ec2Error('DependencyViolation', `resource ${input.GroupId} has a dependent object`);
    state.group = undefined;
    state.deleted.push(`group ${input.GroupId}`);
    return { Return: true, GroupId: input.GroupId };
  });

  // Redshift
  aws.redshift.on(DescribeClustersCommand).callsFake(async (input: { ClusterIdentifier?: string }) => {
    const answer = state.cluster;
    if (input.ClusterIdentifier === undefined) return { Clusters: answer ? [answer] : [] };
    if (!answer || answer.ClusterIdentifier !== input.ClusterIdentifier) throw clusterNotFound(input.ClusterIdentifier);
    if (answer.ClusterStatus === 'creating' && --state.creatingLeft <= 0) {
      state.cluster = {
        ...answer,
        ClusterStatus: 'available',
        Endpoint: { Address: ENDPOINT, Port: state.port },
        IamRoles: answer.IamRoles?.map((role) => ({ ...role, ApplyStatus: 'in-sync' })),
      };
    }
    if (answer.ClusterStatus === 'deleting') state.cluster = undefined;
    return { Clusters: [answer] };
  });
  aws.redshift.on(CreateClusterCommand).callsFake(async (input: CreateClusterCommandInput) => {
    state.creatingLeft = options.creatingPolls ?? 2;
    state.port = input.Port ?? 5439;
    // No endpoint is listed while a cluster is being created.
    state.cluster = cluster('creating', {
      ClusterIdentifier: input.ClusterIdentifier,
      NodeType: input.NodeType,
      NumberOfNodes: input.NumberOfNodes ?? 1,
      DBName: input.DBName,
      MasterUsername: input.MasterUsername,
      ClusterCreateTime: new Date(options.now?.() ?? Date.now()),
      PubliclyAccessible: input.PubliclyAccessible,
      IamRoles: (input.IamRoles ?? []).map((arn) => ({ IamRoleArn: arn, ApplyStatus: 'adding' })),
      VpcSecurityGroups: (input.VpcSecurityGroupIds ?? []).map((id) => ({ VpcSecurityGroupId: id, Status: 'active' })),
      Tags: input.Tags,
      ...(input.ManageMasterPassword && options.secretArn ? { MasterPasswordSecretArn: options.secretArn } : {}),
    });
    return { Cluster: state.cluster };
  });
  aws.redshift.on(DeleteClusterCommand).callsFake(async (input: { ClusterIdentifier: string }) => {
    if (!state.cluster) throw clusterNotFound(input.ClusterIdentifier);
    state.cluster = { ...state.cluster, ClusterStatus: 'deleting' };
    state.deleted.push(`cluster ${input.ClusterIdentifier}`);
    return { Cluster: state.cluster };
  });
  return state;
}
