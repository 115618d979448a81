/**
 * The node-postgres engine shared by the postgres and redshift targets: one Client, our result
 * parsers, COPY … FROM STDIN through pg-copy-streams where the server has it, results read a page
 * at a time through pg-cursor (a protocol-level portal, which Redshift supports as well), and
 * Ctrl-C sent to the server as a cancel request. What differs between the two targets (TLS,
 * capabilities, how to explain a failed connection) comes in as parameters.
 *
 * Why the protocol's CancelRequest, not `SELECT pg_cancel_backend(pid)` from a second session:
 * it needs no login (the server checks the secret key it gave this session, so there is no second
 * TLS handshake and password round trip, and it works when every connection slot is taken), no
 * privilege, and it is what psql and libpq send on Ctrl-C; PostgreSQL and Redshift both honour it.
 * It carries only the session's process id and that random key. A statement that still runs
 * after a grace period (Redshift may not cancel inside a transaction block, see
 * https://docs.aws.amazon.com/redshift/latest/dg/PG_CANCEL_BACKEND.html) has its session ended
 * with pg_terminate_backend from a second connection instead, which rolls its transaction back.
 */
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import Cursor from 'pg-cursor';
import { UserError } from '../errors.js';
import type { Target } from '../config/types.js';
import { SERVER_VERSION_SQL, TERMINATE_BACKEND_SQL, copyFromStdinSql } from '../sql/session.js';
import { oneLine } from '../error-text.js';
import { withoutSecret } from './errors.js';
import { pgLoadState } from './pg-load-state.js';
import { lazyConnection, pgLockWaits } from './pg-lock-waits.js';
import { redshiftLockWaits } from './redshift-lock-waits.js';
import { RESULT_PARSERS, normalizeParams } from './result-types.js';
import type { Dialect } from '../sql/dialect.js';
import {
  SessionWarehouse,
  type CapabilitiesOver,
  type EngineCopyIn,
  type EngineResult,
  type EngineRows,
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

/** How long a cancelled statement may take to stop before its session is ended instead. */
export const DEFAULT_CANCEL_GRACE_MS = 1000;

/** How long to wait for the server to take a cancel request. */
const CANCEL_REQUEST_TIMEOUT_MS = 5000;

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
  /**
   * Which lockWaits capability to offer: PostgreSQL's (pg_blocking_pids, lock_timeout) or
   * Redshift's (SVV_TRANSACTIONS, bounded by cancelling), each asking over a second connection.
   */
  lockWaits?: 'postgres' | 'redshift' | undefined;
  /**
   * Whether a COPY from S3 reports its progress (CopyFromS3.loadState) through a second connection
   * reading STV_LOAD_STATE (Redshift clusters).
   */
  loadState?: boolean;
  /** What other sessions see as this one's application_name (default "sparkify-dwh"). */
  applicationName?: string | undefined;
  capabilities?: CapabilitiesOver | undefined;
  /** Checks the text of `SELECT version()` after connecting (throws a UserError to refuse the server). */
  checkServerVersion: ((versionText: string) => void) | undefined;
  /** The message prefix when an open connection breaks ("lost the connection to …"). */
  connectionLostMessage: string;
  clientFactory: PgClientFactory | undefined;
  /**
   * After a cancel request, how long the statement may run on before its session is ended with
   * pg_terminate_backend (default DEFAULT_CANCEL_GRACE_MS).
   */
  cancelGraceMillis?: number | undefined;
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

/** What node-postgres keeps from the server's BackendKeyData (public fields, not in @types/pg). */
interface BackendKey {
  processID?: unknown;
  secretKey?: unknown;
}

class PgEngineSession implements EngineSession {
  /** An error emitted while idle (server restart, network drop); reported with the next failure. */
  private idleError: Error | undefined;
  /** Statements (and cursor reads) sent and not yet answered: what a cancel would stop. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Closed with the session (the lock-wait connection). */
  readonly closeAlso: Array<() => Promise<void>> = [];

  constructor(
    private readonly client: pg.Client,
    private readonly options: PgSessionOptions,
    /** Ends this session from a second connection (pg_terminate_backend). */
    private readonly terminateBackend: (processID: number) => Promise<void>,
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
    const result = await this.track(this.client.query(config));
    return {
      rows: result.rows as Record<string, unknown>[],
      fields: result.fields.map((field) => field.name),
      rowCount: result.rowCount ?? 0,
      command: result.command,
    };
  }

  async openRows(sql: string, pageSize: number): Promise<EngineRows> {
    // A portal read `pageSize` rows at a time, rows as arrays (never keyed by name: two columns
    // called `level` stay two), through our type parsers like every other statement.
    const cursor = this.client.query(new Cursor<unknown[]>(sql, [], { rowMode: 'array', types: warehouseTypes }));
    const read = (): Promise<{ rows: unknown[][]; fields: string[] }> =>
      this.track(
        new Promise((resolve, reject) => {
          cursor.read(pageSize, (error, rows, result) => {
            if (error) reject(error);
            // A read after the last row answers [] without a result.
            else resolve({ rows, fields: (result as pg.QueryResult | undefined)?.fields.map((f) => f.name) ?? [] });
          });
        }),
      );
    const first = await read();
    let buffered: unknown[][] | undefined = first.rows;
    let failed = false;
    return {
      fields: first.fields,
      next: async () => {
        if (buffered !== undefined) {
          const page = buffered;
          buffered = undefined;
          return page;
        }
        try {
          return (await read()).rows;
        } catch (error) {
          failed = true;
          throw error;
        }
      },
      close: async () => {
        // After a failure the cursor has already synced with the server; closing it again would
        // send a Close nobody waits for.
        if (!failed) await cursor.close();
      },
    };
  }

  async cancel(): Promise<void> {
    if (this.inFlight.size === 0) return; // nothing runs: a cancel would only race the next statement
    const { processID, secretKey } = this.client as unknown as BackendKey;
    if (typeof processID !== 'number' || typeof secretKey !== 'number') return;
    const running = [...this.inFlight];
    await sendCancelRequest({ host: this.client.host, port: this.client.port }, processID, secretKey);
    const grace = this.options.cancelGraceMillis ?? DEFAULT_CANCEL_GRACE_MS;
    if (await settlesWithin(running, grace)) return;
    await this.terminateBackend(processID);
  }

  async close(): Promise<void> {
    for (const close of this.closeAlso) await close().catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }

  /** Count `work` as running on the server until it settles. */
  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const settled = (): void => {
      this.inFlight.delete(work);
    };
    work.then(settled, settled);
    return work;
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

/** Whether every one of `work` settles within `millis`. */
async function settlesWithin(work: readonly Promise<unknown>[], millis: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), millis);
  });
  try {
    return await Promise.race([Promise.allSettled(work).then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The CancelRequest message's code (PostgreSQL protocol, "CancelRequest"): 1234 << 16 | 5678. */
const CANCEL_REQUEST_CODE = 80877102;

/**
 * PostgreSQL's CancelRequest: on a new connection to the server (TCP, or the Unix socket when
 * `host` is a folder), 16 bytes naming the session by process id and secret key, no login; the
 * server closes the connection once it has passed the request on. Resolves then.
 */
export function sendCancelRequest(
  server: { host: string; port: number },
  processID: number,
  secretKey: number,
  timeoutMillis = CANCEL_REQUEST_TIMEOUT_MS,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = server.host.startsWith('/')
      ? connect(`${server.host}/.s.PGSQL.${server.port}`)
      : connect(server.port, server.host);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not take the cancel request within ${timeoutMillis} ms`));
    }, timeoutMillis);
    socket.once('connect', () => {
      const packet = Buffer.alloc(16);
      packet.writeInt32BE(16, 0);
      packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
      packet.writeInt32BE(processID, 8);
      packet.writeInt32BE(secretKey, 12);
      socket.end(packet);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
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
  const newClient = (): pg.Client => factory(clientConfig(applicationName));
  const client = newClient();
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
  const terminateBackend = async (processID: number): Promise<void> => {
    const other = newClient();
    other.on('error', () => undefined); // its failure is reported by the rejection below
    try {
      await other.connect();
      await other.query(TERMINATE_BACKEND_SQL, [processID]);
    } finally {
      await other.end().catch(() => undefined);
    }
  };
  const engine = new PgEngineSession(client, options, terminateBackend);
  // node-postgres keeps the backend's pid from BackendKeyData (for cancel requests); @types/pg
  // does not declare it, hence the narrow cast.
  const ownPid = (client as unknown as { processID?: unknown }).processID;
  const connectProbe = async (): Promise<pg.Client> => {
    const probe = factory(clientConfig(`${applicationName} (lock check)`));
    probe.on('error', () => undefined); // its failures surface as failed questions
    await probe.connect();
    return probe;
  };
  const lockWaits = (warehouse: Warehouse): Pick<ReturnType<CapabilitiesOver>, 'lockWaits'> => {
    if (options.lockWaits === undefined || typeof ownPid !== 'number') return {};
    if (options.lockWaits === 'redshift') {
      const probe = lazyConnection(connectProbe);
      engine.closeAlso.push(() => probe.close());
      return {
        lockWaits: redshiftLockWaits({
          ownPid: () => ownPid,
          ask: async (sql, params) =>
            (await (await probe.client()).query<Record<string, unknown>>(sql, [...params])).rows,
          cancel: () => engine.cancel(),
        }),
      };
    }
    const waits = pgLockWaits({ ownPid, session: warehouse, connect: connectProbe });
    engine.closeAlso.push(() => waits.close());
    return { lockWaits: waits };
  };
  const withLoadState = (base: ReturnType<CapabilitiesOver>): ReturnType<CapabilitiesOver> => {
    if (options.loadState !== true || typeof ownPid !== 'number' || base.copyFromS3 === undefined) return base;
    const state = pgLoadState({
      ownPid,
      connect: async () => {
        const probe = factory(clientConfig(`${applicationName} (load progress)`));
        probe.on('error', () => undefined); // its failures surface as failed questions
        await probe.connect();
        return probe;
      },
    });
    engine.closeAlso.push(() => state.close());
    return { ...base, copyFromS3: { ...base.copyFromS3, loadState: () => state.loadState() } };
  };
  const warehouse = new SessionWarehouse(
    engine,
    { target: options.target, dialect: options.dialect, description: options.description },
    {
      copyIn: options.copyFromStdin ? pgCopyIn(client) : undefined,
      capabilities: (opened) => ({ ...withLoadState(options.capabilities?.(opened) ?? {}), ...lockWaits(opened) }),
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
