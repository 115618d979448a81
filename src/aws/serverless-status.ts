/**
 * What `cluster status`, write-back and the cost line need to know about a Serverless warehouse:
 * the workgroup and namespace as AWS describes them, the dwh.cfg keys that record how to connect,
 * and the cost of the usage so far. Prints and asks nothing.
 */
import type { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { changesFor, WRITE_BACK } from '../config/schema.js';
import type { ConfigChange } from '../config/types.js';
import type { ServerlessUsage } from '../sql/serverless.js';
import { serverlessUsageCost, SERVERLESS_USD_PER_RPU_HOUR } from './pricing.js';
import { getNamespace, getWorkgroup, type NamespaceInfo, type WorkgroupInfo } from './serverless.js';

export interface ServerlessDescription {
  /** Undefined: there is none under this name. */
  workgroup: WorkgroupInfo | undefined;
  namespace: NamespaceInfo | undefined;
}

/** GetWorkgroup and GetNamespace for the identifier: endpoint, status, base capacity, secret ARN, dates. */
export async function describeServerless(
  client: RedshiftServerlessClient,
  identifier: string,
  region: string,
): Promise<ServerlessDescription> {
  const [workgroup, namespace] = await Promise.all([
    getWorkgroup(client, identifier, region),
    getNamespace(client, identifier, region),
  ]);
  return { workgroup, namespace };
}

/**
 * The [CLUSTER] keys that record an available workgroup: HOST (the workgroup endpoint), DB_PORT,
 * DB_NAME, DB_USER, and DB_PASSWORD only when the user set one (a managed password lives in Secrets
 * Manager, never in dwh.cfg). Pure.
 */
export function serverlessWriteBack(
  workgroup: WorkgroupInfo,
  namespace: NamespaceInfo | undefined,
  password: string | undefined,
): ConfigChange[] {
  return changesFor(WRITE_BACK.connection, {
    cluster: {
      host: workgroup.endpoint?.address,
      dbName: namespace?.dbName,
      dbUser: namespace?.adminUsername,
      dbPassword: password || undefined,
      dbPort: workgroup.endpoint?.port ?? workgroup.port,
    },
  });
}

export interface UsageSoFar {
  chargedRpuHours: number;
  /** Compute only, at the us-east-1 / us-west-2 price per RPU-hour; storage is billed apart. */
  computeUsd: number;
  usdPerRpuHour: number;
  from: Date | undefined;
  to: Date | undefined;
}

/** The cost of what SYS_SERVERLESS_USAGE recorded (its last 7 days at most). Pure. */
export function usageSoFar(usage: ServerlessUsage): UsageSoFar {
  return {
    chargedRpuHours: usage.chargedRpuSeconds / 3600,
    computeUsd: serverlessUsageCost(usage.chargedRpuSeconds),
    usdPerRpuHour: SERVERLESS_USD_PER_RPU_HOUR,
    from: usage.from,
    to: usage.to,
  };
}
