import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadErrorsSql } from '../../src/sql/copy.js';
import { stagingSourceOf } from '../../src/warehouse/open.js';
import { openRedshift, stlLoadErrors, type RedshiftConnection } from '../../src/warehouse/redshift.js';
import type { Queryable } from '../../src/warehouse/types.js';
import { closedPort } from '../support/net.js';

const PASSWORD = 'Rs-distinctive-Passw0rd-4410';
const CLUSTER: RedshiftConnection = {
  host: 'sparkify.abc123xyz.us-west-2.redshift.amazonaws.com',
  port: 5439,
  database: 'sparkify',
  user: 'awsuser',
  password: PASSWORD,
};

/** A stand-in for pg.Client: records its configuration and the statements it is sent. */
class FakeClient extends EventEmitter {
  readonly statements: string[] = [];
  ended = false;
  constructor(
    readonly config: pg.ClientConfig,
    private readonly connectError: Error | undefined,
  ) {
    super();
  }
  connect(): Promise<void> {
    return this.connectError === undefined ? Promise.resolve() : Promise.reject(this.connectError);
  }
  query(config: {
    text: string;
  }): Promise<{ rows: unknown[]; fields: { name: string }[]; rowCount: number; command: string }> {
    this.statements.push(config.text);
    return Promise.resolve({ rows: [], fields: [], rowCount: 0, command: config.text.split(' ')[0]! });
  }
  end(): Promise<void> {
    this.ended = true;
    return Promise.resolve();
  }
}

function fakeFactory(connectError?: Error): { factory: (config: pg.ClientConfig) => pg.Client; clients: FakeClient[] } {
  const clients: FakeClient[] = [];
  return {
    clients,
    factory: (config) => {
      const client = new FakeClient(config, connectError);
      clients.push(client);
      // The fake implements only what the warehouse calls; pg.Client's full surface is not needed.
      return client as unknown as pg.Client;
    },
  };
}

const SEE_STATUS = '(run `sparkify-dwh cluster status` to see its endpoint and port)';

async function failureOf(connectError: Error): Promise<UserError> {
  const { factory } = fakeFactory(connectError);
  const error = await openRedshift(CLUSTER, { clientFactory: factory }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UserError);
  expect((error as Error).message).not.toContain(PASSWORD);
  return error as UserError;
}

describe('redshift warehouse', () => {
  test('connects with verified TLS to the endpoint, and describes itself without the password', async () => {
    const { factory, clients } = fakeFactory();
    const warehouse = await openRedshift(CLUSTER, { clientFactory: factory });
    expect(clients).toHaveLength(1);
    const config = clients[0]!.config;
    expect(config.ssl).toEqual({ rejectUnauthorized: true, servername: CLUSTER.host });
    expect(config).toMatchObject({
      host: CLUSTER.host,
      port: 5439,
      database: 'sparkify',
      user: 'awsuser',
      password: PASSWORD,
      application_name: 'sparkify-dwh',
      connectionTimeoutMillis: 10_000,
    });
    // TCP keepalive: a silent COPY that runs for minutes is not cut by a NAT or firewall on the way.
    expect(config).toMatchObject({ keepAlive: true, keepAliveInitialDelayMillis: 60_000 });
    expect(warehouse.target).toBe('redshift');
    expect(warehouse.dialect).toBe('redshift');
    expect(warehouse.description).toBe(`redshift://awsuser@${CLUSTER.host}:5439/sparkify`);
    // No version probe: Redshift's version() says PostgreSQL 8.0.2.
    expect(clients[0]!.statements).toEqual([]);
    await warehouse.close();
    expect(clients[0]!.ended).toBe(true);
  });

  test('loads from S3 only: copyFromS3, no copyFromStdin to stream rows into, as known before connecting', async () => {
    const { factory } = fakeFactory();
    const warehouse = await openRedshift(CLUSTER, { clientFactory: factory });
    expect(warehouse.capabilities.copyFromStdin).toBeUndefined();
    expect(warehouse.capabilities.copyFromS3).toBeDefined();
    expect(stagingSourceOf('redshift')).toBe('s3');
    await warehouse.close();
  });

  test('readOnlyQuery runs inside BEGIN READ ONLY … ROLLBACK', async () => {
    const { factory, clients } = fakeFactory();
    const warehouse = await openRedshift(CLUSTER, { clientFactory: factory });
    await warehouse.readOnlyQuery('SELECT 1');
    expect(clients[0]!.statements).toEqual(['BEGIN READ ONLY', 'SELECT 1', 'ROLLBACK']);
    await warehouse.close();
  });

  test('an endpoint that does not resolve: host name not found, check [CLUSTER] HOST', async () => {
    const error = await failureOf(
      Object.assign(new Error(`getaddrinfo ENOTFOUND ${CLUSTER.host}`), { code: 'ENOTFOUND' }),
    );
    expect(error.message).toBe(`host name ${CLUSTER.host} not found: check [CLUSTER] HOST ${SEE_STATUS}`);
  });

  test('no route to the host: cannot reach, network unreachable, never "within 10 s"', async () => {
    const error = await failureOf(
      Object.assign(new Error('connect EHOSTUNREACH 10.1.2.3:5439'), { code: 'EHOSTUNREACH' }),
    );
    expect(error.message).toBe(
      `cannot reach ${CLUSTER.host}:5439: network unreachable; check your network connection and ` +
        `[CLUSTER] HOST ${SEE_STATUS}`,
    );
  });

  test('a refused login names the user and the keys to check', async () => {
    const error = await failureOf(
      Object.assign(new Error('password authentication failed for user "awsuser"'), { code: '28000' }),
    );
    expect(error.message).toBe(
      `the cluster at ${CLUSTER.host}:5439 refused user "awsuser" ` +
        '(password authentication failed for user "awsuser"): check [CLUSTER] DB_USER and DB_PASSWORD',
    );
  });

  test('a certificate that does not verify: TLS verification failed', async () => {
    const error = await failureOf(
      Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
    );
    expect(error.message).toBe(
      `TLS verification of the cluster at ${CLUSTER.host}:5439 failed (unable to verify the first certificate): ` +
        "check that [CLUSTER] HOST is the cluster's endpoint",
    );
  });

  test('a database the cluster does not have: check [CLUSTER] DB_NAME', async () => {
    const error = await failureOf(Object.assign(new Error('database "sparkify" does not exist'), { code: '3D000' }));
    expect(error.message).toBe(
      `database "sparkify" does not exist on the cluster at ${CLUSTER.host}:5439: check [CLUSTER] DB_NAME`,
    );
  });
});

describe('redshift connection timeout (real socket)', () => {
  let silentServer: Server;
  let silentPort: number;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts the TCP connection and never answers the TLS request, like a cluster behind a
    // security group that drops the packets (only faster to set up).
    silentServer = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve));
    const address = silentServer.address();
    silentPort = typeof address === 'object' && address !== null ? address.port : 0;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silentServer.close(() => resolve()));
  });

  test('says the cluster may not be publicly accessible or its security group does not allow your IP', async () => {
    const error = await openRedshift(
      { ...CLUSTER, host: '127.0.0.1', port: silentPort },
      { connectTimeoutMillis: 300 },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `no answer from the cluster at 127.0.0.1:${silentPort} within 0.3 s: the cluster may not be publicly ` +
        'accessible or its security group does not allow your IP (run `sparkify-dwh cluster status`)',
    );
  });
});

describe('redshift connection failures that are not a timeout (real sockets, no network)', () => {
  // A long timeout: a refusal or a failed lookup must be reported as what it is, not waited out.
  const LONG = 60_000;

  test('a closed port: the connection was refused, check HOST and DB_PORT (not "within 60 s")', async () => {
    const port = await closedPort();
    const error = await openRedshift({ ...CLUSTER, host: '127.0.0.1', port }, { connectTimeoutMillis: LONG }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `the connection to 127.0.0.1:${port} was refused: check [CLUSTER] HOST and DB_PORT ${SEE_STATUS}`,
    );
  });

  test('a name under .invalid (never resolves, RFC 6761): host name not found', async () => {
    const error = await openRedshift(
      { ...CLUSTER, host: 'sparkify-cluster.invalid' },
      { connectTimeoutMillis: LONG },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `host name sparkify-cluster.invalid not found: check [CLUSTER] HOST ${SEE_STATUS}`,
    );
  });
});

describe('stlLoadErrors: why a COPY from S3 failed', () => {
  const REJECTED = {
    filename: 's3://udacity-dend/log_data/2018/11/2018-11-30-events.json',
    line_number: 17,
    colname: 'ts',
    raw_field_value: '15435x',
    err_reason: 'Invalid digit, Value "x", Pos 5, Type: Long',
  };
  const COPY_FAILED = new Error(
    "Load into table 'staging_events' failed.  Check 'stl_load_errors' system table for details.",
  );

  /** A session that answers every query with `answer()`'s rows (or its error), recording what was sent. */
  function session(answer: () => unknown[]): Queryable & { sent: string[] } {
    const sent: string[] = [];
    const query = ((sql: string) => {
      sent.push(sql);
      try {
        const rows = answer();
        return Promise.resolve({ rows, fields: [], rowCount: rows.length });
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }) as Queryable['query'];
    return { sent, query };
  }

  test("reads the session's last COPY from stl_load_errors when Redshift points there", async () => {
    const fake = session(() => [REJECTED]);
    expect(await stlLoadErrors(fake).loadErrors(COPY_FAILED)).toEqual({ source: 'stl_load_errors', rows: [REJECTED] });
    expect(fake.sent).toEqual([loadErrorsSql()]);
  });

  test('asks nothing for other failures', async () => {
    const fake = session(() => [REJECTED]);
    expect(await stlLoadErrors(fake).loadErrors(new Error('permission denied for relation songs'))).toBeUndefined();
    expect(fake.sent).toEqual([]);
  });

  test('an empty log, or one that cannot be read, explains nothing (the COPY error stands)', async () => {
    expect(await stlLoadErrors(session(() => [])).loadErrors(COPY_FAILED)).toBeUndefined();
    const broken = session(() => {
      throw new Error('connection lost');
    });
    expect(await stlLoadErrors(broken).loadErrors(COPY_FAILED)).toBeUndefined();
  });
});
