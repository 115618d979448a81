/**
 * Thin wrappers over the Redshift API: one command per call, typed results, no prompts or
 * printing. The SDK module is imported inside each call so merely loading this file costs nothing.
 */
import type { Cluster, RedshiftClient } from '@aws-sdk/client-redshift';
import { squeezeSpaces } from '../error-text.js';
import { callAws, isAwsError } from './errors.js';
import type { Tag } from './tags.js';

export interface ClusterInfo {
  identifier: string;
  /** ClusterStatus: creating, available, paused, resuming, deleting, incompatible-network… */
  status: string;
  /** ClusterAvailabilityStatus (Available, Unavailable, Maintenance, Modifying, Failed), when given. */
  availability: string | undefined;
  nodeType: string;
  numberOfNodes: number;
  endpoint: { address: string; port: number } | undefined;
  dbName: string | undefined;
  masterUsername: string | undefined;
  createdAt: Date | undefined;
  vpcId: string | undefined;
  securityGroupIds: string[];
  iamRoleArns: string[];
  tags: Tag[];
  publiclyAccessible: boolean | undefined;
  encrypted: boolean | undefined;
  /** arn:aws:redshift:region:account:cluster:identifier, built from ClusterNamespaceArn (tagging needs it). */
  arn: string | undefined;
}

/** The cluster's ARN from its namespace ARN (same partition, region and account). */
function clusterArn(cluster: Cluster): string | undefined {
  const match = /^arn:([^:]+):redshift:([^:]+):(\d{12}):namespace:/.exec(cluster.ClusterNamespaceArn ?? '');
  if (!match || !cluster.ClusterIdentifier) return undefined;
  return `arn:${match[1]}:redshift:${match[2]}:${match[3]}:cluster:${cluster.ClusterIdentifier}`;
}

function toClusterInfo(cluster: Cluster): ClusterInfo {
  const address = cluster.Endpoint?.Address;
  const port = cluster.Endpoint?.Port;
  return {
    identifier: cluster.ClusterIdentifier ?? '',
    status: cluster.ClusterStatus ?? 'unknown',
    availability: cluster.ClusterAvailabilityStatus,
    nodeType: cluster.NodeType ?? 'unknown',
    numberOfNodes: cluster.NumberOfNodes ?? 1,
    endpoint: address && port !== undefined ? { address, port } : undefined,
    dbName: cluster.DBName,
    masterUsername: cluster.MasterUsername,
    createdAt: cluster.ClusterCreateTime,
    vpcId: cluster.VpcId,
    securityGroupIds: (cluster.VpcSecurityGroups ?? []).flatMap((group) =>
      group.VpcSecurityGroupId ? [group.VpcSecurityGroupId] : [],
    ),
    iamRoleArns: (cluster.IamRoles ?? []).flatMap((role) => (role.IamRoleArn ? [role.IamRoleArn] : [])),
    tags: (cluster.Tags ?? []).flatMap((tag) =>
      tag.Key !== undefined ? [{ Key: tag.Key, Value: tag.Value ?? '' }] : [],
    ),
    publiclyAccessible: cluster.PubliclyAccessible,
    encrypted: cluster.Encrypted,
    arn: clusterArn(cluster),
  };
}

/** The cluster, or undefined when ClusterNotFoundFault says there is none. */
export async function describeCluster(
  client: RedshiftClient,
  identifier: string,
  region?: string,
): Promise<ClusterInfo | undefined> {
  const { DescribeClustersCommand } = await import('@aws-sdk/client-redshift');
  return callAws(
    {
      action: 'redshift:DescribeClusters',
      doing: `looking up cluster ${identifier}`,
      region,
      clusterIdentifier: identifier,
    },
    async () => {
      try {
        const output = await client.send(new DescribeClustersCommand({ ClusterIdentifier: identifier }));
        const cluster = output.Clusters?.[0];
        return cluster ? toClusterInfo(cluster) : undefined;
      } catch (error) {
        if (isAwsError(error, 'ClusterNotFoundFault')) return undefined;
        throw error;
      }
    },
  );
}

export interface CreateClusterRequest {
  identifier: string;
  nodeType: string;
  numberOfNodes: number;
  dbName: string;
  masterUsername: string;
  masterPassword: string;
  port: number;
  iamRoleArn: string;
  securityGroupId: string;
  tags: Tag[];
}

/**
 * Create a cluster reachable from the user's machine: publicly accessible (new clusters are
 * private by default since 2025) behind the given security group, encrypted at rest.
 */
export async function createCluster(
  client: RedshiftClient,
  request: CreateClusterRequest,
  region?: string,
): Promise<ClusterInfo> {
  const { CreateClusterCommand } = await import('@aws-sdk/client-redshift');
  const singleNode = request.numberOfNodes === 1;
  const output = await callAws(
    {
      action: 'redshift:CreateCluster',
      doing: `creating cluster ${request.identifier}`,
      region,
      nodeType: request.nodeType,
      clusterIdentifier: request.identifier,
    },
    () =>
      client.send(
        new CreateClusterCommand({
          ClusterIdentifier: request.identifier,
          ClusterType: singleNode ? 'single-node' : 'multi-node',
          NodeType: request.nodeType,
          // NumberOfNodes is only valid for multi-node clusters.
          ...(singleNode ? {} : { NumberOfNodes: request.numberOfNodes }),
          DBName: request.dbName,
          MasterUsername: request.masterUsername,
          MasterUserPassword: request.masterPassword,
          Port: request.port,
          IamRoles: [request.iamRoleArn],
          VpcSecurityGroupIds: [request.securityGroupId],
          PubliclyAccessible: true,
          Encrypted: true,
          Tags: request.tags,
        }),
      ),
  );
  if (!output.Cluster) throw new Error('CreateCluster returned no cluster');
  return toClusterInfo(output.Cluster);
}

/** PauseCluster; the cluster as the call answered (pausing), when it says. */
export async function pauseCluster(
  client: RedshiftClient,
  identifier: string,
  region?: string,
): Promise<ClusterInfo | undefined> {
  const { PauseClusterCommand } = await import('@aws-sdk/client-redshift');
  const output = await callAws(
    { action: 'redshift:PauseCluster', doing: `pausing cluster ${identifier}`, region, clusterIdentifier: identifier },
    () => client.send(new PauseClusterCommand({ ClusterIdentifier: identifier })),
  );
  return output.Cluster ? toClusterInfo(output.Cluster) : undefined;
}

/** ResumeCluster; the cluster as the call answered (resuming), when it says. */
export async function resumeCluster(
  client: RedshiftClient,
  identifier: string,
  region?: string,
): Promise<ClusterInfo | undefined> {
  const { ResumeClusterCommand } = await import('@aws-sdk/client-redshift');
  const output = await callAws(
    {
      action: 'redshift:ResumeCluster',
      doing: `resuming cluster ${identifier}`,
      region,
      clusterIdentifier: identifier,
    },
    () => client.send(new ResumeClusterCommand({ ClusterIdentifier: identifier })),
  );
  return output.Cluster ? toClusterInfo(output.Cluster) : undefined;
}

/**
 * DescribeClusters' largest page (MaxRecords: default 100, minimum 20, maximum 100;
 * docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeClusters.html).
 */
export const LIST_PAGE_SIZE = 100;

/** Every cluster in the region (paged): who else uses a role. */
export async function describeAllClusters(client: RedshiftClient, region?: string): Promise<ClusterInfo[]> {
  const { DescribeClustersCommand } = await import('@aws-sdk/client-redshift');
  const clusters: ClusterInfo[] = [];
  await callAws({ action: 'redshift:DescribeClusters', doing: 'listing the clusters', region }, async () => {
    let marker: string | undefined;
    do {
      const page = await client.send(
        new DescribeClustersCommand({ MaxRecords: LIST_PAGE_SIZE, ...(marker ? { Marker: marker } : {}) }),
      );
      clusters.push(...(page.Clusters ?? []).map(toClusterInfo));
      marker = page.Marker;
    } while (marker);
  });
  return clusters;
}

/** Add or overwrite tags on the cluster (CreateTags replaces the value of a key already there). */
export async function tagCluster(
  client: RedshiftClient,
  cluster: ClusterInfo,
  tags: Tag[],
  region?: string,
): Promise<void> {
  const { CreateTagsCommand } = await import('@aws-sdk/client-redshift');
  if (!cluster.arn) throw new Error(`cluster ${cluster.identifier} has no known ARN`);
  const resourceName = cluster.arn;
  await callAws(
    {
      action: 'redshift:CreateTags',
      doing: `tagging cluster ${cluster.identifier}`,
      region,
      clusterIdentifier: cluster.identifier,
    },
    () => client.send(new CreateTagsCommand({ ResourceName: resourceName, Tags: tags })),
  );
}

/**
 * Delete the cluster, with a final snapshot when `finalSnapshotIdentifier` is given. A cluster
 * already gone (or already being deleted) is not an error: teardown must be safe to rerun. 'busy':
 * the cluster is in a state DeleteCluster refuses (InvalidClusterStateFault); wait and ask again.
 */
export async function deleteCluster(
  client: RedshiftClient,
  identifier: string,
  finalSnapshotIdentifier: string | undefined,
  region?: string,
): Promise<'deleting' | 'gone' | 'busy'> {
  const { DeleteClusterCommand } = await import('@aws-sdk/client-redshift');
  return callAws(
    {
      action: 'redshift:DeleteCluster',
      doing: `deleting cluster ${identifier}`,
      region,
      clusterIdentifier: identifier,
    },
    async () => {
      try {
        await client.send(
          new DeleteClusterCommand({
            ClusterIdentifier: identifier,
            ...(finalSnapshotIdentifier
              ? { SkipFinalClusterSnapshot: false, FinalClusterSnapshotIdentifier: finalSnapshotIdentifier }
              : { SkipFinalClusterSnapshot: true }),
          }),
        );
        return 'deleting';
      } catch (error) {
        if (isAwsError(error, 'ClusterNotFoundFault')) return 'gone';
        // Creating, resuming, modifying…: "The specified cluster is not in the available state".
        if (isAwsError(error, 'InvalidClusterStateFault')) return 'busy';
        throw error;
      }
    },
  );
}

/**
 * The latest event Redshift recorded for the cluster (the reason behind a failed state), on one
 * line, or undefined when there is none or it cannot be read: this is a diagnosis aid, never fatal.
 */
export async function latestClusterEvent(client: RedshiftClient, identifier: string): Promise<string | undefined> {
  const { DescribeEventsCommand } = await import('@aws-sdk/client-redshift');
  try {
    const output = await client.send(
      new DescribeEventsCommand({ SourceIdentifier: identifier, SourceType: 'cluster', Duration: 24 * 60 }),
    );
    const events = [...(output.Events ?? [])].sort((a, b) => (b.Date?.getTime() ?? 0) - (a.Date?.getTime() ?? 0));
    const message = events[0]?.Message;
    return message === undefined ? undefined : squeezeSpaces(message);
  } catch {
    return undefined;
  }
}
