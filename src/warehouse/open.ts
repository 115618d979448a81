/**
 * Opens the warehouse for a target. Each implementation is imported only when chosen, so the
 * embedded path never loads pg and the server paths never load PGlite's WebAssembly.
 */
import type { AwsClients } from '../aws/clients.js';
import { ConfigError } from '../errors.js';
import { NoWorkgroupYetError } from './errors.js';
import type { DwhConfig, Target } from '../config/types.js';
import type { RedshiftConnection } from './redshift.js';
import type { Warehouse } from './types.js';

export const DEFAULT_REDSHIFT_PORT = 5439;

/** A cluster connection as dwh.cfg gives it: without a password when none is stored. */
export type ConfiguredRedshiftConnection = Omit<RedshiftConnection, 'password'> & { password: string | undefined };

/**
 * The cluster connection from [CLUSTER], falling back to the matching [DWH] keys the cluster was
 * created with (the Python scripts kept both in step by hand). No password in either is fine:
 * the connection then uses temporary IAM credentials (docs/redshift.md, Passwords).
 */
export function redshiftConnectionFrom(config: DwhConfig, configDisplayPath: string): ConfiguredRedshiftConnection {
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
        "set it to the cluster's value ([DWH] has the one used at creation)",
      );
    return value;
  };
  return {
    host: cluster.host,
    port: cluster.dbPort ?? dwh.port ?? DEFAULT_REDSHIFT_PORT,
    database: required(cluster.dbName ?? dwh.db, 'DB_NAME'),
    user: required(cluster.dbUser ?? dwh.dbUser, 'DB_USER'),
    password: cluster.dbPassword || dwh.dbPassword || undefined,
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
   * The AWS clients of the session, for Redshift: the Data API (DWH_ACCESS = private) and the
   * temporary credentials of a public cluster without a stored password.
   */
  aws?: (() => Promise<Pick<AwsClients, 'region' | 'redshift' | 'redshiftServerless' | 'redshiftData'>>) | undefined;
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
      if (config.dwh.access === 'private') {
        // No network path to the cluster: every statement goes over HTTPS with IAM (docs/redshift.md).
        const clients = await awsFor(options, 'DWH_ACCESS = private');
        const { dataApiTargetFrom, openRedshiftDataApi } = await import('./data-api.js');
        return openRedshiftDataApi({
          client: clients.redshiftData,
          target: dataApiTargetFrom('redshift', config, configDisplayPath),
        });
      }
      const { openRedshift } = await import('./redshift.js');
      if (connection.password !== undefined) {
        return openRedshift({ ...connection, password: connection.password }, { applicationName });
      }
      // No stored password: a database user and a password valid for an hour, made for the caller's IAM identity.
      const clients = await awsFor(options, 'a cluster without [CLUSTER] DB_PASSWORD');
      const { temporaryCredentials } = await import('../aws/temp-credentials.js');
      const credentials = await temporaryCredentials(
        clients,
        {
          kind: 'cluster',
          clusterIdentifier: clusterIdentifierFrom(config, configDisplayPath),
          dbName: connection.database,
        },
        { region: clients.region },
      );
      return openRedshift(
        { ...connection, user: credentials.user, password: credentials.password },
        { applicationName },
      );
    }
    case 'redshift-serverless': {
      // A workgroup is always reached through the Data API with the caller's IAM identity: no
      // password and no open port (docs/redshift.md, Redshift Serverless).
      const { dataApiTargetFrom, openRedshiftDataApi } = await import('./data-api.js');
      const dataApiTarget = dataApiTargetFrom(target, config, configDisplayPath);
      const clients = await awsFor(options, 'TARGET = redshift-serverless');
      try {
        return await openRedshiftDataApi({ client: clients.redshiftData, target: dataApiTarget });
      } catch (error) {
        throw await missingWorkgroupOr(
          error,
          clients,
          'workgroupName' in dataApiTarget ? dataApiTarget.workgroupName : '',
        );
      }
    }
  }
}

/**
 * A workgroup not made yet: the Data API's refusal (its exception and text are not documented
 * for this case) is replaced by what to do. Only an answer from AWS is looked into, with
 * GetWorkgroup, whose ResourceNotFoundException says there is no such workgroup
 * (https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_GetWorkgroup.html); a
 * network or credentials failure, or a lookup that fails, leaves the Data API's error as it was.
 */
async function missingWorkgroupOr(
  error: unknown,
  clients: Pick<AwsClients, 'region' | 'redshiftServerless'>,
  workgroupName: string,
): Promise<unknown> {
  if (workgroupName === '' || !fromAwsService(error)) return error;
  try {
    const { getWorkgroup } = await import('../aws/serverless.js');
    if ((await getWorkgroup(clients.redshiftServerless, workgroupName, clients.region)) !== undefined) return error;
  } catch {
    return error;
  }
  return new NoWorkgroupYetError(workgroupName, { cause: error });
}

/** Whether `error` (or what it wraps) is an answer from an AWS service, rather than the network's. */
function fromAwsService(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    if ('$fault' in current) return true;
    current = current.cause;
  }
  return false;
}

/** The session's AWS clients, which `why` needs; a caller that gave none is a programming error. */
async function awsFor(
  options: OpenWarehouseOptions,
  why: string,
): Promise<Pick<AwsClients, 'region' | 'redshift' | 'redshiftServerless' | 'redshiftData'>> {
  if (!options.aws) throw new Error(`opening Redshift with ${why} needs the AWS clients`);
  return options.aws();
}

/** [DWH] DWH_CLUSTER_IDENTIFIER, which GetClusterCredentialsWithIAM names. */
function clusterIdentifierFrom(config: DwhConfig, configDisplayPath: string): string {
  const identifier = config.dwh.clusterIdentifier;
  if (identifier === undefined || identifier === '') {
    throw new ConfigError(
      configDisplayPath,
      'DWH',
      'DWH_CLUSTER_IDENTIFIER',
      'is not set',
      'set it to the cluster identifier',
    );
  }
  return identifier;
}
