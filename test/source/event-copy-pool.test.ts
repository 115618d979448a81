/**
 * The event logs as COPY text, parsed in worker threads (the BUILT module, since Node cannot start
 * a `.ts` worker) and in this thread (the sources): both must give exactly what `readEvents` plus
 * the COPY encoder give — the same text in the same order, the same rejections, the same totals.
 */
import { rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import * as inThread from '../../src/source/event-copy-pool.js';
import { eventCopyRow } from '../../src/source/event-copy.js';
import { readEvents } from '../../src/source/events.js';
import { emptyStats } from '../../src/source/options.js';
import type { ReadStats, RejectedRecord } from '../../src/source/types.js';
import { encodeCopyRow } from '../../src/warehouse/copy-format.js';
import { ensureBuilt, root } from '../cli/run.js';
import { folderWith } from './fixtures.js';

type PoolModule = typeof inThread;

function line(index: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    artist: index % 3 === 0 ? null : `Artist ${index}\twith tab`,
    auth: 'Logged In', firstName: 'Zoë', gender: 'F', itemInSession: index % 50, lastName: 'Back\\slash', length: index / 7,
    level: 'free', location: 'Line\nbreak', method: 'PUT', page: 'NextSong', registration: 1540344794796.0, sessionId: index,
    song: `Song ${index}`, status: 200, ts: 1541106106796 + index, userAgent: null, userId: String(index % 97), ...extra,
  });
}

/** Several files of every kind the reader meets: big, tiny, empty, all bad, bad lines between good ones. */
async function logFolder(): Promise<string> {
  const big = Array.from({ length: 3000 }, (_, index) => (index % 500 === 7 ? '{"broken": ' : line(index))).join('\n') + '\n';
  return folderWith({
    '2018/11/2018-11-01-events.json': big,
    '2018/11/2018-11-02-events.json': [line(1), '', line(2, { ts: 12 }), '[1]', line(3, { userId: 5 }), line(4)].join('\r\n'),
    '2018/11/2018-11-03-events.json': '',
    '2018/11/2018-11-04-events.json': Array.from({ length: 1500 }, () => 'not json').join('\n'),
    '2018/11/2018-11-05-events.json': Buffer.concat([Buffer.from(line(5) + '\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from(line(6, { song: 'nul \u0000' }) + '\n' + line(7))]),
    '2018/11/2018-11-06-events.json': big,
    '2018/11/2018-11-07-events.json': line(8) + '\n',
  });
}

interface Outcome {
  text: string;
  rows: number;
  rejected: RejectedRecord[];
  stats: ReadStats;
  result: ReadStats | undefined;
}

/** What the reader of today gives, encoded the way the load encodes it. */
async function expected(dir: string): Promise<Outcome> {
  const rejected: RejectedRecord[] = [];
  const stats = emptyStats();
  let text = '';
  let rows = 0;
  const reader = readEvents(dir, { label: '[LOCAL] LOG_DATA', displayDir: './logs', onReject: (r) => rejected.push(r), stats });
  for (;;) {
    const step = await reader.next();
    if (step.done) return { text, rows, rejected, stats, result: step.value };
    for (const event of step.value) text += encodeCopyRow(eventCopyRow(event));
    rows += step.value.length;
  }
}

async function viaPool(pool: PoolModule, dir: string, extra: Partial<inThread.EventCopyOptions> = {}): Promise<Outcome & { pieces: number }> {
  const rejected: RejectedRecord[] = [];
  const stats = emptyStats();
  let text = '';
  let rows = 0;
  let pieces = 0;
  const reader = pool.readEventsAsCopyText(dir, { label: '[LOCAL] LOG_DATA', displayDir: './logs', onReject: (r) => rejected.push(r), stats, chunkChars: 4096, ...extra });
  for (;;) {
    const step = await reader.next();
    if (step.done) return { text, rows, rejected, stats, result: step.value, pieces };
    expect(step.value.text.endsWith('\n')).toBe(true); // whole rows only
    expect(step.value.text.split('\n').length - 1).toBe(step.value.rows);
    text += step.value.text;
    rows += step.value.rows;
    pieces += 1;
  }
}

let built: PoolModule;
beforeAll(async () => {
  ensureBuilt();
  built = (await import(pathToFileURL(join(root, 'dist/source/event-copy-pool.js')).href)) as PoolModule;
}, 120_000);

describe('readEventsAsCopyText', () => {
  it('from the sources runs in this thread (no compiled worker next to it)', () => {
    expect(inThread.defaultWorkerCount()).toBe(0);
  });

  it('in this thread gives exactly the text, rejections and totals of readEvents + the COPY encoder', async () => {
    const dir = await logFolder();
    const want = await expected(dir);
    expect(want.rows).toBe(2 * 2994 + 2 + 2 + 1);
    expect(want.rejected.length).toBe(2 * 6 + 3 + 1500 + 2);
    const got = await viaPool(inThread, dir, { workers: 0 });
    expect(got.pieces).toBeGreaterThan(100);
    expect({ ...got, pieces: 0 }).toEqual({ ...want, pieces: 0 });
  });

  it('built, in worker threads, gives the same text in file order, the same rejections and totals', async () => {
    expect(built.defaultWorkerCount()).toBeGreaterThan(0);
    const dir = await logFolder();
    const want = await expected(dir);
    for (const settings of [{ workers: 2, maxInFlight: 1 }, { workers: 1, maxInFlight: 3 }, { workers: 2, maxInFlight: 8, chunkChars: 128 * 1024 }]) {
      const got = await viaPool(built, dir, settings);
      expect({ ...got, pieces: 0 }).toEqual({ ...want, pieces: 0 });
    }
    expect(want.rejected.slice(0, 3)).toEqual([
      { file: '2018/11/2018-11-01-events.json', line: 8, reason: 'invalid JSON: Unexpected end of JSON input' },
      { file: '2018/11/2018-11-01-events.json', line: 508, reason: 'invalid JSON: Unexpected end of JSON input' },
      { file: '2018/11/2018-11-01-events.json', line: 1008, reason: 'invalid JSON: Unexpected end of JSON input' },
    ]);
  });

  it('a file that disappears while loading is the same one-line error from a worker as in this thread', async () => {
    for (const [pool, workers] of [[built, 2], [inThread, 0]] as const) {
      const dir = await logFolder();
      const reader = pool.readEventsAsCopyText(dir, { label: '[LOCAL] LOG_DATA', displayDir: './logs', onReject: () => undefined, chunkChars: 1024, workers, maxInFlight: 1 });
      await reader.next(); // listed, first piece read; the sixth file is not started yet
      await unlink(join(dir, '2018/11/2018-11-06-events.json'));
      let failure: unknown;
      try {
        for (;;) if ((await reader.next()).done) break;
      } catch (error) {
        failure = error;
      }
      expect((failure as Error).name).toBe('UserError');
      expect((failure as Error).message).toBe('[LOCAL] LOG_DATA: ./logs/2018/11/2018-11-06-events.json cannot be read (the file disappeared while loading)');
      if (pool === inThread) expect(failure).toBeInstanceOf(UserError);
    }
  });

  it('an abort stops the workers: the reader throws the AbortError and no worker is left running', async () => {
    const dir = await logFolder();
    const controller = new AbortController();
    const reader = built.readEventsAsCopyText(dir, { label: '[LOCAL] LOG_DATA', displayDir: './logs', onReject: () => undefined, chunkChars: 1024, workers: 2, maxInFlight: 1, signal: controller.signal });
    await reader.next();
    expect(process.getActiveResourcesInfo().filter((name) => name === 'MessagePort').length).toBeGreaterThan(0);
    controller.abort();
    await expect(reader.next()).rejects.toMatchObject({ name: 'AbortError' });
    expect(process.getActiveResourcesInfo().filter((name) => name === 'MessagePort')).toEqual([]);
    await rm(dir, { recursive: true, force: true });
  });

  it('stopping early (the COPY failed) ends the workers too', async () => {
    const dir = await logFolder();
    const reader = built.readEventsAsCopyText(dir, { label: '[LOCAL] LOG_DATA', displayDir: './logs', onReject: () => undefined, chunkChars: 1024, workers: 2, maxInFlight: 1 });
    await reader.next();
    await reader.return(emptyStats());
    expect(process.getActiveResourcesInfo().filter((name) => name === 'MessagePort')).toEqual([]);
  });
});
