/**
 * What the cluster steps take from outside, injectable so tests run without a network or real
 * time: the public-IP lookup, the Redshift connection, and how often and how long to wait.
 */
import { ROLE_PROPAGATION } from '../aws/role-propagation.js';
import { publicIpLookup, type PublicIpLookup } from '../aws/public-ip.js';
import type { OpenRedshiftDataApiOptions } from '../warehouse/data-api.js';
import type { Context } from '../context.js';
import type { RedshiftConnection } from '../warehouse/redshift.js';
import type { Warehouse } from '../warehouse/types.js';

export interface ClusterDeps {
  /** The caller's public IPv4 address, or undefined when it cannot be found. */
  lookupPublicIp: PublicIpLookup;
  /** Connect to the cluster (src/warehouse/redshift.ts's openRedshift in production). */
  openRedshift: (connection: RedshiftConnection) => Promise<Warehouse>;
  /** Open the Data API channel (src/warehouse/data-api.ts's openRedshiftDataApi in production). */
  openDataApi: (options: OpenRedshiftDataApiOptions) => Promise<Warehouse>;
  /** Time between two DescribeClusters calls while waiting. */
  pollIntervalMs: number;
  /** Give up waiting for creation (or resume) after this long; the cluster carries on. */
  createTimeoutMs: number;
  /** Give up waiting for a pause or a deletion after this long. */
  settleTimeoutMs: number;
  /** Between two CreateCluster attempts while a new IAM role propagates, and for how long in all. */
  roleRetryIntervalMs: number;
  roleRetryTimeoutMs: number;
}

export const defaultClusterDeps: ClusterDeps = {
  lookupPublicIp: publicIpLookup(),
  openRedshift: async (connection) => (await import('../warehouse/redshift.js')).openRedshift(connection),
  openDataApi: async (options) => (await import('../warehouse/data-api.js')).openRedshiftDataApi(options),
  pollIntervalMs: 15_000,
  createTimeoutMs: 40 * 60_000,
  settleTimeoutMs: 30 * 60_000,
  roleRetryIntervalMs: ROLE_PROPAGATION.intervalMs,
  roleRetryTimeoutMs: ROLE_PROPAGATION.timeoutMs,
};

/**
 * The defaults, with what a test gave. Under --dry-run the connection test goes to the context's
 * planning warehouse, which records SELECT version() instead of connecting.
 */
export function withDefaults(deps: Partial<ClusterDeps>, ctx?: Pick<Context, 'options' | 'warehouse'>): ClusterDeps {
  const planned: Partial<ClusterDeps> = ctx?.options.dryRun
    ? { openRedshift: () => ctx.warehouse(), openDataApi: () => ctx.warehouse() }
    : {};
  return { ...defaultClusterDeps, ...planned, ...deps };
}
