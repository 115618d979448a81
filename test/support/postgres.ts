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

/** A session holding a table lock until released: `pid` names it, as lock-wait messages must. */
export interface HeldLock {
  pid: number;
  release: () => Promise<void>;
}

/**
 * Another session, named like psql, holding an ACCESS EXCLUSIVE lock on `table` in `url`'s
 * database until released (its transaction is rolled back, so nothing changes).
 */
export async function holdTableLock(url: string, table = 'songplays'): Promise<HeldLock> {
  const client = new pg.Client({ connectionString: url, application_name: 'psql' });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return {
    pid: rows[0]!.pid,
    release: async () => {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    },
  };
}
