/**
 * The embedded warehouse off the main thread: the main thread stays live while PGlite works,
 * cancel() ends a running statement within about a second, ending the worker mid-write leaves
 * the data folder as a kill -9 would (PostgreSQL recovers it to the last commit), a COPY reads its
 * input only as fast as PGlite loads it, and new warehouses start from the template.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InterruptedError, UserError } from '../../src/errors.js';
import { openEmbedded, type EmbeddedWarehouse } from '../../src/warehouse/embedded.js';
import { STREAM_PAGE_ROWS } from '../../src/warehouse/session.js';
import type { Transaction } from '../../src/warehouse/types.js';
import { failureCause } from '../../src/warehouse/embedded-host.js';
import { WorkerError } from '../../src/warehouse/embedded-protocol.js';
import {
  UNFINISHED_COPY_MARKER,
  installedPgliteVersion,
  usableTemplate,
} from '../../src/warehouse/embedded-template.js';
import { copyTextChunks, type CopyValue } from '../../src/warehouse/copy-format.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sparkify-embedded-worker-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const TABLE_SQL = 'CREATE TABLE plays (id bigint PRIMARY KEY, title text NOT NULL, length double precision)';

function row(id: number): CopyValue[] {
  return [id, `title ${id} ${'x'.repeat(id % 40)}`, id % 13 === 0 ? null : id * 0.25];
}

/** Rows `from` … `to - 1` as COPY text; `pulled` counts the characters handed out so far. */
function rows(from: number, to: number, pulled = { characters: 0 }): AsyncIterable<string> {
  async function* batches(): AsyncGenerator<CopyValue[][]> {
    for (let start = from; start < to; start += 1000) {
      const batch: CopyValue[][] = [];
      for (let id = start; id < Math.min(to, start + 1000); id += 1) batch.push(row(id));
      yield batch;
      // Let timers run between batches, as reading files does.
      await new Promise((resolveSoon) => setImmediate(resolveSoon));
    }
  }
  return {
    async *[Symbol.asyncIterator]() {
      for await (const chunk of copyTextChunks(batches())) {
        pulled.characters += chunk.length;
        yield chunk;
      }
    },
  };
}

/** COPY FROM STDIN through the warehouse's capability, as `load` does. */
function copyIn(
  warehouse: EmbeddedWarehouse,
  tx: Transaction,
  table: string,
  columns: string[],
  lines: AsyncIterable<string>,
): Promise<number> {
  return warehouse.capabilities.copyFromStdin!.copyIn(tx, table, columns, lines);
}

/** count and a checksum of every value: equal snapshots mean the same table. */
async function snapshot(warehouse: EmbeddedWarehouse): Promise<unknown> {
  const { rows: result } = await warehouse.query(
    'SELECT count(*) AS n, coalesce(sum(id), 0) AS ids, ' +
      "md5(coalesce(string_agg(title || ':' || coalesce(length::text, '-'), ',' ORDER BY id), '')) AS digest " +
      'FROM plays',
  );
  return result[0];
}

/** Bytes in the files under `dir`. */
function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** Resolves once `condition` holds (checked every 20 ms), or fails after `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 20));
  }
}

/** A statement that keeps PGlite busy for many seconds without writing anything. */
const LONG_QUERY = 'SELECT count(*) AS n FROM generate_series(1, 400000000) AS s(i) WHERE i % 7 = 3';

describe('the main thread stays live while PGlite works, and cancel() ends the statement', () => {
  test('timers fire during a long statement; cancel() rejects it with InterruptedError in a second', async () => {
    const warehouse = await openEmbedded(join(scratch, 'live'));
    try {
      const gaps: number[] = [];
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        gaps.push(now - last);
        last = now;
      }, 25);
      const running = warehouse.query(LONG_QUERY);
      const outcome = running.then(
        () => 'finished',
        (error: unknown) => error,
      );
      await new Promise((resolveWait) => setTimeout(resolveWait, 1500));
      const asked = performance.now();
      await warehouse.cancel();
      const error = await outcome;
      const took = performance.now() - asked;
      clearInterval(ticker);
      expect(error).toBeInstanceOf(InterruptedError);
      expect(took).toBeLessThan(1000);
      // PGlite in this thread would have frozen the timers for the whole statement.
      expect(gaps.length).toBeGreaterThan(20);
      expect(Math.max(...gaps)).toBeLessThan(500);
      // The next call opens the folder again and works.
      expect((await warehouse.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await warehouse.close();
    }
  }, 120_000);

  test('capabilities.cancel stops a streamed query at once, and the next call works', async () => {
    const warehouse = await openEmbedded(join(scratch, 'live-stream'));
    try {
      // Its first page needs the whole count, so the statement runs while the stream opens.
      const reading = (async () => {
        const stream = await warehouse.capabilities.streamResults!.streamReadOnly(LONG_QUERY);
        for await (const page of stream.pages) void page;
      })().catch((error: unknown) => error);
      await new Promise((resolveWait) => setTimeout(resolveWait, 1500));
      const asked = performance.now();
      await warehouse.capabilities.cancel!.cancelRunning();
      expect(await reading).toBeInstanceOf(InterruptedError);
      expect(performance.now() - asked).toBeLessThan(1000);
      expect((await warehouse.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await warehouse.close();
    }
  }, 120_000);

  test('cancel() with nothing running changes nothing', async () => {
    const warehouse = await openEmbedded(undefined);
    try {
      await warehouse.query('CREATE TABLE kept (n integer)');
      await warehouse.cancel();
      await warehouse.query('INSERT INTO kept VALUES (1)');
      expect((await warehouse.query('SELECT n FROM kept')).rows).toEqual([{ n: 1 }]);
    } finally {
      await warehouse.close();
    }
  }, 60_000);

  test('an in-memory warehouse ended by cancel() says so instead of coming back empty', async () => {
    const warehouse = await openEmbedded(undefined);
    const running = warehouse.query(LONG_QUERY).catch((error: unknown) => error);
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    await warehouse.cancel();
    expect(await running).toBeInstanceOf(InterruptedError);
    await expect(warehouse.query('SELECT 1')).rejects.toThrow('the in-memory embedded warehouse was ended by a cancel');
    await warehouse.close();
  }, 60_000);
});

describe('ending the worker mid-write leaves the folder as a kill -9 would: reopened, tables as before', () => {
  let folder: string;
  let before: unknown;

  beforeAll(async () => {
    folder = join(scratch, 'durable');
    const warehouse = await openEmbedded(folder);
    await warehouse.query(TABLE_SQL);
    expect(
      await warehouse.transaction((tx) => copyIn(warehouse, tx, 'plays', ['id', 'title', 'length'], rows(0, 20_000))),
    ).toBe(20_000);
    before = await snapshot(warehouse);
    await warehouse.close();
  }, 120_000);

  test('cancel during a long COPY load in a transaction', async () => {
    const warehouse = await openEmbedded(folder, { copyChunkCharacters: 256 * 1024 });
    try {
      const pulled = { characters: 0 };
      const load = warehouse
        .transaction(async (tx) => {
          await tx.query('DELETE FROM plays WHERE id % 2 = 0');
          return copyIn(warehouse, tx, 'plays', ['id', 'title', 'length'], rows(1_000_000, 50_000_000, pulled));
        })
        .catch((error: unknown) => error);
      // Well into the load: several COPYs of this transaction have reached the data files.
      await waitFor(() => pulled.characters > 40 * 256 * 1024, 60_000, 'the load to get going');
      await warehouse.cancel();
      expect(await load).toBeInstanceOf(InterruptedError);
      // The same object opens the folder again: the tables are exactly as before the load.
      expect(await snapshot(warehouse)).toEqual(before);
    } finally {
      await warehouse.close();
    }
    const reopened = await openEmbedded(folder);
    try {
      expect(await snapshot(reopened)).toEqual(before);
      // And it takes new writes as usual.
      await reopened.transaction((tx) =>
        copyIn(reopened, tx, 'plays', ['id', 'title', 'length'], rows(20_000, 20_010)),
      );
      await reopened.query('DELETE FROM plays WHERE id >= 20000');
      expect(await snapshot(reopened)).toEqual(before);
    } finally {
      await reopened.close();
    }
  }, 180_000);

  test('cancel during one long INSERT … SELECT that writes far more than the shared buffers hold', async () => {
    const warehouse = await openEmbedded(folder);
    try {
      const insert = warehouse
        .transaction((tx) =>
          tx.query("INSERT INTO plays SELECT i, repeat('y', 100), i FROM generate_series(100000, 10000000) AS s(i)"),
        )
        .catch((error: unknown) => error);
      const sizeBefore = folderBytes(folder);
      await new Promise((resolveWait) => setTimeout(resolveWait, 4000));
      await warehouse.cancel();
      expect(await insert).toBeInstanceOf(InterruptedError);
      // The worker was ended in the middle of writing table pages and WAL to the folder.
      expect(folderBytes(folder) - sizeBefore).toBeGreaterThan(20 * 1024 * 1024);
    } finally {
      await warehouse.close();
    }
    const reopened = await openEmbedded(folder);
    try {
      expect(await snapshot(reopened)).toEqual(before);
    } finally {
      await reopened.close();
    }
  }, 180_000);
});

describe('streamed results cross the thread boundary a page at a time', () => {
  test('the first page of a billion-row result arrives at once; leaving the loop ends the statement', async () => {
    const warehouse = await openEmbedded(undefined);
    try {
      const started = performance.now();
      // A set-returning function in the select list is produced row by row, so a cursor reads its
      // first rows at once; a result read whole would take hours and run out of memory first.
      const stream = await warehouse.capabilities.streamResults!.streamReadOnly(
        'SELECT n, n * 2 AS twice FROM (SELECT generate_series(1, 1000000000) AS n) AS s',
      );
      expect(stream.fields).toEqual(['n', 'twice']);
      const pages: number[] = [];
      for await (const page of stream.pages) {
        pages.push(page.length);
        expect(page[0]).toEqual([
          (pages.length - 1) * STREAM_PAGE_ROWS + 1,
          ((pages.length - 1) * STREAM_PAGE_ROWS + 1) * 2,
        ]);
        if (pages.length === 3) break;
      }
      expect(pages).toEqual([STREAM_PAGE_ROWS, STREAM_PAGE_ROWS, STREAM_PAGE_ROWS]);
      expect(performance.now() - started).toBeLessThan(10_000);
      // The session is free again and outside any transaction.
      expect((await warehouse.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await warehouse.close();
    }
  }, 60_000);

  test('what a cursor cannot read (SHOW, EXPLAIN) is read whole, and an empty result has its columns', async () => {
    const warehouse = await openEmbedded(undefined);
    try {
      const read = async (sql: string): Promise<{ fields: readonly string[]; rows: unknown[] }> => {
        const stream = await warehouse.capabilities.streamResults!.streamReadOnly(sql);
        const rows: unknown[] = [];
        for await (const page of stream.pages) rows.push(...page);
        return { fields: stream.fields, rows };
      };
      expect(await read('SHOW shared_buffers')).toEqual({ fields: ['shared_buffers'], rows: [['16MB']] });
      // The key builds after a load sort in WebAssembly memory, which never shrinks (docs/performance.md).
      expect((await read('SHOW maintenance_work_mem')).rows).toEqual([['16MB']]);
      expect((await read('EXPLAIN SELECT 1')).fields).toEqual(['QUERY PLAN']);
      expect(await read('/* a comment */ (SELECT 1 AS a WHERE false)')).toEqual({ fields: ['a'], rows: [] });
    } finally {
      await warehouse.close();
    }
  }, 60_000);
});

describe('copyIn reads its input only as fast as PGlite loads it', () => {
  test('a COPY that fails in its first chunk stops reading an endless input after a few chunks', async () => {
    const chunk = 64 * 1024;
    const warehouse = await openEmbedded(undefined, { copyChunkCharacters: chunk });
    try {
      await warehouse.query(TABLE_SQL);
      // Row 10 breaks NOT NULL; the input would go on for ever without back-pressure.
      const pulled = { characters: 0 };
      async function* endless(): AsyncGenerator<string> {
        for (let id = 0; ; id += 1) {
          const line = id === 10 ? `${id}\t\\N\t1\n` : `${id}\ttitle ${id}\t1\n`;
          pulled.characters += line.length;
          yield line;
          if (id % 500 === 0) await new Promise((resolveSoon) => setImmediate(resolveSoon));
        }
      }
      const error = await warehouse
        .transaction((tx) => copyIn(warehouse, tx, 'plays', ['id', 'title', 'length'], endless()))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(/null value in column "title"/);
      // One chunk loading, one queued behind it, one being filled: never more than that read ahead.
      expect(pulled.characters).toBeLessThan(4 * chunk);
    } finally {
      await warehouse.close();
    }
  }, 60_000);

  test('loads of many chunks arrive whole and in order', async () => {
    const warehouse = await openEmbedded(undefined, { copyChunkCharacters: 10_000 });
    try {
      await warehouse.query(TABLE_SQL);
      expect(
        await warehouse.transaction((tx) => copyIn(warehouse, tx, 'plays', ['id', 'title', 'length'], rows(0, 30_000))),
      ).toBe(30_000);
      const { rows: result } = await warehouse.query<{ n: number; ids: number }>(
        'SELECT count(*) AS n, sum(id) AS ids FROM plays',
      );
      expect(result).toEqual([{ n: 30_000, ids: (30_000 * 29_999) / 2 }]);
    } finally {
      await warehouse.close();
    }
  }, 60_000);
});

describe('new warehouses start from the template', () => {
  test('a new folder becomes a copy of the template, without its version stamp', async () => {
    const folder = join(scratch, 'from-template');
    const warehouse = await openEmbedded(folder);
    await warehouse.close();
    expect(existsSync(join(folder, 'PG_VERSION'))).toBe(true);
    expect(readdirSync(folder)).not.toContain('sparkify-template.json');
    expect(readdirSync(folder)).not.toContain(UNFINISHED_COPY_MARKER);
  }, 60_000);

  test('a copy cut short (marker left, no PG_VERSION) is finished on the next open', async () => {
    const folder = join(scratch, 'cut-short');
    mkdirSync(folder);
    writeFileSync(join(folder, UNFINISHED_COPY_MARKER), '');
    mkdirSync(join(folder, 'base'));
    writeFileSync(join(folder, 'postgresql.conf'), 'half');
    const warehouse = await openEmbedded(folder);
    try {
      expect((await warehouse.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await warehouse.close();
    }
    expect(readdirSync(folder)).not.toContain(UNFINISHED_COPY_MARKER);
  }, 60_000);

  test('without a template (template: false) PGlite makes the folder with initdb, as before', async () => {
    const folder = join(scratch, 'initdb');
    const warehouse = await openEmbedded(folder, { template: false });
    try {
      expect((await warehouse.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await warehouse.close();
    }
  }, 120_000);

  test('a template without its empty folders (npm leaves them out) still makes a warehouse', async () => {
    const { inject } = await import('vitest');
    const shipped = join(scratch, 'shipped-template');
    await cp(inject('embeddedTemplateDir'), shipped, { recursive: true });
    for (const empty of ['pg_notify', 'pg_twophase', 'pg_stat_tmp', 'pg_logical/mappings']) {
      await rm(join(shipped, empty), { recursive: true });
    }
    const folder = join(scratch, 'from-shipped');
    const warehouse = await openEmbedded(folder, { template: shipped });
    try {
      await warehouse.query('CREATE TABLE t (n integer)');
      expect((await warehouse.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }]);
    } finally {
      await warehouse.close();
    }
    expect(existsSync(join(folder, 'pg_notify'))).toBe(true);
    expect(existsSync(join(folder, 'pg_logical', 'mappings'))).toBe(true);
  }, 60_000);

  test('a missing template (a build that did not make one) falls back to initdb', async () => {
    const folder = join(scratch, 'no-template');
    const warehouse = await openEmbedded(folder, { template: join(scratch, 'no-such-template') });
    try {
      expect((await warehouse.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await warehouse.close();
    }
    // initdb made template0 and template1, which the template leaves out.
    const reopened = await openEmbedded(folder);
    try {
      expect((await reopened.query('SELECT count(*)::int AS n FROM pg_database')).rows).toEqual([{ n: 3 }]);
    } finally {
      await reopened.close();
    }
  }, 120_000);

  test('a template made by another PGlite version is not used', () => {
    const other = join(scratch, 'other-template');
    mkdirSync(other);
    writeFileSync(join(other, 'PG_VERSION'), '18\n');
    writeFileSync(join(other, 'sparkify-template.json'), '{"pgliteVersion":"0.0.1","format":2}\n');
    expect(usableTemplate(other)).toBeUndefined();
    // This PGlite, but an older kind of template (format 1 still held template0 and template1).
    const current = JSON.stringify({ pgliteVersion: installedPgliteVersion(), format: 1 });
    writeFileSync(join(other, 'sparkify-template.json'), current);
    expect(usableTemplate(other)).toBeUndefined();
    writeFileSync(join(other, 'sparkify-template.json'), 'not json');
    expect(usableTemplate(other)).toBeUndefined();
  });

  test('a template from this PGlite version is used', async () => {
    const { inject } = await import('vitest');
    const template = inject('embeddedTemplateDir');
    const copy = join(scratch, 'template-copy');
    await cp(template, copy, { recursive: true });
    expect(usableTemplate(copy)).toBe(copy);
  });
});

describe('failure causes in words', () => {
  test('an emscripten ErrnoError (which prints as [object Object]) becomes its errno name', () => {
    const error = new WorkerError({ name: 'ErrnoError', message: '', fields: { errno: 44 }, postgresLog: [] });
    expect(failureCause(error, '/data')).toBe('ENOENT: no such file or directory');
  });

  test("PostgreSQL's last FATAL or PANIC line wins, with PGlite's virtual folder named as the real one", () => {
    const error = new WorkerError({
      name: 'RuntimeError',
      message: 'Aborted(). Build with -sASSERTIONS for more info.',
      fields: {},
      postgresLog: [
        '2026-01-01 00:00:00.000 UTC [42] LOG:  starting',
        '2026-01-01 00:00:00.000 UTC [42] PANIC:  could not open file "/pglite/data/global/pg_control": ' +
          'Permission denied',
        'Aborted()',
      ],
    });
    expect(failureCause(error, '/home/me/wh')).toBe(
      'could not open file "/home/me/wh/global/pg_control": Permission denied',
    );
  });

  test('otherwise the message', () => {
    expect(failureCause(new Error('something\nbroke'), undefined)).toBe('something broke');
  });
});
