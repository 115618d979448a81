import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { afterAll, describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { DwhConfig } from '../../src/config/types.js';
import { openWarehouse, redshiftConnectionFrom, stagingSourceOf } from '../../src/warehouse/open.js';
import { createDataApiDouble } from '../support/data-api-double.js';
import { createTestDatabase } from '../support/postgres.js';

const scratch = mkdtempSync(join(tmpdir(), 'sparkify-open-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function config(
  overrides: {
    warehouse?: Partial<DwhConfig['warehouse']>;
    cluster?: DwhConfig['cluster'];
    dwh?: Partial<DwhConfig['dwh']>;
  } = {},
): DwhConfig {
  return {
    aws: {},
    dwh: { access: 'private', baseRpu: 8, ...overrides.dwh },
    cluster: overrides.cluster ?? {},
    iamRole: {},
    s3: { region: 'us-west-2' },
    warehouse: { target: 'embedded', embeddedDir: join(scratch, 'warehouse'), ...overrides.warehouse },
    local: { songData: join(scratch, 'song_data'), logData: join(scratch, 'log_data') },
  };
}

describe('openWarehouse', () => {
  test('embedded: opens PGlite in [WAREHOUSE] EMBEDDED_DIR', async () => {
    const warehouse = await openWarehouse('embedded', config(), 'dwh.cfg');
    try {
      expect(warehouse.target).toBe('embedded');
      // Rows stream in from this machine, as stagingSourceOf says before connecting.
      expect(stagingSourceOf('embedded')).toBe('this machine');
      expect(warehouse.capabilities.copyFromStdin).toBeDefined();
      expect(warehouse.capabilities.copyFromS3).toBeUndefined();
      expect(warehouse.description).toBe(`embedded (PGlite) at ${join(scratch, 'warehouse')}`);
      expect((await warehouse.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await warehouse.close();
    }
  });

  test('postgres: opens the server at [WAREHOUSE] POSTGRES_URL', async () => {
    const database = await createTestDatabase();
    try {
      const warehouse = await openWarehouse(
        'postgres',
        config({ warehouse: { postgresUrl: database.url } }),
        'dwh.cfg',
      );
      expect(warehouse.target).toBe('postgres');
      expect(stagingSourceOf('postgres')).toBe('this machine');
      expect(warehouse.capabilities.copyFromStdin).toBeDefined();
      expect(warehouse.capabilities.copyFromS3).toBeUndefined();
      expect((await warehouse.query<{ db: string }>('SELECT current_database() AS db')).rows).toEqual([
        { db: database.name },
      ]);
      await warehouse.close();
    } finally {
      await database.drop();
    }
  });

  test('postgres without POSTGRES_URL: a ConfigError naming [WAREHOUSE] POSTGRES_URL', async () => {
    const error = await openWarehouse('postgres', config(), 'team/dwh.cfg').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'team/dwh.cfg [WAREHOUSE] POSTGRES_URL: is not set, and the postgres target needs it',
    );
    expect((error as ConfigError).hint).toBe('write it as postgres://user:password@host:5432/database');
  });

  test('redshift without [CLUSTER] HOST: a ConfigError saying to run cluster create', async () => {
    const error = await openWarehouse('redshift', config(), 'dwh.cfg').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe('dwh.cfg [CLUSTER] HOST: is not set');
    expect((error as ConfigError).hint).toBe(
      'run `sparkify-dwh cluster create` (it writes the endpoint back), or copy the cluster endpoint here',
    );
  });

  test('redshift-serverless: the Data API to the workgroup DWH_CLUSTER_IDENTIFIER, no password read', async () => {
    const double = await createDataApiDouble({ targets: [{ workgroupName: 'dwhcluster', database: 'dwh' }] });
    try {
      const warehouse = await openWarehouse(
        'redshift-serverless',
        config({ dwh: { clusterIdentifier: 'dwhcluster', db: 'dwh', dbUser: 'dwhuser' } }),
        'dwh.cfg',
        { dataApiClient: () => Promise.resolve(double.client) },
      );
      expect(warehouse.target).toBe('redshift-serverless');
      expect(warehouse.description).toMatch(/via the Data API/);
      expect(stagingSourceOf('redshift-serverless')).toBe('s3');
      expect(warehouse.capabilities.copyFromS3).toBeDefined();
      expect(warehouse.capabilities.copyFromStdin).toBeUndefined();
      expect((await warehouse.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      const sent = double.mock.commandCalls(ExecuteStatementCommand).map((call) => call.args[0].input);
      expect(sent.every((input) => input.WorkgroupName === 'dwhcluster' && input.Database === 'dwh')).toBe(true);
      expect(sent.every((input) => input.ClusterIdentifier === undefined && input.DbUser === undefined)).toBe(true);
      await warehouse.close();
    } finally {
      await double.close();
    }
  });

  test('redshift-serverless without DWH_CLUSTER_IDENTIFIER: a ConfigError naming the workgroup key', async () => {
    const error = await openWarehouse('redshift-serverless', config({ dwh: { db: 'dwh' } }), 'dwh.cfg', {
      dataApiClient: () => Promise.reject(new Error('not asked for')),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe('dwh.cfg [DWH] DWH_CLUSTER_IDENTIFIER: is not set');
  });
});

describe('redshiftConnectionFrom', () => {
  test('takes [CLUSTER] values and falls back to [DWH] and port 5439', () => {
    expect(
      redshiftConnectionFrom(
        config({
          cluster: { host: 'h.example.com', dbName: 'dev' },
          dwh: { db: 'ignored', dbUser: 'dwhuser', dbPassword: 'Passw0rd' },
        }),
        'dwh.cfg',
      ),
    ).toEqual({ host: 'h.example.com', port: 5439, database: 'dev', user: 'dwhuser', password: 'Passw0rd' });
    expect(
      redshiftConnectionFrom(
        config({ cluster: { host: 'h', dbName: 'd', dbUser: 'u', dbPassword: 'p', dbPort: 5440 } }),
        'dwh.cfg',
      ).port,
    ).toBe(5440);
  });

  test('a missing password names [CLUSTER] DB_PASSWORD', () => {
    expect(() =>
      redshiftConnectionFrom(config({ cluster: { host: 'h', dbName: 'd', dbUser: 'u' } }), 'dwh.cfg'),
    ).toThrow('dwh.cfg [CLUSTER] DB_PASSWORD: is not set');
  });
});
