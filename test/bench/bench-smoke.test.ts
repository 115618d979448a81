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
import { goalRows, SAMPLE_SIZE } from '../../bench/goals.js';
import { renderMarkdown, renderTerminal } from '../../bench/report.js';
import { runChild } from '../../bench/process.js';
import { benchSettings, benchSizes, defaultCliPath, runBenchmark } from '../../bench/run.js';
import { median, summarize } from '../../bench/stats.js';
import type { BenchResult, VariantRuns } from '../../bench/types.js';
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
    sizes: [{ events: 2000, songs: 200 }],
    repeat: 1,
    embeddedAt: [],
    embeddedOpen: false,
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
  expect(size.variants.loadPostgres?.counts[0]?.digest).toMatch(/^[0-9a-f]{32}$/);
  expect(size.variants.loadPostgres?.peakRssBytes[0]).toBeGreaterThan(10 * 1024 * 1024);
  // CPU time of the CLI process (Node's start-up alone is tens of ms), and of the server where it is readable.
  expect(size.variants.loadPostgres?.clientCpuMs[0]).toBeGreaterThan(0);
  expect(size.variants.baselinePostgres?.clientCpuMs[0]).toBeGreaterThan(0);
  for (const ms of [...size.variants.loadPostgres!.serverCpuMs, ...size.variants.baselinePostgres!.serverCpuMs])
    expect(ms).toBeGreaterThanOrEqual(0);
  expect(size.variants.loadPostgres?.loadAverage).toHaveLength(1);
  expect(renderTerminal(result)).toContain('load → PostgreSQL');
  expect(renderMarkdown(result)).toContain('| 2,000 / 200 | COPY baseline → PostgreSQL |');
  // Sizes that were not run are said to be unmeasured, not passed.
  expect(goalRows(result).find((row) => row.what.startsWith('same at 1M'))).toMatchObject({
    measured: 'not measured',
    met: undefined,
  });
}, 60_000);

test('sizes come from BENCH_SIZES, or BENCH_EVENTS with BENCH_SONGS, or the goals’ defaults', () => {
  expect(benchSizes({ BENCH_SIZES: '8056x72, 300_000x15000' })).toEqual([
    { events: 8056, songs: 72 },
    { events: 300_000, songs: 15_000 },
  ]);
  expect(benchSizes({ BENCH_EVENTS: '1000,2000', BENCH_SONGS: '50' })).toEqual([
    { events: 1000, songs: 50 },
    { events: 2000, songs: 50 },
  ]);
  expect(benchSizes({})).toEqual([
    SAMPLE_SIZE,
    { events: 300_000, songs: 15_000 },
    { events: 1_000_000, songs: 15_000 },
  ]);
  expect(() => benchSizes({ BENCH_SIZES: '300000' })).toThrow('BENCH_SIZES: not events x songs: 300000');
});

test('every goal row is judged from the medians (and peaks) of one run', () => {
  const runs = (wallMs: number[], peakMb: number[] = []): VariantRuns => ({
    wallMs,
    peakRssBytes: peakMb.map((mb) => mb * 1024 * 1024),
    clientCpuMs: [],
    serverCpuMs: [],
    loadAverage: [],
    copyMs: [],
    transformMs: [],
    transformByTable: [],
    counts: [],
  });
  const size = (events: number, songs: number, load: number[], base: number[], peakMb: number[]) => ({
    events,
    songs,
    sourceBytes: 0,
    variants: { loadPostgres: runs(load, peakMb), baselinePostgres: runs(base) },
    ratios: {
      loadVsCopyPostgres: median(load) / median(base),
      loadVsCopyEmbedded: undefined,
      embeddedVsPostgres: undefined,
    },
  });
  const result: BenchResult = {
    startedAt: '',
    finishedAt: '',
    machine: { cpus: 2, cpuModel: '', memoryGiB: 1, node: '', postgres: '', platform: '' },
    repeat: 3,
    sizes: [
      size(8056, 72, [400, 450, 900], [100, 100, 100], [90, 95, 92]),
      size(300_000, 15_000, [3000, 3100, 9000], [2000, 2100, 2200], [140, 150, 150]),
      size(1_000_000, 15_000, [10_000, 10_500, 11_000], [7500, 7600, 7700], [160, 210, 150]),
    ],
    embeddedOpen: {
      firstWallMs: [2000, 2100, 9000],
      firstPeakRssBytes: [290 * 1024 * 1024],
      laterWallMs: [1000, 1000, 1100],
      laterPeakRssBytes: [250 * 1024 * 1024],
      loadAverage: [],
    },
    startup: undefined,
    loadAverage: { start: 1, end: 1 },
  };
  const goals = Object.fromEntries(goalRows(result).map((row) => [row.what, [row.measured, row.met]]));
  expect(goals).toEqual({
    'load → PostgreSQL vs the limit, 300k events / 15k songs': ['1.48×', true],
    'same at 1M events': ['1.38×', false],
    'peak RSS of load → PostgreSQL (each size)': ['95 MB / 150 MB / 210 MB', false],
    'embedded: peak RSS of the first command on an empty folder': ['290 MB', true],
    'embedded: peak RSS of `sql "SELECT 1"`': ['250 MB', true],
    'embedded: peak RSS of a load': ['not measured', undefined],
    'embedded: first open of a new warehouse vs a later open': ['2.10× (2.10 s vs 1.00 s)', false],
    'the Udacity-sized sample (72 song files, 8,056 events) load → PostgreSQL, wall': ['0.45 s', true],
  });
  expect(renderMarkdown(result)).toContain('| same at 1M events | 1.38× | ≤ 1.3× | no |');
});

test('flags say what the BENCH_* settings say, and --quick is the sample and 300k without 1M', () => {
  const quick = benchSettings(['--quick'], { BENCH_REPEAT: '5' });
  expect(benchSizes(quick)).toEqual([SAMPLE_SIZE, { events: 300_000, songs: 15_000 }]);
  expect(quick).toMatchObject({ BENCH_REPEAT: '2', BENCH_EMBEDDED: '8056', BENCH_QUICK: '1' });
  expect(benchSettings(['--quick', '--repeat', '4', '--no-startup'], {})).toMatchObject({
    BENCH_REPEAT: '4',
    BENCH_STARTUP: 'off',
  });
  expect(benchSettings(['--sizes', '1000x10', '--embedded', 'off'], { BENCH_SIZES: '5x5' })).toMatchObject({
    BENCH_SIZES: '1000x10',
    BENCH_EMBEDDED: 'off',
  });
  expect(() => benchSettings(['--fast'], {})).toThrow(/--fast/);
});

test('a child’s peak memory is the whole process’s', async () => {
  // 64 MiB touched and held for 300 ms, so that the fallback (polling /proc) sees it too where GNU
  // time is missing or answers late on a busy machine.
  const child = 'const held = Buffer.alloc(64 * 1024 * 1024, 1); setTimeout(() => held.length, 300);';
  const run = await runChild(process.execPath, ['-e', child]);
  expect(run.exitCode).toBe(0);
  expect(run.peakRssBytes).toBeGreaterThan(64 * 1024 * 1024);
});
