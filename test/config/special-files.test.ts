/**
 * dwh.cfg that is not a regular file: a named pipe would make the read wait forever for a writer,
 * so the store refuses it by its type before reading (the -c check in src/app.ts says the same
 * as a usage error; this covers every other way the store reads the file).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openConfig } from '../../src/config/store.js';
import { ConfigError } from '../../src/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkify-special-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a named pipe is refused by its type at once, never read', async () => {
  const path = join(dir, 'dwh.cfg');
  execFileSync('mkfifo', [path]);
  const error = await openConfig(path, 'dwh.cfg').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toBe(
    'dwh.cfg: is a named pipe, not a file; pass the path of the file with --config',
  );
}, 5_000);

test('a device is refused the same way', async () => {
  const error = await openConfig('/dev/null', '/dev/null').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toMatch(/^\/dev\/null: is a device, not a file/);
});
