import pg from 'pg';
import { expect, test } from 'vitest';
import { createTestDatabase } from './postgres.js';

test('a real PostgreSQL server is reachable for the suite', async () => {
  const db = await createTestDatabase();
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
  await client.end();
  await db.drop();
  expect(Number(rows[0]!.v)).toBeGreaterThanOrEqual(140000);
});
