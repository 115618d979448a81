/**
 * readRows and withCancel over channels with and without the optional capabilities: streamed
 * where offered, the plain readOnlyQuery otherwise; Ctrl-C ends the wait at once and asks the
 * channel to cancel where it can; a fallback that cannot keep two columns of one name apart
 * refuses the result instead of showing one value twice.
 */
import { describe, expect, test } from 'vitest';
import { InterruptedError, UserError } from '../../src/errors.js';
import type { QueryResult, RowStream } from '../../src/sql/result.js';
import { allRows, readRows, withCancel } from '../../src/warehouse/rows.js';
import type { Warehouse, WarehouseCapabilities } from '../../src/warehouse/types.js';

/** Only what readRows and withCancel use; the rest of Warehouse is never called here. */
function fakeWarehouse(
  readOnlyQuery: (sql: string) => Promise<QueryResult>,
  capabilities: WarehouseCapabilities = {},
): Warehouse {
  return {
    description: 'a fake warehouse',
    capabilities,
    readOnlyQuery,
  } as unknown as Warehouse;
}

const never = (): Promise<QueryResult> => new Promise(() => undefined);

describe('readRows', () => {
  test('uses streamResults when offered, passing the signal on', async () => {
    const signal = new AbortController().signal;
    const stream: RowStream = {
      fields: ['a', 'a'],
      pages: (async function* () {
        await Promise.resolve();
        yield [[1, 2]];
      })(),
    };
    let seen: AbortSignal | undefined;
    const warehouse = fakeWarehouse(never, {
      streamResults: {
        streamReadOnly: (_sql, options) => {
          seen = options?.signal;
          return Promise.resolve(stream);
        },
      },
    });
    const rows = await readRows(warehouse, 'SELECT 1 AS a, 2 AS a', signal);
    expect(seen).toBe(signal);
    expect(await allRows(rows)).toEqual([[1, 2]]);
  });

  test('falls back to readOnlyQuery as one page of arrays in field order', async () => {
    const warehouse = fakeWarehouse(() => Promise.resolve({ fields: ['b', 'a'], rows: [{ a: 1, b: 2 }], rowCount: 1 }));
    const rows = await readRows(warehouse, 'SELECT 2 AS b, 1 AS a', new AbortController().signal);
    expect(rows.fields).toEqual(['b', 'a']);
    expect(await allRows(rows)).toEqual([[2, 1]]);
  });

  test('the fallback refuses two columns of one name rather than show one value twice', async () => {
    const warehouse = fakeWarehouse(() => Promise.resolve({ fields: ['a', 'a'], rows: [{ a: 2 }], rowCount: 1 }));
    const error = await readRows(warehouse, 'SELECT 1 AS a, 2 AS a', new AbortController().signal).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      'the result has more than one column named "a", which a fake warehouse cannot tell apart',
    );
    expect((error as UserError).hint).toBe('give each column its own name with AS');
  });
});

describe('withCancel', () => {
  test('Ctrl-C: an InterruptedError at once, and the channel asked to cancel', async () => {
    let cancels = 0;
    const warehouse = fakeWarehouse(never, { cancel: { cancelRunning: () => Promise.resolve(void (cancels += 1)) } });
    const controller = new AbortController();
    const running = withCancel(warehouse, controller.signal, () => warehouse.readOnlyQuery('SELECT pg_sleep(60)'));
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(InterruptedError);
    expect(cancels).toBe(1);
  });

  test('without a cancel capability it still returns at once', async () => {
    const warehouse = fakeWarehouse(never);
    const controller = new AbortController();
    const running = withCancel(warehouse, controller.signal, () => warehouse.readOnlyQuery('SELECT pg_sleep(60)'));
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(InterruptedError);
  });

  test('the statement’s own failure after the cancel is an InterruptedError, not the server’s message', async () => {
    let fail: ((error: Error) => void) | undefined;
    const warehouse = fakeWarehouse(() => new Promise((_resolve, reject) => (fail = reject)), {
      cancel: {
        cancelRunning: () => Promise.resolve(fail?.(new UserError('canceling statement due to user request'))),
      },
    });
    const controller = new AbortController();
    const running = withCancel(warehouse, controller.signal, () => warehouse.readOnlyQuery('SELECT 1'));
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(InterruptedError);
  });

  test('an already aborted signal runs nothing; otherwise results and errors pass through', async () => {
    let ran = false;
    const warehouse = fakeWarehouse(() => {
      ran = true;
      return Promise.resolve({ fields: [], rows: [], rowCount: 0 });
    });
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      withCancel(warehouse, aborted.signal, () => warehouse.readOnlyQuery('SELECT 1')),
    ).rejects.toBeInstanceOf(InterruptedError);
    expect(ran).toBe(false);
    const live = new AbortController().signal;
    expect(await withCancel(warehouse, live, () => warehouse.readOnlyQuery('SELECT 1'))).toEqual({
      fields: [],
      rows: [],
      rowCount: 0,
    });
    await expect(withCancel(warehouse, live, () => Promise.reject(new UserError('nope')))).rejects.toThrow('nope');
  });
});
