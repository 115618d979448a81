/**
 * The `redshift` target: the cluster's leader node, reached by node-postgres over verified TLS
 * (Node's CA store carries the Amazon roots Redshift certificates chain to). Redshift loads
 * data from S3 with its own COPY statement, so this warehouse has copyFromS3 and no
 * copyFromStdin.
 */
import { UserError } from '../errors.js';
import { loadErrorsSql, type LoadErrorRow } from '../sql/copy.js';
import { errnoText, oneLine } from '../error-text.js';
import { classifyConnectFailure, formatSeconds, withoutSecret } from './errors.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, openPgSession, type PgClientFactory, type PgEndpoint } from './pg-session.js';
import type { CopyFromS3, Queryable, Warehouse } from './types.js';

/**
 * Idle time before the first keepalive probe: well under common idle timeouts on the way (AWS
 * Network Firewall, for one, forgets a TCP flow after 350 s without traffic by default, and
 * "clients or targets can use TCP keepalive packets to reset the idle timeout":
 * docs.aws.amazon.com/network-firewall/latest/APIReference/API_FlowTimeouts.html).
 */
export const KEEPALIVE_IDLE_MS = 60_000;

export interface RedshiftConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

export interface OpenRedshiftOptions {
  connectTimeoutMillis?: number;
  /** For tests: make the pg Client (and so see the TLS settings it is given). */
  clientFactory?: PgClientFactory;
  /** What the cluster's session list shows for this connection: `sparkify-dwh <command>`. */
  applicationName?: string | undefined;
}

export function describeRedshift(endpoint: PgEndpoint): string {
  return `redshift://${encodeURIComponent(endpoint.user)}@${endpoint.host}:${endpoint.port}/${encodeURIComponent(endpoint.database)}`;
}

/** One line for a failed connection attempt to a cluster. */
export function diagnoseRedshiftConnectFailure(
  error: unknown,
  endpoint: PgEndpoint,
  password: string,
  timeoutMillis: number,
): UserError {
  const at = `${endpoint.host}:${endpoint.port}`;
  const serverMessage = oneLine(error instanceof Error ? error.message : String(error));
  let message: string;
  const status = '(run `sparkify-dwh cluster status` to see its endpoint and port)';
  switch (classifyConnectFailure(error)) {
    case 'timeout':
      // A cluster that is not publicly accessible, or whose security group leaves the caller
      // out, drops the packets: the attempt runs into the timeout rather than being refused.
      message =
        `no answer from the cluster at ${at} within ${formatSeconds(timeoutMillis)}: the cluster may not be ` +
        'publicly accessible or its security group does not allow your IP (run `sparkify-dwh cluster status`)';
      break;
    case 'refused':
      // Something answered at once and said no: the address is reachable but nothing listens on
      // that port, so HOST or DB_PORT is not the cluster's (a security group drops, never refuses).
      message = `the connection to ${at} was refused: check [CLUSTER] HOST and DB_PORT ${status}`;
      break;
    case 'unreachable':
      message =
        `cannot reach ${at}: ${errnoText(error) ?? serverMessage}; check your network connection and ` +
        `[CLUSTER] HOST ${status}`;
      break;
    case 'unresolved':
      message = `host name ${endpoint.host} not found: check [CLUSTER] HOST ${status}`;
      break;
    case 'authentication':
      message =
        `the cluster at ${at} refused user "${endpoint.user}" (${serverMessage}): ` +
        'check [CLUSTER] DB_USER and DB_PASSWORD';
      break;
    case 'no-database':
      message = `database "${endpoint.database}" does not exist on the cluster at ${at}: check [CLUSTER] DB_NAME`;
      break;
    case 'tls':
      message =
        `TLS verification of the cluster at ${at} failed (${serverMessage}): ` +
        "check that [CLUSTER] HOST is the cluster's endpoint";
      break;
    default:
      message = `cannot connect to the cluster at ${at}: ${serverMessage}`;
  }
  return new UserError(withoutSecret(message, password), { cause: error });
}

/**
 * Explaining a rejected COPY from the cluster's stl_load_errors, read for the latest COPY of this
 * session (loadErrorsSql says why not pg_last_copy_id()): Redshift's own message only says
 * "Check 'stl_load_errors' system table for details".
 */
export function stlLoadErrors(session: Queryable): CopyFromS3 {
  return {
    async loadErrors(failure) {
      const message = failure instanceof Error ? failure.message : String(failure);
      if (!/stl_load_errors/i.test(message)) return undefined;
      try {
        const { rows } = await session.query<LoadErrorRow>(loadErrorsSql());
        return rows.length === 0 ? undefined : { source: 'stl_load_errors', rows };
      } catch {
        // The COPY's own error is what matters; the caller reports it either way.
        return undefined;
      }
    },
  };
}

/** Connect to a Redshift cluster. */
export async function openRedshift(
  connection: RedshiftConnection,
  options: OpenRedshiftOptions = {},
): Promise<Warehouse> {
  const endpoint: PgEndpoint = {
    host: connection.host,
    port: connection.port,
    user: connection.user,
    database: connection.database,
  };
  const description = describeRedshift(endpoint);
  const connectTimeoutMillis = options.connectTimeoutMillis ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return openPgSession({
    target: 'redshift',
    dialect: 'redshift',
    description,
    endpoint,
    clientConfig: {
      host: connection.host,
      port: connection.port,
      database: connection.database,
      user: connection.user,
      password: connection.password,
      // Verified TLS: the password crosses the internet. servername makes SNI and the
      // certificate check use the endpoint name.
      ssl: { rejectUnauthorized: true, servername: connection.host },
      // A COPY of the full song_data runs for minutes without a byte on the wire; NAT gateways,
      // firewalls and home routers drop connections idle that long, and the client then waits
      // forever for a result the cluster already has ("Connection to the database times out",
      // docs.aws.amazon.com/redshift/latest/dg/queries-troubleshooting-query-hangs.html). TCP
      // keepalive keeps them open, as AWS's own Redshift JDBC driver does by default
      // (docs.aws.amazon.com/redshift/latest/mgmt/jdbc20-install.html).
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    },
    password: connection.password,
    connectTimeoutMillis,
    diagnoseConnectFailure: (error) =>
      diagnoseRedshiftConnectFailure(error, endpoint, connection.password, connectTimeoutMillis),
    copyFromStdin: false,
    loadState: true,
    // Who holds a lock our session waits for, from SVV_TRANSACTIONS (src/warehouse/redshift-lock-waits.ts).
    lockWaits: 'redshift',
    applicationName: options.applicationName,
    capabilities: (warehouse) => ({ copyFromS3: stlLoadErrors(warehouse) }),
    // version() on Redshift reads "PostgreSQL 8.0.2 … Redshift 1.0.x": nothing to compare.
    checkServerVersion: undefined,
    connectionLostMessage: `lost the connection to ${description}`,
    clientFactory: options.clientFactory,
  });
}
