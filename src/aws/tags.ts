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
