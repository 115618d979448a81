/**
 * Doubles shared by the cluster step tests: the public-IP lookup and the Redshift connection
 * (no network), and AWS answering as an empty account would (no role, no group yet).
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { CreateRoleCommand, GetRoleCommand, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ClusterNotFoundFault } from '@aws-sdk/client-redshift';
import type { ClusterDeps } from '../../src/steps/cluster-deps.js';
import type { RedshiftConnection } from '../../src/warehouse/redshift.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { ROLE_ARN, type mockAws } from '../aws/fakes.js';

export const notFound = () => new ClusterNotFoundFault({ message: 'Cluster dwhcluster not found.', $metadata: {} });

export interface Connected {
  connections: RedshiftConnection[];
  deps: Partial<ClusterDeps>;
}

/** The caller's address is `ip` (null: the lookup fails); every connection is recorded and answers version(). */
export function fakeDeps(ip: string | null = '203.0.113.7'): Connected {
  const connections: RedshiftConnection[] = [];
  const warehouse = {
    target: 'redshift',
    dialect: 'redshift',
    description: 'redshift://dwhuser@test',
    query: () =>
      Promise.resolve({
        rows: [{ version: 'PostgreSQL 8.0.2 on i686-pc-linux-gnu, Redshift 1.0.90000' }],
        fields: ['version'],
        rowCount: 1,
      }),
    close: () => Promise.resolve(),
  } as unknown as Warehouse; // only query and close are used by the connection test
  return {
    connections,
    deps: {
      lookupPublicIp: () => Promise.resolve(ip ?? undefined),
      openRedshift: (connection) => {
        connections.push(connection);
        return Promise.resolve(warehouse);
      },
    },
  };
}

/** No role and no security group yet; creating them succeeds. */
export function mockFreshNetworkAndRole(aws: ReturnType<typeof mockAws>): void {
  aws.iam
    .on(GetRoleCommand)
    .rejects(new NoSuchEntityException({ message: 'The role with name dwhRole cannot be found.', $metadata: {} }));
  aws.iam.on(CreateRoleCommand).resolves({
    Role: { RoleName: 'dwhRole', Arn: ROLE_ARN, Path: '/', RoleId: 'AROAEXAMPLE', CreateDate: new Date() },
  });
  aws.iam.on(PutRolePolicyCommand).resolves({});
  aws.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-0default', IsDefault: true }] });
  aws.ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  aws.ec2.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-0wizard' });
  aws.ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
}

/** Enter at every prompt: identifier, node type, nodes, db, user, port, role, automatic pause (never); then confirm. */
export const ACCEPT_DEFAULTS = [
  undefined,
  'ra3.large',
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  true,
];
