/**
 * The postgres channel's streamed results and cancelling (test/warehouse/results-conformance.ts),
 * and a join's two `level` columns keeping their own values.
 */
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { openPostgres } from '../../src/warehouse/postgres.js';
import { readRows } from '../../src/warehouse/rows.js';
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

const open = async () => openPostgres((await databaseReady).url);

defineStreamConformance('postgres', open);
defineCancelConformance('postgres', open, {
  activeStatements: async (like) => activeStatements(await adminReady, like),
  canDefineFunctions: true,
});

describe('postgres results', () => {
  test('a join selecting sp.level and u.level shows each its own value', async () => {
    const warehouse = await open();
    try {
      await warehouse.query('CREATE TABLE plays (user_id int, level text)');
      await warehouse.query('CREATE TABLE people (user_id int, level text)');
      await warehouse.query("INSERT INTO plays VALUES (1, 'free'), (2, 'paid')");
      await warehouse.query("INSERT INTO people VALUES (1, 'paid'), (2, 'paid')");
      const stream = await readRows(
        warehouse,
        'SELECT sp.level, u.level FROM plays sp JOIN people u USING (user_id) ORDER BY user_id',
        new AbortController().signal,
      );
      expect(stream.fields).toEqual(['level', 'level']);
      const rows: unknown[][] = [];
      for await (const page of stream.pages) for (const row of page) rows.push([...row]);
      expect(rows).toEqual([
        ['free', 'paid'],
        ['paid', 'paid'],
      ]);
    } finally {
      await warehouse.close();
    }
  });
});
