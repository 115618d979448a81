/**
 * Per-test-file PostgreSQL databases on the server from global-postgres.ts.
 * `const db = await createTestDatabase()` gives a fresh, empty database; `db.drop()` removes it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export function serverUrl(): string {
  const url = inject('postgresUrl');
  if (!url) throw new Error(`PostgreSQL tests need a server: ${inject('postgresProblem')}`);
  return url;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = serverUrl();
  const name = `sparkify_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
