/**
 * The main thread's side of the embedded warehouse: an EngineSession whose statements run in the
 * PGlite worker thread (embedded-worker.ts), so the terminal, spinners and Ctrl-C stay live
 * while PostgreSQL works, and a statement that cannot be interrupted otherwise ends with the
 * thread.
 *
 * Ending the thread mid-statement is as safe as a kill -9 of the whole program, which is proven
 * safe (test/reliability/interrupts.test.ts): PGlite writes the data folder with plain
 * synchronous writes and never keeps pages of it in memory that PostgreSQL believes written,
 * so a stopped thread leaves what a killed process leaves, and PostgreSQL's WAL recovery puts
 * the folder back to its last commit on the next open (test/warehouse/embedded.test.ts proves it).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { oneLine } from '../error-text.js';
import { InterruptedError, UserError } from '../errors.js';
import {
  CLOSE_ROWS_CURSOR_SQL,
  copyFromBlobSql,
  cursorCanRead,
  declareRowsCursorSql,
  fetchRowsSql,
} from '../sql/session.js';
import { normalizeParams } from './result-types.js';
import type { CopyText } from './types.js';
import type { EngineResult, EngineRows, EngineSession } from './session.js';
import { WorkerError, type EmbeddedWorkerOptions, type HostRequest, type WorkerReply } from './embedded-protocol.js';

/**
 * COPY chunks sent ahead of the one PGlite is loading: the main thread reads and formats the next
 * rows while the worker loads the last ones, and memory stays bounded (back-pressure).
 */
const COPY_CHUNKS_IN_FLIGHT = 2;

/**
 * V8 compiles PGlite's WebAssembly with its baseline compiler first and recompiles functions that
 * run hot with its optimizing one. At the default budget (1,800,000) it optimizes far more of
 * PostgreSQL than stays hot, which cost ~60 MB of memory; 100 times that budget optimizes only
 * what really runs hot: a 1M-event load took the same CPU time and 70 MB less memory, opening
 * half the CPU time (docs/performance.md). No wasm runs on the main thread, so setting it
 * process-wide only affects PGlite.
 */
const WASM_TIERING_FLAG = '--wasm-tiering-budget=180000000';
let wasmTieringSet = false;

/**
 * The worker's JavaScript makes little garbage (messages, result rows; PostgreSQL's memory is its
 * WebAssembly memory), yet V8 let its young generation grow to 16 MB during a load. Capped at
 * 3 MB, a 1M-event embedded load peaked lower with the same CPU time (docs/performance.md).
 */
const WORKER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 3 } as const;

let workerEntry = new URL('./embedded-worker.js', import.meta.url);

/**
 * Where the worker's code is. Built, it is embedded-worker.js beside this module (dist/warehouse);
 * tests that run the TypeScript sources point it at a bundle of embedded-worker.ts instead.
 */
export function setEmbeddedWorkerEntry(entry: URL): void {
  workerEntry = entry;
}

const NEWLINE = 0x0a;

/** `bytes` as a whole ArrayBuffer of its own (copied only when it is a view into a larger one). */
function transferable(bytes: Uint8Array): { data: Uint8Array; buffer: ArrayBuffer } {
  const { buffer } = bytes;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) {
    return { data: bytes, buffer };
  }
  const copy = new Uint8Array(bytes);
  return { data: copy, buffer: copy.buffer };
}

interface Pending {
  resolve: (reply: WorkerReply) => void;
  reject: (error: unknown) => void;
}

/** An EngineSession over one PGlite worker thread. */
export class WorkerEngine implements EngineSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private gone: Error | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly copyChunkCharacters: number,
    private readonly dataDir: string | undefined,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (error) => this.stop(new Error(`the embedded warehouse's worker failed: ${error.message}`)));
    worker.once('exit', (code) => this.stop(new Error(`the embedded warehouse's worker stopped (exit code ${code})`)));
    // An idle worker must not keep the program alive (a request in flight does: see request()).
    worker.unref();
  }

  /**
   * Start a worker on `options` and wait until PGlite is open. A failure to open rejects with
   * the worker's error (a WorkerError carrying PostgreSQL's last log lines).
   */
  static start(options: EmbeddedWorkerOptions, copyChunkCharacters: number): Promise<WorkerEngine> {
    if (!existsSync(fileURLToPath(workerEntry))) {
      throw new Error(
        `the embedded warehouse's worker ${fileURLToPath(workerEntry)} is missing: run \`npm run build\``,
      );
    }
    if (!wasmTieringSet) {
      v8.setFlagsFromString(WASM_TIERING_FLAG);
      wasmTieringSet = true;
    }
    const worker = new Worker(workerEntry, { workerData: options, resourceLimits: WORKER_HEAP_LIMITS });
    return new Promise<WorkerEngine>((resolve, reject) => {
      const onMessage = (reply: WorkerReply): void => {
        cleanup();
        if (reply.type === 'ready') {
          resolve(new WorkerEngine(worker, copyChunkCharacters, options.dataDir));
        } else {
          reject(reply.type === 'open-failed' ? new WorkerError(reply.error) : new Error(`unexpected ${reply.type}`));
          void worker.terminate();
        }
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
        void worker.terminate();
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`the embedded warehouse's worker stopped while opening (exit code ${code})`));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  /** False once the worker has ended (closed, cancelled or crashed). */
  get alive(): boolean {
    return this.gone === undefined;
  }

  /** True while a statement runs (or waits) in the worker. */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** A failure of PGlite itself (not a statement the server refused) as the user should read it. */
  describeFailure(error: unknown): UserError | undefined {
    if (!(error instanceof WorkerError)) return undefined;
    return new UserError(`the embedded warehouse failed: ${failureCause(error, this.dataDir)}`, { cause: error });
  }

  async run(sql: string, params?: readonly unknown[]): Promise<EngineResult> {
    const { fields, rows, rowCount, command } = await this.runArrays(sql, params);
    // Objects keyed by field name, as the other engines give them (a later duplicate name wins).
    const objects = rows.map((values) => {
      const row: Record<string, unknown> = {};
      fields.forEach((name, index) => {
        row[name] = values[index];
      });
      return row;
    });
    return { rows: objects, fields, rowCount, command };
  }

  /**
   * Rows a page at a time across the thread boundary, so neither thread holds the whole result:
   * a query is read through a cursor, FETCHed `pageSize` rows per request. PGlite offers no
   * portal of its own; what a cursor cannot read (SHOW, EXPLAIN: a few rows) is read whole.
   */
  async openRows(sql: string, pageSize: number): Promise<EngineRows> {
    if (!cursorCanRead(sql)) {
      const whole = await this.runArrays(sql);
      let offset = 0;
      return {
        fields: whole.fields,
        next: () => {
          const page = whole.rows.slice(offset, offset + pageSize);
          offset += page.length;
          return Promise.resolve(page);
        },
        close: () => Promise.resolve(),
      };
    }
    await this.runArrays(declareRowsCursorSql(sql));
    // The first page now, because it carries the column names.
    const first = await this.runArrays(fetchRowsSql(pageSize));
    let waiting: unknown[][] | undefined = first.rows;
    let done = first.rows.length < pageSize;
    return {
      fields: first.fields,
      next: async () => {
        if (waiting !== undefined) {
          const page = waiting;
          waiting = undefined;
          return page;
        }
        if (done) return [];
        const { rows } = await this.runArrays(fetchRowsSql(pageSize));
        done = rows.length < pageSize;
        return rows;
      },
      close: async () => {
        await this.runArrays(CLOSE_ROWS_CURSOR_SQL);
      },
    };
  }

  /**
   * Stop the statement running now, if any: PGlite cannot interrupt a statement, so the worker
   * thread is ended (see the top of this module for why that is safe). What was running rejects
   * with an InterruptedError; this engine is then gone, and embedded.ts starts a new one.
   */
  async cancel(): Promise<void> {
    if (this.gone !== undefined || !this.busy) return;
    await this.terminate(new InterruptedError('the statement was cancelled'));
  }

  async copyIn(table: string, columns: readonly string[], lines: AsyncIterable<CopyText>): Promise<number> {
    const sql = copyFromBlobSql(table, columns);
    const inFlight: Promise<number>[] = [];
    let copied = 0;
    const send = async (rows: Uint8Array): Promise<void> => {
      // Its memory moves to the worker (no copy), so it must be a buffer of its own, never a view
      // into a shared one (Node's small Buffers share a pool).
      const { data, buffer } = transferable(rows);
      const reply = this.request({ type: 'copy', id: 0, sql, data }, [buffer]).then((answer) => {
        if (answer.type !== 'copied') throw new Error(`unexpected ${answer.type} for a COPY`);
        return answer.rowCount;
      });
      // Never left unobserved: a failure is rethrown where its chunk's turn comes.
      reply.catch(() => undefined);
      inFlight.push(reply);
      if (inFlight.length >= COPY_CHUNKS_IN_FLIGHT) copied += await inFlight.shift()!;
    };
    try {
      // Bytes all the way: strings are encoded once, bytes (the load's event rows) pass as they are.
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      // A string piece may end between the two halves of a surrogate pair: the first half waits.
      let halfPair = '';
      for await (const piece of lines) {
        let bytes: Uint8Array;
        if (typeof piece === 'string') {
          const text = halfPair + piece;
          const last = text.charCodeAt(text.length - 1);
          halfPair = last >= 0xd800 && last <= 0xdbff ? text.slice(-1) : '';
          bytes = Buffer.from(halfPair === '' ? text : text.slice(0, -1), 'utf8');
        } else {
          bytes = halfPair === '' ? piece : Buffer.concat([Buffer.from(halfPair, 'utf8'), piece]);
          halfPair = '';
        }
        pending.push(bytes);
        pendingBytes += bytes.byteLength;
        if (pendingBytes < this.copyChunkCharacters) continue;
        // Each COPY must hold whole rows: cut after the last complete line and carry the rest.
        // A piece of a COPY's size on its own (the load's event rows) passes without a copy.
        const joined = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
        const end = joined.lastIndexOf(NEWLINE) + 1;
        if (end === 0) {
          pending = [joined]; // one very long row still arriving
          continue;
        }
        const rest = end === joined.byteLength ? undefined : Buffer.from(joined.subarray(end));
        await send(rest === undefined ? joined : joined.subarray(0, end));
        pending = rest === undefined ? [] : [rest];
        pendingBytes = rest?.byteLength ?? 0;
      }
      if (halfPair !== '') {
        pending.push(Buffer.from(halfPair, 'utf8'));
        pendingBytes += pending.at(-1)!.byteLength;
      }
      if (pendingBytes > 0) {
        const tail = Buffer.concat(pending, pendingBytes);
        await send(tail[tail.byteLength - 1] === NEWLINE ? tail : Buffer.concat([tail, Buffer.from('\n')]));
      }
      while (inFlight.length > 0) copied += await inFlight.shift()!;
      return copied;
    } finally {
      // On a failure, the chunks already sent finish (or fail) before the caller rolls back.
      await Promise.allSettled(inFlight);
    }
  }

  async close(): Promise<void> {
    if (this.gone === undefined) {
      await this.request({ type: 'close', id: 0 }).catch(() => undefined);
    }
    await this.terminate(new Error('the embedded warehouse is closed'));
  }

  /**
   * End the worker now, whatever it is doing: every request in flight or made later rejects with
   * `reason`. Resolves once the thread has stopped, so its data folder can be opened again.
   */
  async terminate(reason: Error): Promise<void> {
    this.stop(reason);
    await this.worker.terminate();
    await this.exited;
  }

  /** One statement; rows as arrays in field order, as the worker sends them. */
  private async runArrays(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ fields: string[]; rows: unknown[][]; rowCount: number; command: string | undefined }> {
    const reply = await this.request({ type: 'query', id: 0, sql, params: normalizeParams(params) });
    if (reply.type !== 'result') throw new Error(`unexpected ${reply.type} for a query`);
    return reply;
  }

  private request(message: HostRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.gone !== undefined) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private settle(reply: WorkerReply): void {
    if (!('id' in reply)) return;
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.forget(reply.id);
    if (reply.type !== 'failed') {
      waiting.resolve(reply);
      return;
    }
    const error = new WorkerError(reply.error);
    waiting.reject(error);
    // A WebAssembly trap (PostgreSQL aborted, or ran out of memory) leaves PGlite unusable.
    if (error.name === 'RuntimeError') void this.terminate(this.describeFailure(error) ?? error);
  }

  private forget(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private stop(reason: Error): void {
    if (this.gone !== undefined) return;
    this.gone = reason;
    for (const [id, waiting] of [...this.pending]) {
      this.forget(id);
      waiting.reject(reason);
    }
  }
}

/** WASI errno numbers, which emscripten's ErrnoError carries, for what a data folder can run into. */
const ERRNO: Readonly<Record<number, string>> = {
  2: 'EACCES: permission denied',
  8: 'EBADF: bad file descriptor',
  10: 'EBUSY: resource busy',
  20: 'EEXIST: file already exists',
  28: 'EINVAL: invalid argument',
  29: 'EIO: input/output error',
  31: 'EISDIR: is a directory',
  32: 'ELOOP: too many symbolic links',
  37: 'ENAMETOOLONG: file name too long',
  44: 'ENOENT: no such file or directory',
  51: 'ENOSPC: no space left on device',
  54: 'ENOTDIR: not a directory',
  55: 'ENOTEMPTY: directory not empty',
  63: 'EPERM: operation not permitted',
  69: 'EROFS: read-only file system',
};

/** PGlite's name for the data folder inside its virtual file system. */
const VIRTUAL_DATA_DIR = '/pglite/data';

/**
 * The real cause of a failure in the worker, in words. PGlite reports some failures only as
 * "PGlite failed to initialize properly", "Aborted()" or an emscripten ErrnoError object (which
 * prints as "[object Object]"), while PostgreSQL's own last message names the problem.
 */
export function failureCause(error: unknown, dataDir: string | undefined): string {
  const log = error instanceof WorkerError ? error.postgresLog : [];
  for (let index = log.length - 1; index >= 0; index -= 1) {
    const line = log[index]!;
    const said = /\b(?:PANIC|FATAL|ERROR):\s+(.*)$/.exec(line)?.[1] ?? /^postgres: (.*)$/.exec(line)?.[1];
    if (said !== undefined && said.trim() !== '') return inFolder(oneLine(said), dataDir);
  }
  const errno = typeof error === 'object' && error !== null ? (error as { errno?: unknown }).errno : undefined;
  if (typeof errno === 'number') return ERRNO[errno] ?? `file system error ${errno}`;
  const message = error instanceof Error ? error.message : String(error);
  return inFolder(oneLine(message), dataDir) || 'no reason given';
}

function inFolder(text: string, dataDir: string | undefined): string {
  return dataDir === undefined ? text : text.split(VIRTUAL_DATA_DIR).join(dataDir);
}
