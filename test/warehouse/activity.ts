/** What a second, independent session sees running on the test PostgreSQL server. */
import type pg from 'pg';

/** Statements running now on other sessions whose text contains `like`. */
export async function activeStatements(admin: pg.Client, like: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND datname = current_database() " +
      'AND pid <> pg_backend_pid() ' +
      'AND position($1 in query) > 0',
    [like],
  );
  return rows[0]!.n;
}
