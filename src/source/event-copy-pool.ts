/**
 * The event logs as ready COPY text, parsed off the main thread. Reading, JSON.parse, the field
 * checks and the COPY encoding cost ~4 µs per event, all on one thread, while the database needs
 * less than that on its own core: so worker threads (event-worker.ts) each take whole files and
 * send back COPY text pieces, and this thread only forwards them, in FILE ORDER, so the staging
 * rows arrive exactly as `readEvents` would give them (same order, same rejections, same counts).
 *
 * Memory stays flat: a worker stops after `maxInFlight` pieces this thread has not taken yet, and
 * this thread takes pieces only as fast as the database's COPY accepts them.
 *
 * NOT used by `load` yet (docs/benchmarks.md has the numbers): on the 2-core machine the benchmark
 * runs on, one worker does the same work the main thread did (the database has the other core),
 * so the load was not measurably faster, and each worker's own V8 heap put the peak RSS at 1M
 * events over the 200 MB goal (~230 MB with one worker, ~300 MB with two). It is kept, tested,
 * for machines with cores to spare.
 *
 * The worker is the compiled `event-worker.js` next to this module. Where it does not exist (the
 * TypeScript sources run by the test runner, where Node cannot start a `.ts` worker) the same
 * per-file code (encodeEventFile) runs in this thread instead.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { encodeEventFile, type EventCopyPiece } from './event-copy.js';
import { emptyStats, fileReadError, type SourceReadOptions } from './options.js';
import type { ReadStats } from './types.js';
import { listSourceFiles, type SourceFile } from './walk.js';

export interface EventCopyOptions extends SourceReadOptions {
  /** A piece of COPY text is handed on once it reaches this many characters. */
  chunkChars: number;
  /**
   * Worker threads to parse with; 0 parses in this thread. Default: one per core but one (the
   * database needs a core too), at least 1 and at most 2, when the compiled worker exists.
   */
  workers?: number | undefined;
  /** Pieces a worker may have sent that this thread has not taken yet. Default 8. */
  maxInFlight?: number | undefined;
}

/** A piece of COPY text (whole rows) and how many rows it holds. */
export interface CopyTextPiece {
  text: string;
  rows: number;
}

/** Settings every worker starts with (its `workerData`). */
export interface WorkerSettings {
  chunkChars: number;
  maxLineBytes: number | undefined;
  maxInFlight: number;
}

/** Main thread → worker: parse this file next; or: this many more pieces were taken. */
export type ToWorker = { kind: 'file'; index: number; path: string } | { kind: 'credit'; count: number };
/** Worker → main thread, for the file with this index in the sorted list. */
export type ToPool =
  | { kind: 'piece'; index: number; piece: EventCopyPiece }
  | { kind: 'done'; index: number }
  | { kind: 'failed'; index: number; error: FailedFile };

/** What is kept of an error thrown in a worker (errors do not cross threads intact). */
export interface FailedFile {
  name: string;
  message: string;
  code?: string;
}

const DEFAULT_MAX_IN_FLIGHT = 8;
const WORKER_URL = new URL('./event-worker.js', import.meta.url);

/** How many workers to use by default: 0 when the compiled worker is not there. */
export function defaultWorkerCount(): number {
  if (!existsSync(fileURLToPath(WORKER_URL))) return 0;
  return Math.min(2, Math.max(1, availableParallelism() - 1));
}

/**
 * COPY text of every event file under `dir`, files in path order, lines in file order; rejected
 * lines go to `options.onReject` in that order too. Returns the totals (also in `options.stats`).
 * Throws a UserError when the folder is missing or empty or a file cannot be read. Every worker
 * is stopped before this generator finishes, however it finishes.
 */
export async function* readEventsAsCopyText(dir: string, options: EventCopyOptions): AsyncGenerator<CopyTextPiece, ReadStats, undefined> {
  const stats = options.stats ?? emptyStats();
  const files = await listSourceFiles(dir, options);
  const workers = Math.min(files.length, options.workers ?? defaultWorkerCount());
  const pieces = workers > 0 ? piecesFromWorkers(files, workers, options) : piecesInThisThread(files, options);
  for await (const { file, piece } of pieces) {
    if (piece === undefined) {
      stats.files += 1;
      stats.bytes += file.size;
      continue;
    }
    for (const reject of piece.rejects) {
      stats.rejected += 1;
      options.onReject({ file: file.relativePath, line: reject.line, reason: reject.reason });
    }
    if (piece.rows > 0) {
      stats.records += piece.rows;
      yield { text: piece.text, rows: piece.rows };
    }
  }
  return { ...stats };
}

/** A file's pieces, each file announced first by an entry without a piece. */
type FilePiece = { file: SourceFile; piece: EventCopyPiece | undefined };

async function* piecesInThisThread(files: SourceFile[], options: EventCopyOptions): AsyncGenerator<FilePiece, void, undefined> {
  for (const file of files) {
    options.signal?.throwIfAborted();
    yield { file, piece: undefined };
    try {
      for await (const piece of encodeEventFile(file.path, { chunkChars: options.chunkChars, maxLineBytes: options.maxLineBytes, signal: options.signal })) {
        yield { file, piece };
      }
    } catch (error) {
      throw fileReadError(error, options, file.relativePath);
    }
  }
}

/** What has arrived for one file. */
interface FileSlot {
  worker: number;
  pieces: EventCopyPiece[];
  done: boolean;
  failure: FailedFile | undefined;
}

async function* piecesFromWorkers(files: SourceFile[], count: number, options: EventCopyOptions): AsyncGenerator<FilePiece, void, undefined> {
  options.signal?.throwIfAborted();
  const settings: WorkerSettings = { chunkChars: options.chunkChars, maxLineBytes: options.maxLineBytes, maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT };
  const slots = new Map<number, FileSlot>();
  let nextFile = 0;
  let stopping = false;
  let broken: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  const workers: Worker[] = [];
  const giveNextFile = (worker: number): void => {
    if (nextFile >= files.length) return;
    slots.set(nextFile, { worker, pieces: [], done: false, failure: undefined });
    post(worker, { kind: 'file', index: nextFile, path: files[nextFile]!.path });
    nextFile += 1;
  };
  const post = (worker: number, message: ToWorker): void => workers[worker]!.postMessage(message);

  options.signal?.addEventListener('abort', poke);
  try {
    for (let number = 0; number < count; number++) {
      const worker = new Worker(WORKER_URL, { workerData: settings });
      workers.push(worker);
      worker.on('message', (message: ToPool) => {
        const slot = slots.get(message.index);
        if (slot === undefined) return;
        if (message.kind === 'piece') slot.pieces.push(message.piece);
        else {
          slot.done = true;
          if (message.kind === 'failed') slot.failure = message.error;
          else giveNextFile(number);
        }
        poke();
      });
      worker.on('error', (error) => {
        broken ??= error;
        poke();
      });
      worker.on('exit', (code) => {
        if (!stopping) broken ??= new Error(`a parsing worker stopped unexpectedly (exit code ${code})`);
        poke();
      });
    }
    // Two files per worker up front, so a worker never waits for its next file.
    for (let round = 0; round < 2; round++) for (let worker = 0; worker < count; worker++) giveNextFile(worker);

    for (let index = 0; index < files.length; index++) {
      const file = files[index]!;
      yield { file, piece: undefined };
      for (;;) {
        options.signal?.throwIfAborted();
        if (broken !== undefined) throw broken;
        const slot = slots.get(index);
        const piece = slot?.pieces.shift();
        if (slot !== undefined && piece !== undefined) {
          post(slot.worker, { kind: 'credit', count: 1 });
          yield { file, piece };
          continue;
        }
        if (slot?.failure !== undefined) throw fileReadError(asError(slot.failure), options, file.relativePath);
        if (slot?.done) {
          slots.delete(index);
          break;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    stopping = true;
    options.signal?.removeEventListener('abort', poke);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function asError(failure: FailedFile): Error {
  const error = new Error(failure.message) as Error & { code?: string };
  error.name = failure.name;
  if (failure.code !== undefined) error.code = failure.code;
  return error;
}
