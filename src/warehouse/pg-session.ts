/**
 * The node-postgres engine shared by the postgres and redshift targets: one Client, our result
 * parsers, COPY … FROM STDIN through pg-copy-streams where the server has it. What differs
 * between the two targets (TLS, capabilities, how to explain a failed connection) comes in as
 * parameters.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { UserError } from '../errors.js';
import type { Target } from '../config/types.js';
import { SERVER_VERSION_SQL, copyFromStdinSql } from '../sql/session.js';
import { oneLine } from '../error-text.js';
import { withoutSecret } from './errors.js';
import { pgLockWaits } from './pg-lock-waits.js';
import { RESULT_PARSERS, normalizeParams } from './result-types.js';
import type { Dialect } from '../sql/dialect.js';
import {
  SessionWarehouse,
  type CapabilitiesOver,
  type EngineCopyIn,
  type EngineResult,
  type EngineSession,
} from './session.js';
import type { Warehouse } from './types.js';

/** Where a connection goes, for messages (never the password). */
export interface PgEndpoint {
  host: string;
  port: number;
  user: string;
  database: string;
}

/** Makes the pg Client; tests pass a fake to inspect the configuration (TLS) without a server. */
export type PgClientFactory = (config: pg.ClientConfig) => pg.Client;

export const defaultPgClientFactory: PgClientFactory = (config) => new pg.Client(config);

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export const APPLICATION_NAME = 'sparkify-dwh';

export interface PgSessionOptions {
  target: Target;
  dialect: Dialect;
  description: string;
  endpoint: PgEndpoint;
  /** Connection settings except the ones every session shares (types, application_name, timeout). */
  clientConfig: pg.ClientConfig;
  /** For masking it in any message, however it got there. */
  password: string | undefined;
  connectTimeoutMillis: number;
  /** The one-line UserError for a failed connection attempt. */
  diagnoseConnectFailure: (error: unknown) => UserError;
  /** Whether the server takes COPY … FROM STDIN (PostgreSQL does; Redshift loads from S3 only). */
  copyFromStdin: boolean;
  /** Whether to offer the lockWaits capability (PostgreSQL; Redshift has no pg_blocking_pids). */
  lockWaits?: boolean;
  /** What other sessions see as this one's application_name (default "sparkify-dwh"). */
  applicationName?: string | undefined;
  capabilities?: CapabilitiesOver | undefined;
  /** Checks the text of `SELECT version()` after connecting (throws a UserError to refuse the server). */
  checkServerVersion: ((versionText: string) => void) | undefined;
  /** The message prefix when an open connection breaks ("lost the connection to …"). */
  connectionLostMessage: string;
  clientFactory: PgClientFactory | undefined;
}

/** Our parsers first, node-postgres's own for every other type. */
const warehouseTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    RESULT_PARSERS[oid] ??
    // pg-types declares overloads per format; the runtime function takes both arguments.
    (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(
      oid,
      format,
    )) as pg.CustomTypesConfig['getTypeParser'],
};

/** Errors node-postgres raises when the socket of an open session is gone. */
const CONNECTION_GONE = /Connection terminated|Client was closed|not queryable|ECONNRESET|EPIPE|socket hang up/i;

class PgEngineSession implements EngineSession {
  /** An error emitted while idle (server restart, network drop); reported with the next failure. */
  private idleError: Error | undefined;
  /** Closed with the session (the lock-wait connection). */
  readonly closeAlso: Array<() => Promise<void>> = [];

  constructor(
    private readonly client: pg.Client,
    private readonly options: PgSessionOptions,
  ) {
    // Without a listener an idle-time error would crash the process.
    // The first error is the cause (the server's FATAL); "Connection terminated" follows it.
    client.on('error', (error: Error) => {
      this.idleError ??= error;
    });
  }

  async run(sql: string, params?: readonly unknown[]): Promise<EngineResult> {
    // queryMode 'extended' (not in @types/pg) makes every statement a single prepared one, as
    // on PGlite, so a second statement in the same text is refused on both engines.
    const config: pg.QueryConfig & { queryMode: 'extended' } = {
      text: sql,
      values: normalizeParams(params),
      queryMode: 'extended',
    };
    const result = await this.client.query(config);
    return {
      rows: result.rows as Record<string, unknown>[],
      fields: result.fields.map((field) => field.name),
      rowCount: result.rowCount ?? 0,
      command: result.command,
    };
  }

  async close(): Promise<void> {
    for (const close of this.closeAlso) await close().catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }

  describeFailure(error: unknown): UserError | undefined {
    const message = error instanceof Error ? error.message : String(error);
    // Anything else (an error thrown by the row source, an interrupt) passes through unchanged.
    if (!CONNECTION_GONE.test(message)) return undefined;
    const reason = oneLine(this.idleError?.message ?? message);
    return new UserError(withoutSecret(`${this.options.connectionLostMessage}: ${reason}`, this.options.password), {
      cause: error,
    });
  }
}

/** COPY … FROM STDIN through pg-copy-streams on `client`. */
function pgCopyIn(client: pg.Client): EngineCopyIn {
  return async (table, columns, lines) => {
    const copyStream = client.query(copyFrom(copyFromStdinSql(table, columns)));
    // pipeline waits for each write to drain, so at most a few chunks are ever in memory.
    await pipeline(Readable.from(lines), copyStream);
    return copyStream.rowCount;
  };
}

/** Connect one Client, check the server, and wrap it as a Warehouse. */
export async function openPgSession(options: PgSessionOptions): Promise<Warehouse> {
  const factory = options.clientFactory ?? defaultPgClientFactory;
  const applicationName = options.applicationName ?? APPLICATION_NAME;
  const clientConfig = (name: string): pg.ClientConfig => ({
    ...options.clientConfig,
    application_name: name,
    connectionTimeoutMillis: options.connectTimeoutMillis,
    types: warehouseTypes,
  });
  const client = factory(clientConfig(applicationName));
  // A connect failure may also be emitted as an 'error' event; swallow it here, it is rejected below.
  const ignoreConnectError = (): void => undefined;
  client.on('error', ignoreConnectError);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw options.diagnoseConnectFailure(error);
  } finally {
    client.off('error', ignoreConnectError);
  }
  const engine = new PgEngineSession(client, options);
  // node-postgres keeps the backend's pid from BackendKeyData (for cancel requests); @types/pg
  // does not declare it, hence the narrow cast.
  const ownPid = (client as unknown as { processID?: unknown }).processID;
  const lockWaits = (warehouse: Warehouse) => {
    if (options.lockWaits !== true || typeof ownPid !== 'number') return {};
    const waits = pgLockWaits({
      ownPid,
      session: warehouse,
      connect: async () => {
        const probe = factory(clientConfig(`${applicationName} (lock check)`));
        probe.on('error', () => undefined); // its failures surface as failed questions
        await probe.connect();
        return probe;
      },
    });
    engine.closeAlso.push(() => waits.close());
    return { lockWaits: waits };
  };
  const warehouse = new SessionWarehouse(
    engine,
    { target: options.target, dialect: options.dialect, description: options.description },
    {
      copyIn: options.copyFromStdin ? pgCopyIn(client) : undefined,
      capabilities: (opened) => ({ ...options.capabilities?.(opened), ...lockWaits(opened) }),
    },
  );
  if (options.checkServerVersion !== undefined) {
    try {
      const { rows } = await warehouse.query<{ version: string }>(SERVER_VERSION_SQL);
      options.checkServerVersion(String(rows[0]?.version ?? ''));
    } catch (error) {
      await warehouse.close();
      throw error;
    }
  }
  return warehouse;
}
