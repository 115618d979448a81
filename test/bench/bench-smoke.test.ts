/**
 * The benchmark machinery at tiny sizes against the test server: it runs end to end and computes
 * the ratios. The performance goals themselves are measured by `npm run bench`, not asserted here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { renderMarkdown, renderTerminal } from '../../bench/report.js';
import { defaultCliPath, runBenchmark } from '../../bench/run.js';
import { median, summarize } from '../../bench/stats.js';
import { serverUrl } from '../support/postgres.js';

let dataDir: string;
const cliPath = defaultCliPath();

beforeAll(async () => {
  // `npm test` builds first; a bare `npx vitest run test/bench` may not have.
  if (!existsSync(cliPath)) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore' });
    } catch {
      // tsc emits despite type errors elsewhere; the existence check below is what matters.
    }
  }
  expect(existsSync(cliPath), `${cliPath} is missing: run npm run build`).toBe(true);
  dataDir = await mkdtemp(join(tmpdir(), 'sparkify-bench-smoke-'));
});

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('median and spread of repeated timings', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(summarize([5, 1, 9])).toEqual({ median: 5, min: 1, max: 9, count: 3 });
});

test('the benchmark runs at tiny sizes and computes the load / COPY ratio', async () => {
  const result = await runBenchmark({
    postgresUrl: serverUrl(),
    events: [2000],
    songs: 200,
    repeat: 1,
    embeddedAt: [],
    startup: false,
    dataDir,
    cliPath,
  });
  expect(result.sizes).toHaveLength(1);
  const size = result.sizes[0]!;
  expect(size.events).toBe(2000);
  expect(size.variants.loadPostgres?.wallMs).toHaveLength(1);
  expect(size.variants.baselinePostgres?.wallMs).toHaveLength(1);
  // Both variants loaded every staging row and built the same star tables.
  expect(size.variants.baselinePostgres?.counts[0]?.stagingEvents).toBe(2000);
  expect(size.variants.baselinePostgres?.counts[0]?.stagingSongs).toBe(200);
  expect(size.variants.loadPostgres?.counts[0]).toEqual(size.variants.baselinePostgres?.counts[0]);
  expect(size.ratios.loadVsCopyPostgres).toBeGreaterThan(0);
  expect(Number.isFinite(size.ratios.loadVsCopyPostgres)).toBe(true);
  expect(size.variants.loadPostgres?.peakRssBytes[0]).toBeGreaterThan(10 * 1024 * 1024);
  expect(renderTerminal(result)).toContain('load → PostgreSQL');
  expect(renderMarkdown(result)).toContain('| 2,000 | COPY baseline → PostgreSQL |');
}, 60_000);
