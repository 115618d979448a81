/**
 * How steps read results and stop on Ctrl-C, the same on every channel: each uses the optional
 * capabilities its warehouse offers (streamResults, cancel) and falls back to the plain
 * interface where they are missing, so a new channel gains streaming and cancelling by offering
 * them, without any step changing.
 */
import { InterruptedError, UserError } from '../errors.js';
import type { RowStream } from '../sql/result.js';
import type { Warehouse } from './types.js';

/**
 * Run `work` (one call on `warehouse`) so that Ctrl-C stops it: when `signal` fires the running
 * statement is cancelled on the server where the warehouse can (capabilities.cancel), and the
 * caller gets an InterruptedError at once either way. Without a cancel, the statement is left to
 * finish on its own; the session is not reused until it has.
 */
export async function withCancel<T>(warehouse: Warehouse, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  if (signal.aborted) throw new InterruptedError();
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      // Not awaited: the InterruptedError must not wait for the server; the statement's own
      // failure (query_canceled) is ignored below.
      warehouse.capabilities.cancel?.cancelRunning().catch(() => undefined);
      reject(new InterruptedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const running = work();
  try {
    return await Promise.race([running, interrupted]);
  } catch (error) {
    if (signal.aborted) {
      running.catch(() => undefined); // its query_canceled failure is the expected end
      throw new InterruptedError();
    }
    throw error;
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * One read-only statement's rows as a RowStream: a page at a time where the warehouse streams
 * (memory stays bounded), else its readOnlyQuery as a single page. Ctrl-C (`signal`) cancels the
 * statement. The rows are arrays in `fields` order: two columns with one name stay apart. A
 * fallback warehouse returns rows keyed by name, which cannot hold both, so such a result is
 * refused rather than shown with one value twice.
 */
export async function readRows(warehouse: Warehouse, sql: string, signal: AbortSignal): Promise<RowStream> {
  if (signal.aborted) throw new InterruptedError();
  const stream = warehouse.capabilities.streamResults;
  if (stream !== undefined) return stream.streamReadOnly(sql, { signal });
  const result = await withCancel(warehouse, signal, () => warehouse.readOnlyQuery(sql));
  const repeated = result.fields.find((field, index) => result.fields.indexOf(field) !== index);
  if (repeated !== undefined) {
    throw new UserError(
      `the result has more than one column named "${repeated}", which ${warehouse.description} cannot tell apart`,
      { hint: 'give each column its own name with AS' },
    );
  }
  return rowsInMemory(
    result.fields,
    result.rows.map((row) => result.fields.map((field) => row[field])),
  );
}

/** Rows already in memory as a RowStream of one page. */
export function rowsInMemory(fields: readonly string[], rows: readonly (readonly unknown[])[]): RowStream {
  return { fields, pages: onePage(rows) };
}

async function* onePage(rows: readonly (readonly unknown[])[]): AsyncGenerator<readonly (readonly unknown[])[]> {
  await Promise.resolve();
  if (rows.length > 0) yield rows;
}

/** Every row of `rows` (for small results, such as the analytics), in memory. */
export async function allRows(rows: RowStream): Promise<(readonly unknown[])[]> {
  const all: (readonly unknown[])[] = [];
  for await (const page of rows.pages) for (const row of page) all.push(row);
  return all;
}
