/**
 * The redshift channel (node-postgres to the cluster's leader node) cancels like the postgres one:
 * the same protocol CancelRequest to the endpoint in [CLUSTER], and the same pg_terminate_backend
 * when the statement runs on (as Redshift's may inside a transaction block). No cluster in tests:
 * the channel is pointed at the test PostgreSQL server, TLS left out, everything else as shipped.
 */
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { openRedshift, type RedshiftConnection } from '../../src/warehouse/redshift.js';
import { createTestDatabase } from '../support/postgres.js';
import { activeStatements } from './activity.js';
import { defineCancelConformance, defineStreamConformance } from './results-conformance.js';

const databaseReady = createTestDatabase();
const adminReady = databaseReady.then(async (database) => {
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  return admin;
});

afterAll(async () => {
  await (await adminReady).end();
  await (await databaseReady).drop();
});

async function connection(): Promise<RedshiftConnection> {
  const url = new URL((await databaseReady).url);
  return {
    host: url.hostname,
    port: Number(url.port || 5432),
    database: decodeURIComponent(url.pathname.slice(1)),
    user: decodeURIComponent(url.username) || 'postgres',
    password: decodeURIComponent(url.password),
  };
}

/** The channel exactly as shipped, except that the test server speaks no TLS. */
const open = async () =>
  openRedshift(await connection(), { clientFactory: (config) => new pg.Client({ ...config, ssl: false }) });

defineStreamConformance('redshift channel', open);
defineCancelConformance('redshift channel', open, {
  activeStatements: async (like) => activeStatements(await adminReady, like),
  canDefineFunctions: true,
});

describe('redshift channel', () => {
  test('offers cancel, streamed results and lock waits', async () => {
    const warehouse = await open();
    try {
      expect(Object.keys(warehouse.capabilities).sort()).toEqual([
        'cancel',
        'copyFromS3',
        'lockWaits',
        'streamResults',
      ]);
    } finally {
      await warehouse.close();
    }
  });
});
