/**
 * The Serverless usage query, run for real on PGlite against a table shaped like Redshift's
 * SYS_SERVERLESS_USAGE (same column names and types), and the parser that reads its one row in
 * every shape a driver may hand back.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseServerlessUsage, serverlessUsageSql } from '../../src/sql/serverless.js';

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  await db.exec(`CREATE TABLE sys_serverless_usage (
    start_time TIMESTAMP, end_time TIMESTAMP, compute_seconds DOUBLE PRECISION,
    compute_capacity DOUBLE PRECISION, data_storage INTEGER, cross_region_transferred_data INTEGER,
    charged_seconds INTEGER
  )`);
});
afterAll(async () => {
  await db.close();
});

describe('serverlessUsageSql', () => {
  test('nothing ran yet: zero RPU-seconds and no interval', async () => {
    const { rows } = await db.query<Record<string, unknown>>(serverlessUsageSql());
    expect(parseServerlessUsage(rows)).toEqual({
      chargedRpuSeconds: 0,
      computeRpuSeconds: 0,
      from: undefined,
      to: undefined,
    });
  });

  test('sums the charged and used RPU-seconds over every minute, from the first to the last', async () => {
    await db.exec(`INSERT INTO sys_serverless_usage VALUES
      ('2025-01-02 01:06:00', '2025-01-02 01:07:00', 300.5, 8, 0, 0, 480),
      ('2025-01-02 01:07:00', '2025-01-02 01:08:00', 0, 8, 12, 0, 0),
      ('2025-01-02 02:00:00', '2025-01-02 02:01:00', 120, 8, 12, 0, 480)`);
    const { rows } = await db.query<Record<string, unknown>>(serverlessUsageSql());
    expect(parseServerlessUsage(rows)).toEqual({
      chargedRpuSeconds: 960,
      computeRpuSeconds: 420.5,
      from: new Date(Date.UTC(2025, 0, 2, 1, 6)),
      to: new Date(Date.UTC(2025, 0, 2, 2, 1)),
    });
  });
});

describe('parseServerlessUsage', () => {
  test('accepts BIGINT as text (pg), numbers (Data API) and timestamps as text without a zone, in UTC', () => {
    expect(
      parseServerlessUsage([
        {
          charged_rpu_seconds: '28800',
          compute_rpu_seconds: 27000.25,
          first_start: '2025-01-02 01:06:00',
          last_end: '2025-01-02T09:06:00.000Z',
        },
      ]),
    ).toEqual({
      chargedRpuSeconds: 28800,
      computeRpuSeconds: 27000.25,
      from: new Date(Date.UTC(2025, 0, 2, 1, 6)),
      to: new Date(Date.UTC(2025, 0, 2, 9, 6)),
    });
  });

  test('no row, NULLs or garbage read as nothing rather than NaN', () => {
    expect(parseServerlessUsage([])).toEqual({
      chargedRpuSeconds: 0,
      computeRpuSeconds: 0,
      from: undefined,
      to: undefined,
    });
    expect(
      parseServerlessUsage([
        { charged_rpu_seconds: null, compute_rpu_seconds: 'x', first_start: 'not a date', last_end: null },
      ]),
    ).toEqual({ chargedRpuSeconds: 0, computeRpuSeconds: 0, from: undefined, to: undefined });
  });
});
