/**
 * Worker thread for event-copy-pool.ts: turns whole event-log files into COPY text pieces with
 * encodeEventFile, one file at a time in the order they are given. It stops after `maxInFlight`
 * pieces the main thread has not taken yet, so a slow database keeps this worker's memory flat.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { encodeEventFile } from './event-copy.js';
import type { FailedFile, ToPool, ToWorker, WorkerSettings } from './event-copy-pool.js';

const port = parentPort;
if (!port) throw new Error('event-worker.js must be started as a worker thread');
const settings = workerData as WorkerSettings;

const queue: Array<{ index: number; path: string }> = [];
let busy = false;
let unacknowledged = 0;
let wakeUp: (() => void) | undefined;

port.on('message', (message: ToWorker) => {
  if (message.kind === 'credit') {
    unacknowledged -= message.count;
    const waiting = wakeUp;
    wakeUp = undefined;
    waiting?.();
    return;
  }
  queue.push({ index: message.index, path: message.path });
  if (!busy) void work();
});

async function work(): Promise<void> {
  busy = true;
  while (queue.length > 0) {
    const file = queue.shift()!;
    try {
      for await (const piece of encodeEventFile(file.path, settings)) {
        // Back-pressure: wait until the main thread has taken enough of what was already sent.
        while (unacknowledged >= settings.maxInFlight) await new Promise<void>((resolve) => (wakeUp = resolve));
        unacknowledged += 1;
        send({ kind: 'piece', index: file.index, piece });
      }
      send({ kind: 'done', index: file.index });
    } catch (error) {
      send({ kind: 'failed', index: file.index, error: describeFailure(error) });
    }
  }
  busy = false;
}

function send(message: ToPool): void {
  port!.postMessage(message);
}

/** Errors do not cross threads intact; keep what the main thread needs to report them. */
function describeFailure(error: unknown): FailedFile {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(error) };
}
