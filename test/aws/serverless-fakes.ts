/**
 * Redshift Serverless answers as the service gives them (shapes from GetNamespace / GetWorkgroup /
 * ListTagsForResource), for the mocked client in fakes.ts, and the SDK's real exception classes.
 */
import {
  ConflictException,
  ResourceNotFoundException,
  type Namespace,
  type Tag as ServerlessTag,
  type Workgroup,
} from '@aws-sdk/client-redshift-serverless';
import { ACCOUNT, REGION, ROLE_ARN } from './fakes.js';

const ARN_PREFIX = `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}`;
export const NAMESPACE_ARN = `${ARN_PREFIX}:namespace/3d9f5c2e-8a1b-4c6d-9e0f-1a2b3c4d5e6f`;
export const WORKGROUP_ARN = `${ARN_PREFIX}:workgroup/7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e`;
export const WORKGROUP_ENDPOINT = `dwhcluster.${ACCOUNT}.${REGION}.redshift-serverless.amazonaws.com`;
export const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:redshift!dwhcluster-admin-AbCdEf`;

/** The wizard's tags in the Serverless shape (lowercase key/value). */
export const SERVERLESS_TAGS: ServerlessTag[] = [
  { key: 'created-by', value: 'sparkify-dwh' },
  { key: 'sparkify-dwh:cluster', value: 'dwhcluster' },
];

export function namespace(status: string, extra: Partial<Namespace> = {}): Namespace {
  return {
    namespaceArn: NAMESPACE_ARN,
    namespaceId: '3d9f5c2e-8a1b-4c6d-9e0f-1a2b3c4d5e6f',
    namespaceName: 'dwhcluster',
    adminUsername: 'dwhuser',
    dbName: 'dwh',
    kmsKeyId: 'AWS_OWNED_KMS_KEY',
    defaultIamRoleArn: ROLE_ARN,
    // GetNamespace's own rendering of the role list (the ARN is parsed out of it).
    iamRoles: [`IamRole(applyStatus=in-sync, iamRoleArn=${ROLE_ARN})`],
    logExports: [],
    status: status as Namespace['status'],
    creationDate: new Date(Date.UTC(2025, 0, 2, 1, 4, 5)),
    adminPasswordSecretArn: SECRET_ARN,
    ...extra,
  };
}

export function workgroup(status: string, extra: Partial<Workgroup> = {}): Workgroup {
  return {
    workgroupId: '7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
    workgroupArn: WORKGROUP_ARN,
    workgroupName: 'dwhcluster',
    namespaceName: 'dwhcluster',
    baseCapacity: 8,
    maxCapacity: 512,
    enhancedVpcRouting: false,
    configParameters: [{ parameterKey: 'require_ssl', parameterValue: 'true' }],
    securityGroupIds: ['sg-0default'],
    subnetIds: ['subnet-0a', 'subnet-0b', 'subnet-0c'],
    status: status as Workgroup['status'],
    publiclyAccessible: false,
    port: 5439,
    creationDate: new Date(Date.UTC(2025, 0, 2, 1, 5, 0)),
    ...(status === 'AVAILABLE' || status === 'MODIFYING'
      ? { endpoint: { address: WORKGROUP_ENDPOINT, port: 5439, vpcEndpoints: [] } }
      : {}),
    ...extra,
  };
}

export const notFound = (what: string) =>
  new ResourceNotFoundException({ message: `${what} not found.`, $metadata: {} });

export const conflict = (message: string) => new ConflictException({ message, $metadata: {} });
