import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UserError } from '../../src/errors.js';
import { openEmbedded } from '../../src/warehouse/embedded.js';
import {
  describePostgres,
  diagnosePostgresConnectFailure,
  openPostgres,
  parsePostgresUrl,
} from '../../src/warehouse/postgres.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../support/postgres.js';
import { EXPECTED_SHAPES, SHAPES_SQL, defineWarehouseConformance } from './conformance.js';
import { closedPort } from '../support/net.js';

const PASSWORD = 'Zq-distinctive-S3cret-7781';

let database: TestDatabase;
const databaseReady = createTestDatabase().then((created) => {
  database = created;
  return created;
});

afterAll(async () => {
  await (await databaseReady).drop();
});

defineWarehouseConformance('postgres', async () => openPostgres((await databaseReady).url));

describe('postgres warehouse', () => {
  test('describes itself without the password', async () => {
    const url = new URL((await databaseReady).url);
    const warehouse = await openPostgres(url.toString());
    try {
      expect(warehouse.target).toBe('postgres');
      expect(warehouse.dialect).toBe('postgres');
      expect(warehouse.description).toBe(
        `postgres://${decodeURIComponent(url.username || 'postgres')}@${url.hostname}:${url.port}/${database.name}`,
      );
    } finally {
      await warehouse.close();
    }
    expect(describePostgres(parsePostgresUrl(`postgres://ana:${PASSWORD}@db.example.com:6543/sparkify`).endpoint)).toBe(
      'postgres://ana@db.example.com:6543/sparkify',
    );
  });

  test('returns exactly the same result shapes as the embedded warehouse', async () => {
    const server = await openPostgres((await databaseReady).url);
    const embedded = await openEmbedded(undefined);
    try {
      const fromServer = await server.query(SHAPES_SQL);
      const fromEmbedded = await embedded.query(SHAPES_SQL);
      expect(fromServer.rows).toEqual([EXPECTED_SHAPES]);
      expect(fromEmbedded.rows).toEqual(fromServer.rows);
      expect(fromEmbedded.fields).toEqual(fromServer.fields);
      // toEqual treats 1 and 1n as different, but be explicit about the types too.
      const types = (row: Record<string, unknown>): string[] => Object.values(row).map((value) => typeof value);
      expect(types(fromEmbedded.rows[0]!)).toEqual(types(fromServer.rows[0]!));
    } finally {
      await server.close();
      await embedded.close();
    }
  });

  test('sets application_name so DBAs can tell the wizard apart', async () => {
    const warehouse = await openPostgres((await databaseReady).url);
    try {
      const { rows } = await warehouse.query<{ name: string }>("SELECT current_setting('application_name') AS name");
      expect(rows).toEqual([{ name: 'sparkify-dwh' }]);
    } finally {
      await warehouse.close();
    }
  });

  test('a connection the server drops gives a one-line "lost the connection" UserError', async () => {
    const warehouse = await openPostgres((await databaseReady).url);
    try {
      const { rows } = await warehouse.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const admin = new pg.Client({ connectionString: serverUrl() });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await admin.end();
      // Let the server's goodbye arrive, as it would while the wizard sits in its menu.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const error = await warehouse.query('SELECT 1').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toBe(
        `lost the connection to ${warehouse.description}: terminating connection due to administrator command`,
      );
      // And it stays a clear error afterwards, not a hang.
      await expect(warehouse.query('SELECT 1')).rejects.toThrow(`lost the connection to ${warehouse.description}: `);
    } finally {
      await warehouse.close();
    }
  });
});

describe('postgres connection failures', () => {
  let silentServer: Server;
  let silentPort: number;
  const openSockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts connections and never answers: what a firewall that swallows packets looks like.
    silentServer = createServer((socket) => {
      openSockets.add(socket);
      socket.on('close', () => openSockets.delete(socket));
    });
    await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve));
    const address = silentServer.address();
    silentPort = typeof address === 'object' && address !== null ? address.port : 0;
  });

  afterAll(async () => {
    for (const socket of openSockets) socket.destroy();
    await new Promise<void>((resolve) => silentServer.close(() => resolve()));
  });

  const CHECK_SERVER = 'check [WAREHOUSE] POSTGRES_URL and that the server is running';

  test('nothing listening: cannot reach, connection refused, never the password', async () => {
    const port = await closedPort();
    const error = await openPostgres(`postgres://sparkify:${PASSWORD}@127.0.0.1:${port}/sparkify`).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `cannot reach PostgreSQL at 127.0.0.1:${port} (connection refused); ${CHECK_SERVER}`,
    );
    expect(JSON.stringify({ message: (error as Error).message, hint: (error as UserError).hint })).not.toContain(
      PASSWORD,
    );
  });

  test('a server that never answers: no answer within the timeout', async () => {
    const error = await openPostgres(`postgres://sparkify:${PASSWORD}@127.0.0.1:${silentPort}/sparkify`, {
      connectTimeoutMillis: 300,
    }).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(
      `cannot reach PostgreSQL at 127.0.0.1:${silentPort} (no answer within 0.3 s); ${CHECK_SERVER}`,
    );
  });

  test('a database that does not exist: says so and how to create it', async () => {
    const url = new URL(serverUrl());
    url.pathname = '/no_such_sparkify_db';
    // The server's real credentials (a test server may use password auth); with none, a distinctive
    // password that a trust-auth server ignores, so the message can be checked for it.
    if (!url.password) url.password = PASSWORD;
    const password = decodeURIComponent(url.password);
    const user = decodeURIComponent(url.username || 'postgres');
    const error = await openPostgres(url.toString()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `database "no_such_sparkify_db" does not exist on PostgreSQL at ${url.hostname}:${url.port}; ` +
        `create it (createdb -h ${url.hostname} -p ${url.port} -U ${user} no_such_sparkify_db) ` +
        'or name an existing one in [WAREHOUSE] POSTGRES_URL',
    );
    expect((error as Error).message).not.toContain(password);
  });

  test('a role the server does not know (SQLSTATE 28000): authentication failed for that user', async () => {
    const url = new URL((await databaseReady).url);
    url.username = 'no_such_sparkify_role';
    url.password = PASSWORD;
    const error = await openPostgres(url.toString()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(
      message.startsWith(
        `authentication failed for user "no_such_sparkify_role" on PostgreSQL at ${url.hostname}:${url.port} (`,
      ),
    ).toBe(true);
    expect(message.endsWith('); check the user and password in [WAREHOUSE] POSTGRES_URL')).toBe(true);
    expect(message).not.toContain(PASSWORD);
  });

  test('a wrong password (SQLSTATE 28P01) is named as such', async () => {
    // The test server authenticates local connections with `trust` (see global-postgres.ts), so
    // it never asks for a password and cannot produce 28P01 itself; check the diagnosis with the
    // error node-postgres raises for it instead.
    const serverError = Object.assign(new Error('password authentication failed for user "ana"'), {
      code: '28P01',
      severity: 'FATAL',
    });
    const { endpoint } = parsePostgresUrl(`postgres://ana:${PASSWORD}@db.example.com:5432/sparkify`);
    expect(diagnosePostgresConnectFailure(serverError, endpoint, PASSWORD, 10_000).message).toBe(
      'authentication failed for user "ana" on PostgreSQL at db.example.com:5432 (password ' +
        'authentication failed for user "ana"); check the user and password in [WAREHOUSE] POSTGRES_URL',
    );
  });

  test('an unresolvable host is reported as such', () => {
    const lookupError = Object.assign(new Error('getaddrinfo ENOTFOUND db.invalid'), { code: 'ENOTFOUND' });
    const { endpoint } = parsePostgresUrl(`postgres://ana:${PASSWORD}@db.invalid/sparkify`);
    expect(diagnosePostgresConnectFailure(lookupError, endpoint, PASSWORD, 10_000).message).toBe(
      'cannot reach PostgreSQL at db.invalid:5432 (host name not found); check [WAREHOUSE] POSTGRES_URL ' +
        'and that the server is running',
    );
  });

  test('a password that shows up in a driver message is masked', () => {
    const leaky = new Error(`something odd about ${PASSWORD}`);
    const { endpoint } = parsePostgresUrl(`postgres://ana:${PASSWORD}@db.example.com/sparkify`);
    expect(diagnosePostgresConnectFailure(leaky, endpoint, PASSWORD, 10_000).message).toBe(
      'cannot connect to PostgreSQL at db.example.com:5432: something odd about ***',
    );
  });

  test('a URL that is not one is refused without echoing it', async () => {
    const error = await openPostgres(`not a url ${PASSWORD}`).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe(
      '[WAREHOUSE] POSTGRES_URL is not a valid URL: write it as postgres://user:password@host:5432/database',
    );
  });
});
