/** Temp folders and files for the source tests, written by the tests themselves. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import type { RejectedRecord } from '../../src/source/types.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh temp folder, removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sparkify-source-'));
  made.push(dir);
  return dir;
}

/** Writes `files` (relative path → text or bytes) under a fresh temp folder and returns it. */
export async function folderWith(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempDir();
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** Reader options that collect rejections. */
export function collecting(extra: { batchSize?: number; maxLineBytes?: number } = {}) {
  const rejected: RejectedRecord[] = [];
  return {
    rejected,
    options: {
      label: '[LOCAL] LOG_DATA',
      displayDir: './logs',
      onReject: (r: RejectedRecord) => rejected.push(r),
      ...extra,
    },
  };
}

/** Every batch of an async generator, and its return value. */
export async function drain<T, R>(
  generator: AsyncGenerator<T[], R, undefined>,
): Promise<{ batches: T[][]; records: T[]; result: R }> {
  const batches: T[][] = [];
  for (;;) {
    const step = await generator.next();
    if (step.done) return { batches, records: batches.flat(), result: step.value };
    batches.push(step.value);
  }
}
