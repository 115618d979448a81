/**
 * The load keeps V8's young generation near its start-up size (src/load/young-generation.ts): the
 * main thread's garbage then costs no memory beyond it (docs/performance.md). Run in a fresh
 * process, as the flag is process-wide, against the built module, with a control that shows the
 * same garbage grows the young generation when the flag is not set.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, expect, test } from 'vitest';
import { ensureBuilt } from '../cli/run.js';

const MODULE = pathToFileURL(join(import.meta.dirname, '../../dist/load/young-generation.js')).href;

beforeAll(() => ensureBuilt());

/** The largest young generation (MB) seen while making garbage that survives a scavenge or two. */
function youngGenerationPeak(keepSmall: boolean): { start: number; peak: number } {
  const script = `
    import v8 from 'node:v8';
    const { keepYoungGenerationSmall } = await import(${JSON.stringify(MODULE)});
    if (${keepSmall}) keepYoungGenerationSmall();
    const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const start = newSpace();
    let peak = start;
    let alive = [];
    for (let i = 0; i < 300000; i++) {
      alive.push('x'.repeat(200) + i);
      if (alive.length > 20000) alive = [];
      if (i % 1000 === 0) peak = Math.max(peak, newSpace());
    }
    console.log(JSON.stringify({ start: start / 1048576, peak: peak / 1048576 }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { start: number; peak: number };
}

test('a load keeps the young generation within a few MB while it makes garbage', () => {
  const kept = youngGenerationPeak(true);
  // Measured: 1 MB at start, 2 MB at most with the setting; 32 MB without it.
  expect(kept.peak).toBeLessThanOrEqual(4);
  // The control: the same garbage without the setting grows it (so the check above can fail).
  const grown = youngGenerationPeak(false);
  expect(grown.peak).toBeGreaterThanOrEqual(8);
}, 60_000);
