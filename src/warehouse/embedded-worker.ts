/**
 * The worker thread that runs PGlite for the embedded warehouse (see embedded-protocol.ts for
 * why it is a thread of its own). It opens the data folder, then runs the main thread's requests
 * one at a time, in the order they arrive; the main thread keeps the transaction logic.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { RESULT_PARSERS } from './result-types.js';
import { fillFromTemplate, needsTemplate } from './embedded-template.js';
import { serializeError, type EmbeddedWorkerOptions, type HostRequest, type WorkerReply } from './embedded-protocol.js';

/** PostgreSQL's last words are the only description of some failures; a few lines are enough. */
const KEPT_LOG_LINES = 20;

const port = parentPort;
if (port === null) throw new Error('embedded-worker.js runs as a worker thread of the embedded warehouse');
const options = workerData as EmbeddedWorkerOptions;
const postgresLog: string[] = [];

function keepLogLine(line: string): boolean {
  postgresLog.push(line);
  if (postgresLog.length > KEPT_LOG_LINES) postgresLog.shift();
  return false;
}

function reply(message: WorkerReply): void {
  port!.postMessage(message);
}

async function open(): Promise<PGlite> {
  const { dataDir, templateDir } = options;
  if (dataDir !== undefined && templateDir !== undefined && needsTemplate(dataDir)) {
    await fillFromTemplate(templateDir, dataDir);
  }
  return PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    parsers: { ...RESULT_PARSERS },
    startParams: [...PGlite.defaultStartParams, ...options.settings.flatMap((setting) => ['-c', setting])],
    onStderr: keepLogLine,
  });
}

/**
 * The COPY's input as PGlite takes it, without copying the bytes. PGlite 0.5 reads a COPY's
 * `/dev/blob` input only through `blob.arrayBuffer()` (its `_handleBlob`), and a real Blob would
 * copy the transferred bytes twice (into the Blob, then into a new ArrayBuffer): ~2 MB of garbage
 * per 1 MB chunk, which this thread's small heap collected so rarely that tens of MB of dead
 * buffers were resident during a large load (docs/performance.md). Hence the narrow cast: the
 * object answers the one call PGlite makes. test/warehouse/embedded-worker.test.ts loads through it.
 */
function copyInput(data: Uint8Array): Blob {
  const { buffer } = data;
  const whole = buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength;
  const bytes: ArrayBuffer = whole ? buffer : new Uint8Array(data).buffer;
  const input: Pick<Blob, 'arrayBuffer' | 'size'> = {
    size: data.byteLength,
    arrayBuffer: () => Promise.resolve(bytes),
  };
  return input as Blob;
}

async function handle(db: PGlite, request: HostRequest): Promise<void> {
  try {
    switch (request.type) {
      case 'query': {
        // query() uses the extended protocol: one statement per call, as on every target.
        const result = await db.query<unknown[]>(request.sql, request.params, { rowMode: 'array' });
        reply({
          type: 'result',
          id: request.id,
          fields: result.fields.map((field) => field.name),
          rows: result.rows,
          rowCount: result.rowCount ?? result.affectedRows ?? 0,
          command: result.command,
        });
        return;
      }
      case 'copy': {
        const result = await db.query(request.sql, [], { blob: copyInput(request.data) });
        reply({ type: 'copied', id: request.id, rowCount: result.rowCount ?? result.affectedRows ?? 0 });
        return;
      }
      case 'close': {
        if (!db.closed) await db.close();
        reply({ type: 'closed', id: request.id });
        port!.close();
        return;
      }
    }
  } catch (error) {
    reply({ type: 'failed', id: request.id, error: serializeError(error, postgresLog) });
  }
}

const opened = await open().then(
  (db) => ({ db }),
  (error: unknown) => ({ error }),
);
if ('db' in opened) {
  let queue = Promise.resolve();
  port.on('message', (request: HostRequest) => {
    queue = queue.then(() => handle(opened.db, request));
  });
  reply({ type: 'ready' });
} else {
  reply({ type: 'open-failed', error: serializeError(opened.error, postgresLog) });
  port.close();
}
