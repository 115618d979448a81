/**
 * Thin wrappers over the Redshift Serverless API (a namespace holds the databases, a workgroup is
 * the compute that serves them): one command per call, typed results, no prompts or printing. The
 * SDK module is imported inside each call so merely loading this file costs nothing.
 *
 * API reference: https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/Welcome.html
 * Namespace and workgroup statuses (NamespaceStatus AVAILABLE | MODIFYING | DELETING, WorkgroupStatus
 * CREATING | AVAILABLE | MODIFYING | DELETING) are the enums of the API's Namespace and Workgroup types.
 */
import type { Namespace, RedshiftServerlessClient, Workgroup } from '@aws-sdk/client-redshift-serverless';
import { UserError } from '../errors.js';
import { squeezeSpaces } from '../error-text.js';
import { awsErrorName, awsUserError, isAwsError, type AwsErrorContext } from './errors.js';
import type { Tag } from './tags.js';

export interface NamespaceInfo {
  name: string;
  arn: string | undefined;
  /** AVAILABLE, MODIFYING or DELETING. */
  status: string;
  dbName: string | undefined;
  adminUsername: string | undefined;
  /** The Secrets Manager secret holding the admin password, when AWS manages it (manageAdminPassword). */
  adminPasswordSecretArn: string | undefined;
  defaultIamRoleArn: string | undefined;
  iamRoleArns: string[];
  createdAt: Date | undefined;
}

export interface WorkgroupInfo {
  name: string;
  arn: string | undefined;
  namespaceName: string | undefined;
  /** CREATING, AVAILABLE, MODIFYING or DELETING. */
  status: string;
  baseCapacity: number | undefined;
  /** The address clients connect to (pg over TLS when publicly accessible). */
  endpoint: { address: string; port: number } | undefined;
  port: number | undefined;
  publiclyAccessible: boolean | undefined;
  createdAt: Date | undefined;
}

/**
 * A namespace's `iamRoles` entries are documented as role ARNs, but the service has answered
 * `IamRole(applyStatus=in-sync, iamRoleArn=arn:…)`, with the two fields in either order (seen in
 * aws-solutions-library-samples/guidance-for-clickstream-analytics-on-aws pull 506/507): keep only
 * the ARN, whichever shape comes back.
 */
export function iamRoleArnOf(entry: string): string {
  const match = /iamRoleArn=([^,)]+)/.exec(entry);
  return match ? match[1]! : entry;
}

function toNamespaceInfo(namespace: Namespace): NamespaceInfo {
  return {
    name: namespace.namespaceName ?? '',
    arn: namespace.namespaceArn,
    status: namespace.status ?? 'unknown',
    dbName: namespace.dbName,
    adminUsername: namespace.adminUsername,
    adminPasswordSecretArn: namespace.adminPasswordSecretArn,
    defaultIamRoleArn: namespace.defaultIamRoleArn,
    iamRoleArns: (namespace.iamRoles ?? []).map(iamRoleArnOf),
    createdAt: namespace.creationDate,
  };
}

function toWorkgroupInfo(workgroup: Workgroup): WorkgroupInfo {
  const address = workgroup.endpoint?.address;
  const port = workgroup.endpoint?.port ?? workgroup.port;
  return {
    name: workgroup.workgroupName ?? '',
    arn: workgroup.workgroupArn,
    namespaceName: workgroup.namespaceName,
    status: workgroup.status ?? 'unknown',
    baseCapacity: workgroup.baseCapacity,
    endpoint: address && port !== undefined ? { address, port } : undefined,
    port: workgroup.port,
    publiclyAccessible: workgroup.publiclyAccessible,
    createdAt: workgroup.creationDate,
  };
}

/** The Serverless failures that deserve their own line; undefined: the shared AWS wording fits. */
export function describeServerlessError(error: unknown, context: AwsErrorContext): string | undefined {
  const name = awsErrorName(error);
  const region = context.region ?? 'this region';
  const detail = error instanceof Error ? squeezeSpaces(error.message) : '';
  switch (name) {
    case 'ServiceQuotaExceededException':
      return (
        `the account has reached a Redshift Serverless quota in ${region} while ${context.doing} (${detail}): ` +
        'delete an unused namespace or workgroup, or request an increase in the Service Quotas console'
      );
    case 'InsufficientCapacityException':
      return (
        `AWS has no spare Redshift Serverless capacity in ${region} right now: ` +
        'try a smaller [DWH] DWH_BASE_RPU, another region ([AWS] REGION) or again later'
      );
    case 'ValidationException':
      return `Redshift Serverless refused the request while ${context.doing}: ${detail}`;
    case 'ResourceNotFoundException':
      return (
        `Redshift Serverless found nothing while ${context.doing} in ${region} (${detail}): ` +
        'check [DWH] DWH_CLUSTER_IDENTIFIER and [AWS] REGION, or run `sparkify-dwh cluster create`'
      );
    case 'TooManyTagsException':
      return `Redshift Serverless refused the tags while ${context.doing}: ${detail}`;
    default:
      return undefined;
  }
}

/** Run one Redshift Serverless call, turning its failure into a UserError (AbortError passes through). */
export async function callServerless<T>(context: AwsErrorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    if (error instanceof UserError) throw error;
    const line = describeServerlessError(error, context);
    throw line === undefined ? awsUserError(error, context) : new UserError(line, { cause: error });
  }
}

/** The namespace, or undefined when ResourceNotFoundException says there is none. */
export async function getNamespace(
  client: RedshiftServerlessClient,
  name: string,
  region?: string,
): Promise<NamespaceInfo | undefined> {
  const { GetNamespaceCommand } = await import('@aws-sdk/client-redshift-serverless');
  return callServerless(
    { action: 'redshift-serverless:GetNamespace', doing: `looking up namespace ${name}`, region },
    async () => {
      try {
        const { namespace } = await client.send(new GetNamespaceCommand({ namespaceName: name }));
        return namespace ? toNamespaceInfo(namespace) : undefined;
      } catch (error) {
        if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
        throw error;
      }
    },
  );
}

/** The workgroup, or undefined when ResourceNotFoundException says there is none. */
export async function getWorkgroup(
  client: RedshiftServerlessClient,
  name: string,
  region?: string,
): Promise<WorkgroupInfo | undefined> {
  const { GetWorkgroupCommand } = await import('@aws-sdk/client-redshift-serverless');
  return callServerless(
    { action: 'redshift-serverless:GetWorkgroup', doing: `looking up workgroup ${name}`, region },
    async () => {
      try {
        const { workgroup } = await client.send(new GetWorkgroupCommand({ workgroupName: name }));
        return workgroup ? toWorkgroupInfo(workgroup) : undefined;
      } catch (error) {
        if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
        throw error;
      }
    },
  );
}

/**
 * The resource's tags, in the Key/Value shape the rest of the wizard uses. Neither GetNamespace nor
 * GetWorkgroup returns tags: ListTagsForResource is the only way to tell the wizard's from the user's.
 * A resource gone meanwhile has no tags.
 */
export async function listServerlessTags(
  client: RedshiftServerlessClient,
  arn: string,
  region?: string,
): Promise<Tag[]> {
  const { ListTagsForResourceCommand } = await import('@aws-sdk/client-redshift-serverless');
  return callServerless(
    { action: 'redshift-serverless:ListTagsForResource', doing: `reading the tags of ${arn}`, region },
    async () => {
      try {
        const { tags } = await client.send(new ListTagsForResourceCommand({ resourceArn: arn }));
        return (tags ?? []).flatMap((tag) => (tag.key !== undefined ? [{ Key: tag.key, Value: tag.value ?? '' }] : []));
      } catch (error) {
        if (isAwsError(error, 'ResourceNotFoundException')) return [];
        throw error;
      }
    },
  );
}

/** The admin password: set by the user, or generated and kept in Secrets Manager by Redshift. */
export type AdminPassword = { managed: true } | { managed: false; password: string };

export interface CreateNamespaceRequest {
  name: string;
  dbName: string;
  adminUsername: string;
  adminPassword: AdminPassword;
  /** The role COPY reads S3 with: the namespace's default role and its only role. */
  roleArn: string;
  tags: Tag[];
}

/** The request parameters, built apart so the test can check exactly what is sent. Pure. */
export function createNamespaceInput(request: CreateNamespaceRequest) {
  return {
    namespaceName: request.name,
    dbName: request.dbName,
    adminUsername: request.adminUsername,
    // manageAdminPassword and adminUserPassword exclude each other (API_CreateNamespace).
    ...(request.adminPassword.managed
      ? { manageAdminPassword: true }
      : { adminUserPassword: request.adminPassword.password }),
    defaultIamRoleArn: request.roleArn,
    iamRoles: [request.roleArn],
    tags: request.tags.map((tag) => ({ key: tag.Key, value: tag.Value })),
  };
}

/** CreateNamespace; `existed` when ConflictException says a namespace of that name exists already. */
export async function createNamespace(
  client: RedshiftServerlessClient,
  request: CreateNamespaceRequest,
  region?: string,
): Promise<NamespaceInfo | { existed: true }> {
  const { CreateNamespaceCommand } = await import('@aws-sdk/client-redshift-serverless');
  return callServerless(
    { action: 'redshift-serverless:CreateNamespace', doing: `creating namespace ${request.name}`, region },
    async () => {
      try {
        const { namespace } = await client.send(new CreateNamespaceCommand(createNamespaceInput(request)));
        if (!namespace) throw new Error('CreateNamespace returned no namespace');
        return toNamespaceInfo(namespace);
      } catch (error) {
        if (isAwsError(error, 'ConflictException')) return { existed: true as const };
        throw error;
      }
    },
  );
}

export interface CreateWorkgroupRequest {
  name: string;
  namespaceName: string;
  baseCapacity: number;
  publiclyAccessible: boolean;
  port: number;
  /** Only for a public workgroup: the group that admits DWH_ALLOWED_CIDR. Omitted: the VPC's default group. */
  securityGroupIds?: string[] | undefined;
  tags: Tag[];
}

/** The request parameters. Pure. */
export function createWorkgroupInput(request: CreateWorkgroupRequest) {
  return {
    workgroupName: request.name,
    namespaceName: request.namespaceName,
    baseCapacity: request.baseCapacity,
    publiclyAccessible: request.publiclyAccessible,
    port: request.port,
    ...(request.securityGroupIds?.length ? { securityGroupIds: request.securityGroupIds } : {}),
    tags: request.tags.map((tag) => ({ key: tag.Key, value: tag.Value })),
  };
}

/** CreateWorkgroup; `existed` when ConflictException says a workgroup of that name exists already. */
export async function createWorkgroup(
  client: RedshiftServerlessClient,
  request: CreateWorkgroupRequest,
  region?: string,
): Promise<WorkgroupInfo | { existed: true }> {
  const { CreateWorkgroupCommand } = await import('@aws-sdk/client-redshift-serverless');
  return callServerless(
    { action: 'redshift-serverless:CreateWorkgroup', doing: `creating workgroup ${request.name}`, region },
    async () => {
      try {
        const { workgroup } = await client.send(new CreateWorkgroupCommand(createWorkgroupInput(request)));
        if (!workgroup) throw new Error('CreateWorkgroup returned no workgroup');
        return toWorkgroupInfo(workgroup);
      } catch (error) {
        if (isAwsError(error, 'ConflictException')) return { existed: true as const };
        throw error;
      }
    },
  );
}

/**
 * DeleteWorkgroup. A workgroup already gone is not an error (teardown must be safe to rerun); one
 * already being deleted answers ConflictException, which means the same here.
 */
export async function deleteWorkgroup(
  client: RedshiftServerlessClient,
  name: string,
  region?: string,
): Promise<'deleting' | 'gone'> {
  const { DeleteWorkgroupCommand } = await import('@aws-sdk/client-redshift-serverless');
  return callServerless(
    { action: 'redshift-serverless:DeleteWorkgroup', doing: `deleting workgroup ${name}`, region },
    async () => {
      try {
        await client.send(new DeleteWorkgroupCommand({ workgroupName: name }));
        return 'deleting';
      } catch (error) {
        if (isAwsError(error, 'ResourceNotFoundException')) return 'gone';
        if (isAwsError(error, 'ConflictException') && /delet/i.test(String((error as Error).message))) {
          return 'deleting';
        }
        throw error;
      }
    },
  );
}

/**
 * DeleteNamespace, with a final snapshot when `finalSnapshotName` is given. A namespace with a
 * workgroup cannot be deleted ("If you want to delete a namespace with an associated workgroup, you
 * have to first delete the workgroup",
 * https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-console-namespace-delete.html): the
 * caller waits for the workgroup to be gone first. Already gone is not an error.
 */
export async function deleteNamespace(
  client: RedshiftServerlessClient,
  name: string,
  finalSnapshotName: string | undefined,
  region?: string,
): Promise<'deleting' | 'gone'> {
  const { DeleteNamespaceCommand } = await import('@aws-sdk/client-redshift-serverless');
  return callServerless(
    { action: 'redshift-serverless:DeleteNamespace', doing: `deleting namespace ${name}`, region },
    async () => {
      try {
        await client.send(
          new DeleteNamespaceCommand({
            namespaceName: name,
            ...(finalSnapshotName ? { finalSnapshotName } : {}),
          }),
        );
        return 'deleting';
      } catch (error) {
        if (isAwsError(error, 'ResourceNotFoundException')) return 'gone';
        throw error;
      }
    },
  );
}
