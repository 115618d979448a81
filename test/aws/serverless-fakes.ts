/**
 * Redshift Serverless answers as the service gives them (shapes from GetNamespace / GetWorkgroup /
 * ListTagsForResource), for the mocked client in fakes.ts, and the SDK's real exception classes.
 */
import {
  ConflictException,
  CreateNamespaceCommand,
  CreateWorkgroupCommand,
  DeleteNamespaceCommand,
  DeleteWorkgroupCommand,
  GetNamespaceCommand,
  GetWorkgroupCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  ValidationException,
  type CreateNamespaceCommandInput,
  type CreateWorkgroupCommandInput,
  type Namespace,
  type RedshiftServerlessClient,
  type Tag as ServerlessTag,
  type Workgroup,
} from '@aws-sdk/client-redshift-serverless';
import type { AwsClientStub } from 'aws-sdk-client-mock';
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

/**
 * Redshift Serverless as a small stateful service on the mocked client: CreateNamespace answers
 * AVAILABLE, CreateWorkgroup CREATING (AVAILABLE, with its endpoint, from the second GetWorkgroup
 * on), Delete* answer DELETING and the next Get* says ResourceNotFound, as the service does. Tags
 * are those the create calls carried; ListTagsForResource answers them by ARN.
 */
export function serverlessService(mock: AwsClientStub<RedshiftServerlessClient>) {
  const state = {
    namespace: undefined as Namespace | undefined,
    workgroup: undefined as Workgroup | undefined,
    workgroupPolls: 0,
    tags: new Map<string, ServerlessTag[]>(),
    finalSnapshots: [] as string[],
  };
  mock.on(GetNamespaceCommand).callsFake(() => {
    if (!state.namespace) throw notFound('Namespace dwhcluster');
    const answer = state.namespace;
    if (answer.status === 'DELETING') state.namespace = undefined;
    return { namespace: answer };
  });
  mock.on(GetWorkgroupCommand).callsFake(() => {
    if (!state.workgroup) throw notFound('Workgroup dwhcluster');
    const answer = state.workgroup;
    if (answer.status === 'CREATING' && ++state.workgroupPolls > 1) state.workgroup = workgroup('AVAILABLE');
    if (answer.status === 'DELETING') state.workgroup = undefined;
    return { workgroup: answer };
  });
  mock.on(ListTagsForResourceCommand).callsFake((input: { resourceArn: string }) => ({
    tags: state.tags.get(input.resourceArn) ?? [],
  }));
  mock.on(CreateNamespaceCommand).callsFake((input: CreateNamespaceCommandInput) => {
    state.namespace = namespace('AVAILABLE', {
      namespaceName: input.namespaceName,
      dbName: input.dbName,
      adminUsername: input.adminUsername,
      defaultIamRoleArn: input.defaultIamRoleArn,
      adminPasswordSecretArn: input.manageAdminPassword ? SECRET_ARN : undefined,
    });
    state.tags.set(NAMESPACE_ARN, input.tags ?? []);
    return { namespace: state.namespace };
  });
  mock.on(CreateWorkgroupCommand).callsFake((input: CreateWorkgroupCommandInput) => {
    if (state.namespace?.namespaceName !== input.namespaceName) {
      throw new ValidationException({ message: `Namespace ${input.namespaceName} not found.`, $metadata: {} });
    }
    state.workgroup = workgroup('CREATING', { baseCapacity: input.baseCapacity, publiclyAccessible: false });
    state.tags.set(WORKGROUP_ARN, input.tags ?? []);
    return { workgroup: state.workgroup };
  });
  mock.on(DeleteWorkgroupCommand).callsFake(() => {
    if (!state.workgroup) throw notFound('Workgroup dwhcluster');
    state.workgroup = workgroup('DELETING');
    return { workgroup: state.workgroup };
  });
  mock.on(DeleteNamespaceCommand).callsFake((input: { finalSnapshotName?: string }) => {
    if (!state.namespace) throw notFound('Namespace dwhcluster');
    if (state.workgroup) throw conflict('There are workgroups associated with the namespace.');
    if (input.finalSnapshotName) state.finalSnapshots.push(input.finalSnapshotName);
    state.namespace = { ...state.namespace, status: 'DELETING' };
    return { namespace: state.namespace };
  });
  return state;
}
