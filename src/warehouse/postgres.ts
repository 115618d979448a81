/** The `postgres` target: any PostgreSQL ≥ 14, reached by node-postgres from [WAREHOUSE] POSTGRES_URL. */
import { userInfo } from 'node:os';
import { UserError } from '../errors.js';
import { errnoText, oneLine } from '../error-text.js';
import { classifyConnectFailure, formatSeconds, withoutSecret } from './errors.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, openPgSession, type PgClientFactory, type PgEndpoint } from './pg-session.js';
import type { Warehouse } from './types.js';

export const MINIMUM_POSTGRES_MAJOR = 14;

export interface OpenPostgresOptions {
  /** How long to wait for the server to answer (default 10 s). */
  connectTimeoutMillis?: number;
  /** For tests: make the pg Client. */
  clientFactory?: PgClientFactory;
  /** What other sessions see (pg_stat_activity.application_name): `sparkify-dwh <command>`. */
  applicationName?: string | undefined;
}

interface ParsedUrl {
  endpoint: PgEndpoint;
  password: string | undefined;
}

// The PG* variables below are read from the real process.env, not the injected one, on purpose:
// node-postgres reads them there when it connects, and messages must name what it really reached.
function defaultUser(): string {
  try {
    return process.env.PGUSER ?? userInfo().username;
  } catch {
    return 'postgres'; // no passwd entry (some containers)
  }
}

/** The parts of a postgres:// URL we show in messages, with node-postgres's defaults filled in. */
export function parsePostgresUrl(url: string): ParsedUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Never echo the URL: it may hold the password.
    throw new UserError(
      '[WAREHOUSE] POSTGRES_URL is not a valid URL: write it as postgres://user:password@host:5432/database',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new UserError(`[WAREHOUSE] POSTGRES_URL must start with postgres:// (it starts with ${parsed.protocol}//)`);
  }
  const user = decodeURIComponent(parsed.username) || defaultUser();
  const host =
    parsed.hostname.replace(/^\[(.*)\]$/, '$1') || parsed.searchParams.get('host') || process.env.PGHOST || 'localhost';
  const port = Number(parsed.port || process.env.PGPORT || 5432);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || process.env.PGDATABASE || user;
  // node-postgres also takes the password as a `?password=` parameter.
  const fromQuery = parsed.searchParams.get('password') ?? '';
  const password =
    parsed.password !== '' ? decodeURIComponent(parsed.password) : fromQuery !== '' ? fromQuery : undefined;
  return { endpoint: { host, port, user, database }, password };
}

function hostPort(endpoint: PgEndpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/** `postgres://user@host:port/db`: where the warehouse is, without the password. */
export function describePostgres(endpoint: PgEndpoint): string {
  return `postgres://${encodeURIComponent(endpoint.user)}@${hostPort(endpoint)}/${encodeURIComponent(endpoint.database)}`;
}

function quoteShell(word: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** One line for a failed connection attempt to a PostgreSQL server. */
export function diagnosePostgresConnectFailure(
  error: unknown,
  endpoint: PgEndpoint,
  password: string | undefined,
  timeoutMillis: number,
): UserError {
  const at = `PostgreSQL at ${hostPort(endpoint)}`;
  const unreachable = (why: string): string =>
    `cannot reach ${at} (${why}); check [WAREHOUSE] POSTGRES_URL and that the server is running`;
  const serverMessage = oneLine(error instanceof Error ? error.message : String(error));
  let message: string;
  switch (classifyConnectFailure(error)) {
    case 'refused':
    case 'unresolved':
    case 'unreachable':
      message = unreachable(errnoText(error) ?? serverMessage);
      break;
    case 'timeout':
      message = unreachable(`no answer within ${formatSeconds(timeoutMillis)}`);
      break;
    case 'authentication':
      message =
        `authentication failed for user "${endpoint.user}" on ${at} (${serverMessage}); ` +
        'check the user and password in [WAREHOUSE] POSTGRES_URL';
      break;
    case 'no-database':
      message =
        `database "${endpoint.database}" does not exist on ${at}; create it ` +
        `(createdb -h ${endpoint.host} -p ${endpoint.port} -U ${quoteShell(endpoint.user)} ` +
        `${quoteShell(endpoint.database)}) or name an existing one in [WAREHOUSE] POSTGRES_URL`;
      break;
    case 'tls':
      message = `TLS with ${at} failed (${serverMessage}); check the sslmode in [WAREHOUSE] POSTGRES_URL`;
      break;
    default:
      message = `cannot connect to ${at}: ${serverMessage}`;
  }
  return new UserError(withoutSecret(message, password), { cause: error });
}

/** Refuses servers older than the oldest we support; `version()` reads "PostgreSQL 16.2 on …". */
export function checkPostgresVersion(versionText: string, description: string): void {
  const major = /PostgreSQL (\d+)/.exec(versionText)?.[1];
  if (major !== undefined && Number(major) < MINIMUM_POSTGRES_MAJOR) {
    throw new UserError(
      `${description} runs PostgreSQL ${major}; sparkify-dwh needs PostgreSQL ${MINIMUM_POSTGRES_MAJOR} or newer`,
    );
  }
}

/** Connect to the PostgreSQL server at `url` (postgres://user:password@host:port/database). */
export async function openPostgres(url: string, options: OpenPostgresOptions = {}): Promise<Warehouse> {
  const { endpoint, password } = parsePostgresUrl(url);
  const description = describePostgres(endpoint);
  const connectTimeoutMillis = options.connectTimeoutMillis ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return openPgSession({
    target: 'postgres',
    dialect: 'postgres',
    description,
    endpoint,
    clientConfig: { connectionString: url },
    password,
    connectTimeoutMillis,
    diagnoseConnectFailure: (error) => diagnosePostgresConnectFailure(error, endpoint, password, connectTimeoutMillis),
    copyFromStdin: true,
    lockWaits: 'postgres',
    applicationName: options.applicationName,
    checkServerVersion: (versionText) => checkPostgresVersion(versionText, description),
    connectionLostMessage: `lost the connection to ${description}`,
    clientFactory: options.clientFactory,
  });
}
