/**
 * How the wizard marks what it creates. Teardown deletes only resources carrying CREATED_BY_TAG,
 * so a role or group the user made by hand, even with the same name, is never touched.
 */
export const CREATED_BY_KEY = 'created-by';
export const CREATED_BY_VALUE = 'sparkify-dwh';
/** Which cluster a security group was made for (a group name alone is not proof). */
export const CLUSTER_TAG_KEY = 'sparkify-dwh:cluster';

export interface Tag {
  Key: string;
  Value: string;
}

/** Tags for a resource the wizard creates for `clusterIdentifier`. */
export function wizardTags(clusterIdentifier: string): Tag[] {
  return [
    { Key: CREATED_BY_KEY, Value: CREATED_BY_VALUE },
    { Key: CLUSTER_TAG_KEY, Value: clusterIdentifier },
  ];
}

/** Whether an SDK tag list (any service's shape) marks the resource as the wizard's. */
export function isCreatedByWizard(
  tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined,
): boolean {
  return (tags ?? []).some((tag) => tag.Key === CREATED_BY_KEY && tag.Value === CREATED_BY_VALUE);
}

/**
 * Which region a role was made in. IAM roles are global, clusters and their groups regional: two
 * configs with the same cluster identifier in two regions must not share (and delete) one role.
 */
export const REGION_TAG_KEY = 'sparkify-dwh:region';

/** Tags for the IAM role the wizard creates for `clusterIdentifier` in `region`. */
export function roleTags(clusterIdentifier: string, region: string): Tag[] {
  return [...wizardTags(clusterIdentifier), { Key: REGION_TAG_KEY, Value: region }];
}

/** Whose a resource is, by its tags: this cluster's, another cluster's (made by the wizard too), or not ours. */
export type Ownership =
  | { kind: 'this-cluster' }
  | { kind: 'other-cluster'; cluster: string; region: string | undefined }
  | { kind: 'not-ours' };

type SdkTags = ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined;

function tagValue(tags: SdkTags, key: string): string | undefined {
  return (tags ?? []).find((tag) => tag.Key === key)?.Value;
}

/**
 * A resource belongs to this cluster when the wizard made it (created-by) for this identifier (and,
 * for a role, in this region). A wizard resource with no cluster tag predates it: taken as this one's.
 */
export function ownershipOf(tags: SdkTags, clusterIdentifier: string, region?: string): Ownership {
  if (!isCreatedByWizard(tags)) return { kind: 'not-ours' };
  const cluster = tagValue(tags, CLUSTER_TAG_KEY);
  const taggedRegion = tagValue(tags, REGION_TAG_KEY);
  const otherCluster = cluster !== undefined && cluster !== clusterIdentifier;
  const otherRegion = region !== undefined && taggedRegion !== undefined && taggedRegion !== region;
  if (otherCluster || otherRegion) {
    return { kind: 'other-cluster', cluster: cluster ?? clusterIdentifier, region: taggedRegion };
  }
  return { kind: 'this-cluster' };
}

/** "cluster dwhcluster in us-east-1", for messages about a resource another cluster owns. */
export function ownerText(owner: { cluster: string; region: string | undefined }): string {
  return `cluster ${owner.cluster}${owner.region ? ` in ${owner.region}` : ''}`;
}
