/**
 * Opens the warehouse for a target. Each implementation is imported only when chosen, so the
 * embedded path never loads pg and the server paths never load PGlite's WebAssembly.
 */
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { ConfigError } from '../errors.js';
import type { DwhConfig, Target } from '../config/types.js';
import type { RedshiftConnection } from './redshift.js';
import type { Warehouse } from './types.js';

export const DEFAULT_REDSHIFT_PORT = 5439;

/**
 * The cluster connection from [CLUSTER], falling back to the matching [DWH] keys the cluster was
 * created with (the Python scripts kept both in step by hand).
 */
export function redshiftConnectionFrom(config: DwhConfig, configDisplayPath: string): RedshiftConnection {
  const { cluster, dwh } = config;
  if (cluster.host === undefined || cluster.host === '') {
    throw new ConfigError(
      configDisplayPath,
      'CLUSTER',
      'HOST',
      'is not set',
      'run `sparkify-dwh cluster create` (it writes the endpoint back), or copy the cluster endpoint here',
    );
  }
  const required = (value: string | undefined, key: string): string => {
    if (value === undefined || value === '')
      throw new ConfigError(
        configDisplayPath,
        'CLUSTER',
        key,
        'is not set',
        `set it to the cluster's ${key === 'DB_PASSWORD' ? 'master password' : 'value'} ` +
          '([DWH] has the one used at creation)',
      );
    return value;
  };
  return {
    host: cluster.host,
    port: cluster.dbPort ?? dwh.port ?? DEFAULT_REDSHIFT_PORT,
    database: required(cluster.dbName ?? dwh.db, 'DB_NAME'),
    user: required(cluster.dbUser ?? dwh.dbUser, 'DB_USER'),
    password: required(cluster.dbPassword ?? dwh.dbPassword, 'DB_PASSWORD'),
  };
}

/**
 * Where the warehouse a target opens fills its staging tables from: this machine's files
 * (capabilities.copyFromStdin) or S3 (capabilities.copyFromS3). Decided here, beside the choice
 * of channel, so that `load` can check its settings before connecting; the opened warehouse's
 * capabilities say the same (test/warehouse/open.test.ts).
 */
export function stagingSourceOf(target: Target): 'this machine' | 's3' {
  switch (target) {
    case 'embedded':
    case 'postgres':
      return 'this machine';
    case 'redshift':
    case 'redshift-serverless':
      return 's3';
  }
}

export interface OpenWarehouseOptions {
  /**
   * How the connection names itself to the server, so other sessions see who holds a lock
   * (pg_stat_activity.application_name): `sparkify-dwh <command>`.
   */
  applicationName?: string | undefined;
  /**
   * The Redshift Data API client, made from the session's AWS settings (region, profile, keys,
   * AWS_ENDPOINT_URL): asked for only by a target reached through the Data API.
   */
  dataApiClient?: (() => Promise<RedshiftDataClient>) | undefined;
}

/** The warehouse for `target`, configured from dwh.cfg (`configDisplayPath` names it in errors). */
export async function openWarehouse(
  target: Target,
  config: DwhConfig,
  configDisplayPath: string,
  options: OpenWarehouseOptions = {},
): Promise<Warehouse> {
  const { applicationName } = options;
  switch (target) {
    case 'embedded': {
      const { openEmbedded } = await import('./embedded.js');
      return openEmbedded(config.warehouse.embeddedDir);
    }
    case 'postgres': {
      const url = config.warehouse.postgresUrl;
      if (url === undefined || url === '') {
        throw new ConfigError(
          configDisplayPath,
          'WAREHOUSE',
          'POSTGRES_URL',
          'is not set, and the postgres target needs it',
          'write it as postgres://user:password@host:5432/database',
        );
      }
      const { openPostgres } = await import('./postgres.js');
      return openPostgres(url, { applicationName });
    }
    case 'redshift': {
      const connection = redshiftConnectionFrom(config, configDisplayPath);
      const { openRedshift } = await import('./redshift.js');
      return openRedshift(connection, { applicationName });
    }
    case 'redshift-serverless': {
      // A workgroup is always reached through the Data API with the caller's IAM identity: no
      // password and no open port (docs/redshift.md, Redshift Serverless).
      const { dataApiTargetFrom, openRedshiftDataApi } = await import('./data-api.js');
      const dataApiTarget = dataApiTargetFrom(target, config, configDisplayPath);
      if (options.dataApiClient === undefined) {
        throw new Error('the redshift-serverless target needs AWS clients: none were given to openWarehouse');
      }
      return openRedshiftDataApi({ client: await options.dataApiClient(), target: dataApiTarget });
    }
  }
}
