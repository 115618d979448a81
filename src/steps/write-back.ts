/**
 * Every dwh.cfg key the AWS steps write back, in one place: the region and keys `credentials`
 * records, what `cluster create` records about the inputs and the cluster, what `cluster resume`
 * refreshes, and what `teardown` clears once the resource behind a key is gone. `writeBack` writes
 * only the keys whose value changes, so an unchanged file is not rewritten.
 */
import type { ClusterSpec } from '../aws/provision-cluster.js';
import type { ClusterInfo } from '../aws/redshift.js';
import { changesFor, WRITE_BACK } from '../config/schema.js';
import type { ConfigChange, ConfigStore } from '../config/types.js';
import type { Context } from '../context.js';

/** The region chosen in `credentials`. */
export function regionWriteBack(region: string): ConfigChange[] {
  return [{ section: 'AWS', key: 'REGION', value: region }];
}

/** A profile picked in `credentials`, written only when the user agrees. */
export function profileWriteBack(profile: string): ConfigChange[] {
  return [{ section: 'AWS', key: 'PROFILE', value: profile }];
}

/** Typed access keys, written only when the user agrees (a profile is safer). */
export function keysWriteBack(keys: { accessKeyId: string; secretAccessKey: string }): ConfigChange[] {
  return [
    { section: 'AWS', key: 'KEY', value: keys.accessKeyId },
    { section: 'AWS', key: 'SECRET', value: keys.secretAccessKey },
  ];
}

/** [DWH] keys for the inputs chosen at the prompts, so dwh.cfg describes the cluster made. */
export function dwhWriteBack(spec: ClusterSpec): ConfigChange[] {
  return changesFor(WRITE_BACK.clusterSettings, {
    dwh: {
      clusterIdentifier: spec.identifier,
      clusterType: spec.numberOfNodes === 1 ? 'single-node' : 'multi-node',
      numNodes: spec.numberOfNodes,
      nodeType: spec.nodeType,
      iamRoleName: spec.roleName,
      db: spec.dbName,
      dbUser: spec.dbUser,
      dbPassword: spec.password,
      port: spec.port,
    },
  });
}

/** The address typed at the prompt (a looked-up one is not written: it changes with the network). */
export function allowedCidrWriteBack(cidr: string): ConfigChange[] {
  return [{ section: 'DWH', key: 'DWH_ALLOWED_CIDR', value: cidr }];
}

/** The identifier of a reused cluster, when it is not the configured one. */
export function identifierWriteBack(identifier: string): ConfigChange[] {
  return [{ section: 'DWH', key: 'DWH_CLUSTER_IDENTIFIER', value: identifier }];
}

/** The role's ARN, as soon as the role exists. */
export function roleArnWriteBack(roleArn: string): ConfigChange[] {
  return [{ section: 'IAM_ROLE', key: 'ARN', value: roleArn }];
}

/** The keys that record an available cluster. */
export function clusterWriteBack(
  cluster: ClusterInfo,
  roleArn: string | undefined,
  password: string | undefined,
): ConfigChange[] {
  return changesFor([...WRITE_BACK.connection, ...WRITE_BACK.role], {
    cluster: {
      host: cluster.endpoint?.address,
      dbName: cluster.dbName,
      dbUser: cluster.masterUsername,
      dbPassword: password,
      dbPort: cluster.endpoint?.port,
    },
    iamRole: { arn: roleArn },
  });
}

/** A resumed cluster's endpoint (it can change across a pause). */
export function endpointWriteBack(address: string): ConfigChange[] {
  return [{ section: 'CLUSTER', key: 'HOST', value: address }];
}

/** [CLUSTER] HOST and [IAM_ROLE] ARN, emptied once what they point to is gone (and only if set). */
export function teardownClears(config: ConfigStore, gone: { host: boolean; arn: boolean }): ConfigChange[] {
  const changes: ConfigChange[] = [];
  if (gone.host && config.get('CLUSTER', 'HOST')) changes.push({ section: 'CLUSTER', key: 'HOST', value: undefined });
  if (gone.arn && config.get('IAM_ROLE', 'ARN')) changes.push({ section: 'IAM_ROLE', key: 'ARN', value: undefined });
  return changes;
}

/**
 * Write the changes whose value differs from dwh.cfg. Resolves to whether the file changed, so the
 * step can say "already up to date" instead of claiming to have written (src/ui/config-saved.ts).
 */
export async function writeBack(config: ConfigStore, changes: ConfigChange[]): Promise<boolean> {
  const differing = changes.filter((change) => config.get(change.section, change.key) !== change.value);
  if (differing.length === 0) return false;
  return config.update(differing);
}

/** Teardown: clear [CLUSTER] HOST and [IAM_ROLE] ARN once what they point to is gone (cluster or Serverless). */
export async function clearWrittenBack(ctx: Context, gone: { host: boolean; arn: boolean }): Promise<void> {
  const changes = teardownClears(ctx.config, gone);
  if (changes.length === 0) return;
  await ctx.config.update(changes);
  const keys = changes.map((change) => `[${change.section}] ${change.key}`).join(' and ');
  ctx.ui.success(`Cleared ${keys} in ${ctx.config.displayPath}`);
}
