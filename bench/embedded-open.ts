/**
 * The embedded target's start-up, as users meet it: `sparkify-dwh sql "SELECT 1"` on an empty
 * folder (the first command creates the warehouse) and on a warehouse that exists (every later
 * command). Wall time and peak memory of each, alternating which goes first.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild, type ChildRun } from './process.js';
import type { EmbeddedOpenResult } from './types.js';

const PROBE = ['sql', 'SELECT 1'];

async function configFor(dir: string, warehouseDir: string): Promise<string> {
  const path = join(dir, `dwh-${Math.random().toString(36).slice(2)}.cfg`);
  await writeFile(path, ['[WAREHOUSE]', 'TARGET = embedded', `EMBEDDED_DIR = ${warehouseDir}`, ''].join('\n'), {
    mode: 0o600,
  });
  return path;
}

async function probe(cliPath: string, configPath: string, cwd: string): Promise<ChildRun> {
  const run = await runChild(process.execPath, [cliPath, '--config', configPath, '--no-color', ...PROBE], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (run.exitCode !== 0)
    throw new Error(`sparkify-dwh sql failed (exit ${run.exitCode ?? run.signal}): ${run.stderr.trim().slice(-300)}`);
  return run;
}

export async function measureEmbeddedOpen(options: {
  cliPath: string;
  repeat: number;
  log?: (message: string) => void;
}): Promise<EmbeddedOpenResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sparkify-bench-open-'));
  const result: EmbeddedOpenResult = {
    firstWallMs: [],
    firstPeakRssBytes: [],
    laterWallMs: [],
    laterPeakRssBytes: [],
    loadAverage: [],
  };
  try {
    // The warehouse every "later" run opens, created once (untimed).
    const existing = await configFor(dir, join(dir, 'existing'));
    await probe(options.cliPath, existing, dir);
    for (let repetition = 0; repetition < options.repeat; repetition++) {
      const first = async (): Promise<void> => {
        result.loadAverage.push(loadavg()[0]!);
        const run = await probe(options.cliPath, await configFor(dir, join(dir, `fresh-${repetition}`)), dir);
        result.firstWallMs.push(run.wallMs);
        if (run.peakRssBytes !== undefined) result.firstPeakRssBytes.push(run.peakRssBytes);
        await rm(join(dir, `fresh-${repetition}`), { recursive: true, force: true });
      };
      const later = async (): Promise<void> => {
        result.loadAverage.push(loadavg()[0]!);
        const run = await probe(options.cliPath, existing, dir);
        result.laterWallMs.push(run.wallMs);
        if (run.peakRssBytes !== undefined) result.laterPeakRssBytes.push(run.peakRssBytes);
      };
      // Alternate which goes first, so warm caches and background noise favour neither.
      const order = repetition % 2 === 0 ? [first, later] : [later, first];
      for (const step of order) await step();
      options.log?.(
        `embedded open ${repetition + 1}/${options.repeat}: ` +
          `first ${(result.firstWallMs.at(-1)! / 1000).toFixed(2)} s, ` +
          `later ${(result.laterWallMs.at(-1)! / 1000).toFixed(2)} s`,
      );
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
