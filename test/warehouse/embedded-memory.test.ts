/**
 * The embedded warehouse's memory and start-up, measured on the BUILT program as a user runs it
 * (docs/performance.md): peak memory of any command ≤ 300 MB, the first command on an empty folder
 * included (PGlite's initdb alone took ~900 MB; a new warehouse is now a copy of the template
 * that `npm run build` makes), and opening a new warehouse at most twice as slow as a later open.
 */
import { writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureBuilt, runCli, tempDir, writeConfig } from '../cli/run.js';

let base: string;
let preload: string;

beforeAll(async () => {
  ensureBuilt();
  base = await tempDir('embedded-memory');
  // Loaded before the program: writes its peak resident memory (maxRSS, kB) and CPU time on exit.
  preload = join(base, 'peak.mjs');
  writeFileSync(
    preload,
    [
      "import { writeFileSync } from 'node:fs';",
      "process.on('exit', () => {",
      '  const usage = process.resourceUsage();',
      '  const cpu = (usage.userCPUTime + usage.systemCPUTime) / 1000;',
      '  writeFileSync(process.env.PEAK_FILE, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: cpu }));',
      '});',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

interface Measured {
  maxRssMb: number;
  cpuMs: number;
}

/** Run the built CLI in `cwd`; its peak memory and CPU time. */
async function measured(args: string[], cwd: string): Promise<Measured> {
  const peakFile = join(cwd, `peak-${Date.now()}.json`);
  const result = await runCli(args, {
    cwd,
    timeoutMs: 120_000,
    env: { NODE_OPTIONS: `--import ${preload}`, PEAK_FILE: peakFile },
  });
  expect(result.code, result.stderr).toBe(0);
  const { readFile } = await import('node:fs/promises');
  const peak = JSON.parse(await readFile(peakFile, 'utf8')) as { maxRssKb: number; cpuMs: number };
  return { maxRssMb: Math.round(peak.maxRssKb / 1024), cpuMs: peak.cpuMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

test('sql on a new and on an existing warehouse: ≤ 300 MB each; the first open costs ≤ 2× a later one', async () => {
  const firsts: Measured[] = [];
  const laters: Measured[] = [];
  // Alternating, three of each: the machine is shared, so CPU time (not wall time) and medians.
  // PGlite's worker thread is part of the process: its memory and CPU time are counted.
  for (let round = 0; round < 3; round += 1) {
    const dir = join(base, `project-${round}`);
    await mkdir(dir);
    await writeConfig(join(dir, 'dwh.cfg'), { WAREHOUSE: { TARGET: 'embedded' } });
    firsts.push(await measured(['sql', 'SELECT 1'], dir));
    laters.push(await measured(['sql', 'SELECT 1'], dir));
  }
  for (const run of [...firsts, ...laters]) expect(run.maxRssMb).toBeLessThanOrEqual(300);
  expect(median(firsts.map((run) => run.cpuMs))).toBeLessThanOrEqual(2 * median(laters.map((run) => run.cpuMs)));
}, 300_000);
