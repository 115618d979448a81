/**
 * The behaviour every warehouse must show, run against real PGlite and real PostgreSQL by
 * embedded.test.ts and postgres.test.ts, and through the Redshift Data API channel (on a double
 * that runs the SQL in PGlite) by data-api.test.ts. Where the contract allows two answers, the
 * channel's traits say which one it gives, and the case checks exactly that one.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { InterruptedError, UserError } from '../../src/errors.js';
import { copyTextChunks, type CopyValue } from '../../src/warehouse/copy-format.js';
import { WarehouseQueryError } from '../../src/warehouse/errors.js';
import type { Transaction, Warehouse } from '../../src/warehouse/types.js';

/** Strings that break naive COPY writers. */
export const NASTY_STRINGS = [
  '',
  'plain',
  'tab\there',
  'new\nline',
  'cr\rlf\r\n',
  'back\\slash',
  '\\N',
  'NULL',
  '\\.',
  'ends with backslash\\',
  'ends with tab\t',
  `quote's "double"`,
  'Björk – «Jóga» 中文 🎵',
  '  padded  ',
  'Mozilla\\/5.0 (Windows NT 6.1; WOW64)',
];

export const COPY_TABLE_SQL =
  'CREATE TABLE copy_target (id integer PRIMARY KEY, name text, note text, length double precision, ' +
  'ts bigint, flag boolean)';
export const COPY_COLUMNS = ['id', 'name', 'note', 'length', 'ts', 'flag'] as const;

export interface CopyRow {
  id: number;
  name: string;
  note: string | null;
  length: number | null;
  ts: number;
  flag: boolean;
}

export function nastyRow(id: number): CopyRow {
  const count = NASTY_STRINGS.length;
  return {
    id,
    name: NASTY_STRINGS[id % count]! + (id % 7 === 0 ? '' : ` #${id}`),
    note: id % 5 === 0 ? null : NASTY_STRINGS[(id * 3) % count]!,
    length: id % 11 === 0 ? null : id * 0.1 + 246.30812,
    ts: 1541106106796 + id,
    flag: id % 2 === 0,
  };
}

export function rowValues(row: CopyRow): CopyValue[] {
  return [row.id, row.name, row.note, row.length, row.ts, row.flag];
}

/** Rows as COPY text chunks, in batches of 1000 like the loaders produce them. */
export async function* nastyBatches(from: number, to: number): AsyncGenerator<CopyValue[][]> {
  for (let start = from; start < to; start += 1000) {
    const batch: CopyValue[][] = [];
    for (let id = start; id < Math.min(to, start + 1000); id++) batch.push(rowValues(nastyRow(id)));
    yield batch;
  }
}

export function nastyLines(from: number, to: number): AsyncIterable<string> {
  return copyTextChunks(nastyBatches(from, to));
}

/** COPY into copy_target through the warehouse's copyFromStdin, which every warehouse tested here has. */
export function copyInto(warehouse: Warehouse, tx: Transaction, lines: AsyncIterable<string>): Promise<number> {
  const copy = warehouse.capabilities.copyFromStdin;
  if (copy === undefined) throw new Error(`${warehouse.description} has no copyFromStdin`);
  return copy.copyIn(tx, 'copy_target', COPY_COLUMNS, lines);
}

/** What a channel gives where the contract allows two answers. */
export interface ChannelTraits {
  /** COPY FROM STDIN (capabilities.copyFromStdin); without it the COPY cases are skipped, one checks it is absent. */
  copyFromStdin: boolean;
  /** COPY from S3 (capabilities.copyFromS3). */
  copyFromS3: boolean;
  /** A refused statement carries SQLSTATE and position (the PostgreSQL protocol), or only the server's message. */
  sqlstate: boolean;
  /**
   * transaction(work) runs each statement as work issues it, in a session; or (the Data API) sends
   * them all as one batch when work returns, so a failure surfaces then, as that statement's error.
   */
  interactiveTransactions: boolean;
  /** An int8 beyond 2^53 comes back exactly (a BigInt), or is refused because the channel's JSON rounds it. */
  exactInt8: boolean;
}

/** PGlite and node-postgres: one session speaking the PostgreSQL protocol, rows streamed in by COPY. */
export const SESSION_CHANNEL: ChannelTraits = {
  copyFromStdin: true,
  copyFromS3: false,
  sqlstate: true,
  interactiveTransactions: true,
  exactInt8: true,
};

/** copy_target rows as INSERT … VALUES literals, for channels without COPY FROM STDIN. */
function insertNastySql(from: number, to: number): string {
  const literal = (value: string | number | boolean | null): string =>
    value === null ? 'NULL' : typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value);
  const rows = Array.from({ length: to - from }, (_, offset) => {
    const row = nastyRow(from + offset);
    return `(${[row.id, row.name, row.note, row.length, row.ts, row.flag].map(literal).join(', ')})`;
  });
  return `INSERT INTO copy_target (${COPY_COLUMNS.join(', ')}) VALUES ${rows.join(', ')}`;
}

/** Rows `from` … `to` - 1 of nastyRow in copy_target: by COPY where the channel has it, else by INSERT. */
async function seed(warehouse: Warehouse, from: number, to: number): Promise<void> {
  if (warehouse.capabilities.copyFromStdin === undefined) {
    await warehouse.query(insertNastySql(from, to));
    return;
  }
  await warehouse.transaction((tx) => copyInto(warehouse, tx, nastyLines(from, to)));
}

async function countRows(warehouse: Warehouse): Promise<number> {
  const { rows } = await warehouse.query<{ n: number }>('SELECT count(*) AS n FROM copy_target');
  return rows[0]!.n;
}

export function defineWarehouseConformance(
  engine: string,
  open: () => Promise<Warehouse>,
  traits: ChannelTraits = SESSION_CHANNEL,
): void {
  /** The COPY FROM STDIN cases: skipped, and reported as such, on a channel without it. */
  const copyTest = test.skipIf(!traits.copyFromStdin);
  describe(`${engine}: the Warehouse contract`, () => {
    let warehouse: Warehouse;

    beforeAll(async () => {
      warehouse = await open();
    });

    afterAll(async () => {
      await warehouse.close();
    });

    beforeEach(async () => {
      await warehouse.query('DROP TABLE IF EXISTS copy_target');
      await warehouse.query(COPY_TABLE_SQL);
    });

    test(`${traits.copyFromStdin ? 'offers' : 'has no'} COPY FROM STDIN, and ${
      traits.copyFromS3 ? 'offers' : 'no'
    } COPY from S3`, () => {
      expect(warehouse.capabilities.copyFromStdin !== undefined).toBe(traits.copyFromStdin);
      expect(warehouse.capabilities.copyFromS3 !== undefined).toBe(traits.copyFromS3);
    });

    copyTest('copyIn refuses a transaction that has ended, or one that is not its own', async () => {
      let ended: Transaction | undefined;
      await warehouse.transaction((tx) => {
        ended = tx;
        return Promise.resolve();
      });
      expect(ended?.active).toBe(false);
      await expect(copyInto(warehouse, ended!, nastyLines(0, 1))).rejects.toThrow('this transaction has already ended');
      const foreign: Transaction = { active: true, query: warehouse.query.bind(warehouse) };
      await expect(copyInto(warehouse, foreign, nastyLines(0, 1))).rejects.toThrow(
        'copyIn needs a transaction of the same warehouse',
      );
      expect(await countRows(warehouse)).toBe(0);
    });

    test('batch runs its statements in order as one transaction, reporting each as it starts and ends', async () => {
      const seen: string[] = [];
      const results = await warehouse.batch(
        [
          "INSERT INTO copy_target (id, name, ts, flag) VALUES (1, 'one', 1, true)",
          "INSERT INTO copy_target (id, name, ts, flag) VALUES (2, 'two', 2, true), (3, 'three', 3, false)",
          'SELECT count(*) AS n FROM copy_target',
        ],
        {
          progress: {
            started: (index) => seen.push(`started ${index}`),
            finished: (index, result) => seen.push(`finished ${index}: ${result.rowCount}`),
          },
        },
      );
      expect(seen).toEqual(['started 0', 'finished 0: 1', 'started 1', 'finished 1: 2', 'started 2', 'finished 2: 1']);
      expect(results.map((result) => result.rowCount)).toEqual([1, 2, 1]);
      expect(results[2]!.rows).toEqual([{ n: 3 }]);
      expect(await countRows(warehouse)).toBe(3);
    });

    test('batch rolls every statement back when one fails', async () => {
      const error = await warehouse
        .batch([
          "INSERT INTO copy_target (id, name, ts, flag) VALUES (1, 'one', 1, true)",
          "INSERT INTO copy_target (id, name, ts, flag) VALUES (1, 'again', 1, true)",
        ])
        .catch((caught: unknown) => caught);
      if (traits.sqlstate) {
        expect(error).toBeInstanceOf(WarehouseQueryError);
        expect((error as WarehouseQueryError).code).toBe('23505');
      } else {
        expect(error).toBeInstanceOf(UserError);
        expect((error as Error).message).toBe('duplicate key value violates unique constraint "copy_target_pkey"');
      }
      expect(await countRows(warehouse)).toBe(0);
    });

    test('batch starts no further statement once the signal fires, and rolls back', async () => {
      const controller = new AbortController();
      const started: number[] = [];
      const error = await warehouse
        .batch(
          [
            "INSERT INTO copy_target (id, name, ts, flag) VALUES (1, 'one', 1, true)",
            "INSERT INTO copy_target (id, name, ts, flag) VALUES (2, 'two', 2, true)",
          ],
          {
            signal: controller.signal,
            progress: { started: (index) => started.push(index), finished: () => controller.abort() },
          },
        )
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InterruptedError);
      expect(started).toEqual([0]);
      expect(await countRows(warehouse)).toBe(0);
    });

    test('transaction whose signal fires while its last statement runs rolls back instead of committing', async () => {
      // A cancel request that misses its statement: the statement completes after the Ctrl-C.
      const controller = new AbortController();
      const error = await warehouse
        .transaction(
          async (tx) => {
            await tx.query("INSERT INTO copy_target (id, name, ts, flag) VALUES (1, 'one', 1, true)");
            const last = tx.query("INSERT INTO copy_target (id, name, ts, flag) VALUES (2, 'two', 2, true)");
            controller.abort();
            await last;
            return 'done';
          },
          { signal: controller.signal },
        )
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InterruptedError);
      expect(await countRows(warehouse)).toBe(0);
      // The warehouse is usable after: the next transaction commits.
      await warehouse.transaction((tx) =>
        tx.query("INSERT INTO copy_target (id, name, ts, flag) VALUES (3, 'three', 3, true)"),
      );
      expect(await countRows(warehouse)).toBe(1);
    });

    test('transaction starts no statement once its signal has fired, and rolls back', async () => {
      const controller = new AbortController();
      const issued: string[] = [];
      const error = await warehouse
        .transaction(
          async (tx) => {
            await tx.query("INSERT INTO copy_target (id, name, ts, flag) VALUES (1, 'one', 1, true)");
            controller.abort();
            issued.push('second');
            await tx.query("INSERT INTO copy_target (id, name, ts, flag) VALUES (2, 'two', 2, true)");
            issued.push('after the second');
          },
          { signal: controller.signal },
        )
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InterruptedError);
      expect(issued).toEqual(['second']);
      expect(await countRows(warehouse)).toBe(0);
      // Already fired before it began: nothing runs at all.
      await expect(
        warehouse.transaction(
          () => {
            issued.push('work');
            return Promise.resolve();
          },
          { signal: controller.signal },
        ),
      ).rejects.toBeInstanceOf(InterruptedError);
      expect(issued).toEqual(['second']);
    });

    copyTest(
      'copyIn loads 50,000 rows with nasty strings and nulls, and they read back exactly',
      async () => {
        const copied = await warehouse.transaction((tx) => copyInto(warehouse, tx, nastyLines(0, 50_000)));
        expect(copied).toBe(50_000);
        const { rows, fields, rowCount } = await warehouse.query<CopyRow>(
          'SELECT id, name, note, length, ts, flag FROM copy_target ORDER BY id',
        );
        expect(fields).toEqual(['id', 'name', 'note', 'length', 'ts', 'flag']);
        expect(rowCount).toBe(50_000);
        const expected = Array.from({ length: 50_000 }, (_, id) => nastyRow(id));
        expect(rows).toEqual(expected);
        // Spot checks that would catch a symmetric bug in both writing and reading.
        expect(rows[2]!.name).toBe('tab\there #2');
        expect(rows[0]!.note).toBeNull();
        expect(rows[1]!.note).toBe('new\nline');
        expect(rows[3]!.note).toBe('ends with backslash\\');
        expect(rows[11]!.length).toBeNull();
        expect(rows[8]!.name).toBe('\\. #8');
      },
      120_000,
    );

    test('transaction commits what work did when it resolves', async () => {
      const result = await warehouse.transaction(async (tx) => {
        await tx.query('INSERT INTO copy_target (id, name, ts, flag) VALUES ($1, $2, $3, $4)', [1, 'one', 10, true]);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await countRows(warehouse)).toBe(1);
    });

    test('transaction rolls back everything when work throws, and rethrows the same error', async () => {
      const failure = new Error('work failed');
      await expect(
        warehouse.transaction(async (tx) => {
          await tx.query('INSERT INTO copy_target (id, name, ts, flag) VALUES (1, $1, 1, true)', ['kept?']);
          if (traits.copyFromStdin) await copyInto(warehouse, tx, nastyLines(10, 20));
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await countRows(warehouse)).toBe(0);
    });

    copyTest('a COPY the server rejects rolls the whole transaction back, naming the bad line', async () => {
      async function* badLines(): AsyncGenerator<string> {
        yield '1\tfirst\t\\N\t1.5\t1\tt\n';
        yield '2\tsecond\t\\N\t1.5\t2\tt\n';
        yield 'oops\tthird\t\\N\t1.5\t3\tt\n';
      }
      const error = await warehouse
        .transaction(async (tx) => {
          await tx.query('INSERT INTO copy_target (id, name, ts, flag) VALUES (100, $1, 1, true)', ['before the copy']);
          return copyInto(warehouse, tx, badLines());
        })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(WarehouseQueryError);
      expect((error as WarehouseQueryError).code).toBe('22P02');
      expect((error as Error).message).toBe(
        'invalid input syntax for type integer: "oops" (COPY copy_target, line 3, column id: "oops") [SQLSTATE 22P02]',
      );
      expect(await countRows(warehouse)).toBe(0);
    });

    copyTest('a source that fails in the middle of a COPY rolls back, and the warehouse stays usable', async () => {
      const failure = new Error('source file unreadable');
      async function* failingLines(): AsyncGenerator<string> {
        yield* nastyLines(0, 3000);
        throw failure;
      }
      await expect(warehouse.transaction((tx) => copyInto(warehouse, tx, failingLines()))).rejects.toBe(failure);
      expect(await countRows(warehouse)).toBe(0);
      expect(await warehouse.transaction((tx) => copyInto(warehouse, tx, nastyLines(0, 10)))).toBe(10);
      expect(await countRows(warehouse)).toBe(10);
    });

    test('COMMIT of a transaction whose statement failed (error swallowed by work) is reported', async () => {
      const committing = warehouse.transaction(async (tx) => {
        await tx.query('INSERT INTO copy_target (id, name, ts, flag) VALUES (1, $1, 1, true)', ['lost']);
        await tx.query('SELECT * FROM no_such_table').catch(() => undefined);
      });
      // A batch transaction runs the statements only after work: the failure is that statement's own.
      await expect(committing).rejects.toThrow(
        traits.interactiveTransactions
          ? `the transaction on ${warehouse.description} was rolled back because a statement in it failed`
          : 'relation "no_such_table" does not exist',
      );
      expect(await countRows(warehouse)).toBe(0);
    });

    test('readOnlyQuery refuses INSERT and CREATE with a UserError and changes nothing', async () => {
      await seed(warehouse, 0, 5);
      const insert = await warehouse
        .readOnlyQuery("INSERT INTO copy_target (id, name, ts, flag) VALUES (99, 'x', 1, true)")
        .catch((caught: unknown) => caught);
      expect(insert).toBeInstanceOf(UserError);
      expect((insert as Error).message).toBe(
        'the sql command is read-only: cannot execute INSERT in a read-only transaction',
      );
      await expect(warehouse.readOnlyQuery('CREATE TABLE sneaky (a int)')).rejects.toThrow(
        'the sql command is read-only: cannot execute CREATE TABLE in a read-only transaction',
      );
      // A second statement could end the read-only transaction; it is refused outright.
      await expect(warehouse.readOnlyQuery('COMMIT; DROP TABLE copy_target')).rejects.toThrow(
        'cannot insert multiple commands into a prepared statement',
      );
      expect(await countRows(warehouse)).toBe(5);
      const { rows } = await warehouse.readOnlyQuery<{ n: number }>(
        "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'sneaky'",
      );
      expect(rows).toEqual([{ n: 0 }]);
    });

    test('readOnlyQuery answers a SELECT and leaves no transaction open', async () => {
      await seed(warehouse, 0, 3);
      const result = await warehouse.readOnlyQuery<{ id: number; name: string }>(
        'SELECT id, name FROM copy_target ORDER BY id',
      );
      expect(result).toEqual({
        rows: [
          { id: 0, name: '' },
          { id: 1, name: 'plain #1' },
          { id: 2, name: 'tab\there #2' },
        ],
        fields: ['id', 'name'],
        rowCount: 3,
      });
      // Outside a transaction again: a write right after works and is kept.
      await warehouse.query("INSERT INTO copy_target (id, name, ts, flag) VALUES (7, 'after', 1, true)");
      expect(await countRows(warehouse)).toBe(4);
    });

    test('a failing statement becomes a one-line UserError with the server message and SQLSTATE', async () => {
      const error = await warehouse.query('SELECT * FROM no_such_table').catch((caught: unknown) => caught);
      if (!traits.sqlstate) {
        expect(error).toBeInstanceOf(UserError);
        expect((error as Error).message).toBe('relation "no_such_table" does not exist');
        return;
      }
      expect(error).toBeInstanceOf(WarehouseQueryError);
      expect((error as Error).message).toBe(
        'relation "no_such_table" does not exist [SQLSTATE 42P01, at character 15]',
      );
      expect((error as WarehouseQueryError).code).toBe('42P01');
      expect((error as WarehouseQueryError).position).toBe(15);
    });

    test('operations started together run one after another', async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const writing = warehouse.transaction(async (tx) => {
        await tx.query("INSERT INTO copy_target (id, name, ts, flag) VALUES (1, 'a', 1, true)");
        await held;
      });
      const counting = countRows(warehouse);
      release();
      await writing;
      expect(await counting).toBe(1);
    });

    test('using the warehouse itself inside transaction work is a programming error, not a hang', async () => {
      await expect(warehouse.transaction(() => warehouse.query('SELECT 1'))).rejects.toThrow(
        'use the Transaction passed to work instead',
      );
      expect(await countRows(warehouse)).toBe(0);
    });

    test('results come back in the shared shapes', async () => {
      if (traits.exactInt8) {
        const { rows } = await warehouse.query(SHAPES_SQL);
        expect(rows).toEqual([EXPECTED_SHAPES]);
        return;
      }
      await expect(warehouse.query(SHAPES_SQL)).rejects.toThrow(
        'column "int8_beyond_safe" holds an integer beyond 2^53',
      );
      const { int8_beyond_safe: _refused, ...others } = EXPECTED_SHAPES;
      const { rows } = await warehouse.query(SHAPES_SQL.replace(INT8_BEYOND_SAFE_LINE, ''));
      expect(rows).toEqual([others]);
    });
  });
}

const INT8_BEYOND_SAFE_LINE = '  9007199254740993::bigint AS int8_beyond_safe,\n';

/** One value of every kind the steps read back. */
export const SHAPES_SQL = `SELECT 42::int AS int4,
  (SELECT count(*) FROM (VALUES (1), (2), (3)) AS v(x)) AS count_rows,
  9007199254740991::bigint AS int8_largest_safe,
  9007199254740993::bigint AS int8_beyond_safe,
  246.30812::double precision AS float8,
  1.5::numeric AS numeric,
  (SELECT avg(x) FROM (VALUES (1), (2)) AS v(x)) AS average,
  123456789012345678901234567890::numeric AS numeric_huge,
  TIMESTAMP 'epoch' + 1541106106796 * INTERVAL '1 millisecond' AS start_time,
  TIMESTAMP '2018-11-01 00:00:00' AS midnight,
  DATE '2018-11-30' AS day,
  NULL::text AS nothing,
  NULL::bigint AS no_number,
  true AS flag,
  'Des''ree' AS text`;

export const EXPECTED_SHAPES = {
  int4: 42,
  count_rows: 3,
  int8_largest_safe: 9007199254740991,
  int8_beyond_safe: 9007199254740993n,
  float8: 246.30812,
  numeric: 1.5,
  average: 1.5,
  numeric_huge: 123456789012345678901234567890n,
  start_time: '2018-11-01 21:01:46.796',
  midnight: '2018-11-01 00:00:00',
  day: '2018-11-30',
  nothing: null,
  no_number: null,
  flag: true,
  text: "Des'ree",
};
