/**
 * What every channel that offers streamed results or cancelling must do, run against each one that
 * offers them (embedded.test.ts, postgres.test.ts, redshift-cancel.test.ts; the worker and Data
 * API channels call these too). Rows are arrays end to end, pages are bounded, the session is free
 * again however the loop over the pages ends, and a cancel stops the server-side statement.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InterruptedError, UserError } from '../../src/errors.js';
import type { RowStream } from '../../src/sql/result.js';
import { WarehouseQueryError } from '../../src/warehouse/errors.js';
import { STREAM_PAGE_ROWS } from '../../src/warehouse/session.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { EXPECTED_SHAPES, SHAPES_SQL } from './conformance.js';

async function pagesOf(stream: RowStream): Promise<unknown[][][]> {
  const pages: unknown[][][] = [];
  for await (const page of stream.pages) pages.push(page.map((row) => [...row]));
  return pages;
}

function streamOf(warehouse: Warehouse, sql: string, signal?: AbortSignal): Promise<RowStream> {
  const streaming = warehouse.capabilities.streamResults;
  if (streaming === undefined) throw new Error(`${warehouse.description} does not stream results`);
  return streaming.streamReadOnly(sql, { signal });
}

/** The session is free and outside any transaction (a stream left behind would block or leak). */
async function expectSessionFree(warehouse: Warehouse): Promise<void> {
  const { rows } = await warehouse.query<{ ro: string }>("SELECT current_setting('transaction_read_only') AS ro");
  expect(rows).toEqual([{ ro: 'off' }]);
}

export function defineStreamConformance(name: string, open: () => Promise<Warehouse>): void {
  describe(`${name}: streamed results`, () => {
    let warehouse: Warehouse;
    beforeAll(async () => {
      warehouse = await open();
    });
    afterAll(async () => {
      await warehouse?.close();
    });

    test('rows are arrays in field order: two columns with one name keep their own values', async () => {
      const stream = await streamOf(warehouse, "SELECT 1 AS a, 2 AS a, NULL::text AS b, 'x' AS level, 'y' AS level");
      expect(stream.fields).toEqual(['a', 'a', 'b', 'level', 'level']);
      expect(await pagesOf(stream)).toEqual([[[1, 2, null, 'x', 'y']]]);
      await expectSessionFree(warehouse);
    });

    test('values come back as query() returns them (int8 beyond 2^53 a BigInt, timestamps as text…)', async () => {
      const stream = await streamOf(warehouse, SHAPES_SQL);
      expect(stream.fields).toEqual(Object.keys(EXPECTED_SHAPES));
      expect(await pagesOf(stream)).toEqual([[Object.values(EXPECTED_SHAPES)]]);
    });

    test(`rows arrive in pages of at most ${STREAM_PAGE_ROWS}, in order, every one`, async () => {
      const total = STREAM_PAGE_ROWS * 2 + 7;
      const pages = await pagesOf(await streamOf(warehouse, `SELECT g FROM generate_series(1, ${total}) AS g`));
      expect(pages.map((page) => page.length)).toEqual([STREAM_PAGE_ROWS, STREAM_PAGE_ROWS, 7]);
      expect(pages.flat().map(([g]) => g)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    });

    test('an empty result still names its columns', async () => {
      const stream = await streamOf(warehouse, 'SELECT 1 AS one, 2 AS two WHERE false');
      expect(stream.fields).toEqual(['one', 'two']);
      expect(await pagesOf(stream)).toEqual([]);
    });

    test('it is read-only: a write is refused by the database', async () => {
      const error = await streamOf(warehouse, 'CREATE TABLE stream_write (a int)').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WarehouseQueryError);
      expect((error as Error).message).toMatch(/read-only/);
      await expectSessionFree(warehouse);
    });

    test('a second statement in the text is refused', async () => {
      await expect(streamOf(warehouse, 'SELECT 1; SELECT 2')).rejects.toBeInstanceOf(UserError);
      await expectSessionFree(warehouse);
    });

    test('leaving the loop early ends the statement, rolls back and frees the session', async () => {
      const stream = await streamOf(warehouse, `SELECT g FROM generate_series(1, ${STREAM_PAGE_ROWS * 5}) AS g`);
      let seen = 0;
      for await (const page of stream.pages) {
        seen += page.length;
        break;
      }
      expect(seen).toBe(STREAM_PAGE_ROWS);
      await expectSessionFree(warehouse);
    });

    test('a failure part way through is a UserError; the session carries on', async () => {
      // A channel that pages a result computed whole (in-process PGlite) fails at the start; one
      // reading a portal fails after the first page.
      const failAt = STREAM_PAGE_ROWS + 10;
      const sql = `SELECT 1 / (${failAt} - g) AS x FROM generate_series(1, ${failAt + 5}) AS g`;
      const error = await streamOf(warehouse, sql)
        .then(pagesOf)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WarehouseQueryError);
      expect((error as Error).message).toMatch(/division by zero/);
      await expectSessionFree(warehouse);
    });

    test('an aborted signal ends the loop with an InterruptedError and frees the session', async () => {
      const controller = new AbortController();
      const stream = await streamOf(
        warehouse,
        `SELECT g FROM generate_series(1, ${STREAM_PAGE_ROWS * 5}) AS g`,
        controller.signal,
      );
      const error = await (async () => {
        for await (const page of stream.pages) {
          expect(page.length).toBeGreaterThan(0);
          controller.abort();
        }
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InterruptedError);
      await expectSessionFree(warehouse);
    });
  });
}

export interface CancelConformanceOptions {
  /** A second, independent connection's view of running statements (pg_stat_activity). */
  activeStatements: (like: string) => Promise<number>;
  /** The server runs CREATE FUNCTION … LANGUAGE plpgsql (PostgreSQL; not the Data API's Redshift). */
  canDefineFunctions?: boolean;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMillis: number): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMillis} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function defineCancelConformance(
  name: string,
  open: () => Promise<Warehouse>,
  options: CancelConformanceOptions,
): void {
  describe(`${name}: cancelling the running statement`, () => {
    let warehouse: Warehouse;
    beforeAll(async () => {
      warehouse = await open();
    });
    afterAll(async () => {
      await warehouse?.close();
    });

    const started = (marker: string): Promise<void> =>
      waitUntil(async () => (await options.activeStatements(marker)) > 0, 10_000);

    test('cancelRunning stops a running statement within a second and the server runs it no more', async () => {
      const marker = 'pg_sleep(31)';
      const running = warehouse.readOnlyQuery(`SELECT ${marker}`).catch((e: unknown) => e);
      await started(marker);
      const asked = Date.now();
      await warehouse.capabilities.cancel!.cancelRunning();
      const error = await running;
      expect(Date.now() - asked).toBeLessThan(1000);
      expect(error).toBeInstanceOf(WarehouseQueryError);
      expect((error as WarehouseQueryError).code).toBe('57014');
      expect(await options.activeStatements(marker)).toBe(0);
      await expectSessionFree(warehouse);
    });

    test('with nothing running it does nothing, and the next statement runs', async () => {
      await warehouse.capabilities.cancel!.cancelRunning();
      expect((await warehouse.readOnlyQuery<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });

    test('a batch whose signal fires mid-statement stops at once and rolls back', async () => {
      const marker = 'pg_sleep(32)';
      const controller = new AbortController();
      const running = warehouse
        .batch(['CREATE TABLE cancelled_batch (a int)', `SELECT ${marker}`], { signal: controller.signal })
        .catch((e: unknown) => e);
      await started(marker);
      const asked = Date.now();
      controller.abort();
      expect(await running).toBeInstanceOf(InterruptedError);
      expect(Date.now() - asked).toBeLessThan(1000);
      expect(await options.activeStatements(marker)).toBe(0);
      const { rows } = await warehouse.query<{ found: string | null }>(
        "SELECT to_regclass('cancelled_batch')::text AS found",
      );
      expect(rows).toEqual([{ found: null }]);
    });

    test.runIf(options.canDefineFunctions === true)(
      'a statement that ignores the cancel request has its session ended within about two seconds',
      async () => {
        // PL/pgSQL can catch query_canceled: a stand-in for a statement the server will not
        // cancel (Redshift's inside a transaction block).
        await warehouse.query(`CREATE OR REPLACE FUNCTION stubborn() RETURNS int LANGUAGE plpgsql AS $$
          BEGIN
            FOR i IN 1..600 LOOP
              BEGIN PERFORM pg_sleep(0.05); EXCEPTION WHEN query_canceled THEN NULL; END;
            END LOOP;
            RETURN 1;
          END $$`);
        const marker = 'stubborn() AS stubborn_call';
        const running = warehouse.readOnlyQuery(`SELECT ${marker}`).catch((e: unknown) => e);
        await started(marker);
        const asked = Date.now();
        await warehouse.capabilities.cancel!.cancelRunning();
        const error = await running;
        expect(Date.now() - asked).toBeLessThan(2500);
        expect(error).toBeInstanceOf(UserError);
        expect((error as Error).message).toMatch(/lost the connection .*terminating connection/);
        expect(await options.activeStatements(marker)).toBe(0);
        // The session is gone: this warehouse is done, and says so.
        await expect(warehouse.query('SELECT 1')).rejects.toThrow(/lost the connection/);
        await warehouse.close();
        warehouse = await open();
      },
    );

    test('a stream whose signal fires while its first page is computed stops at once', async () => {
      const marker = 'pg_sleep(33)';
      const controller = new AbortController();
      const streaming = warehouse.capabilities.streamResults;
      if (streaming === undefined) return;
      const running = streaming
        .streamReadOnly(`SELECT ${marker}`, { signal: controller.signal })
        .catch((e: unknown) => e);
      await started(marker);
      const asked = Date.now();
      controller.abort();
      expect(await running).toBeInstanceOf(InterruptedError);
      expect(Date.now() - asked).toBeLessThan(1000);
      expect(await options.activeStatements(marker)).toBe(0);
      await expectSessionFree(warehouse);
    });
  });
}
