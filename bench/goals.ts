/**
 * The goals of docs/performance.md (issue 12's table), each judged from one benchmark run:
 * what was measured, the goal, and whether it is met (undefined when that row was not measured,
 * for example with BENCH_EMBEDDED=off).
 */
import { median } from './stats.js';
import type { BenchResult, BenchSize, SizeResult, VariantName } from './types.js';

/** The size of the real Udacity sample: 72 song files (71 songs in the real one, near enough), 8,056 events. */
export const SAMPLE_SIZE: BenchSize = { events: 8056, songs: 72 };

export interface GoalRow {
  what: string;
  measured: string;
  goal: string;
  met: boolean | undefined;
}

const MB = 1024 * 1024;

function sizeOf(result: BenchResult, size: BenchSize): SizeResult | undefined {
  return result.sizes.find((candidate) => candidate.events === size.events && candidate.songs === size.songs);
}

function peak(size: SizeResult | undefined, variant: VariantName): number | undefined {
  const samples = size?.variants[variant]?.peakRssBytes ?? [];
  return samples.length > 0 ? Math.max(...samples) : undefined;
}

const megabytes = (bytes: number | undefined): string =>
  bytes === undefined ? 'not measured' : `${(bytes / MB).toFixed(0)} MB`;
const times = (ratio: number | undefined): string =>
  ratio === undefined || !Number.isFinite(ratio) ? 'not measured' : `${ratio.toFixed(2)}×`;
const secondsText = (samples: number[]): string => `${(median(samples) / 1000).toFixed(2)} s`;
const atMost = (value: number | undefined, limit: number): boolean | undefined =>
  value === undefined || !Number.isFinite(value) ? undefined : value <= limit;

export function goalRows(result: BenchResult): GoalRow[] {
  const rows: GoalRow[] = [];
  const ratioRow = (label: string, size: BenchSize, limit: number): void => {
    const ratio = sizeOf(result, size)?.ratios.loadVsCopyPostgres;
    rows.push({ what: label, measured: times(ratio), goal: `≤ ${limit}×`, met: atMost(ratio, limit) });
  };
  ratioRow('load → PostgreSQL vs the limit, 300k events / 15k songs', { events: 300_000, songs: 15_000 }, 1.5);
  ratioRow('same at 1M events', { events: 1_000_000, songs: 15_000 }, 1.3);

  const postgresPeaks = result.sizes
    .map((size) => peak(size, 'loadPostgres'))
    .filter((bytes): bytes is number => bytes !== undefined);
  rows.push({
    what: 'peak RSS of load → PostgreSQL (each size)',
    measured: postgresPeaks.length > 0 ? postgresPeaks.map((bytes) => megabytes(bytes)).join(' / ') : 'not measured',
    goal: '≤ 200 MB, flat with size',
    met: postgresPeaks.length > 0 ? Math.max(...postgresPeaks) <= 200 * MB : undefined,
  });

  const open = result.embeddedOpen;
  const maxOf = (values: number[] | undefined): number | undefined =>
    values !== undefined && values.length > 0 ? Math.max(...values) : undefined;
  const firstPeak = maxOf(open?.firstPeakRssBytes);
  const laterPeak = maxOf(open?.laterPeakRssBytes);
  rows.push({
    what: 'embedded: peak RSS of the first command on an empty folder',
    measured: megabytes(firstPeak),
    goal: '≤ 300 MB',
    met: atMost(firstPeak, 300 * MB),
  });
  rows.push({
    what: 'embedded: peak RSS of `sql "SELECT 1"`',
    measured: megabytes(laterPeak),
    goal: '≤ 300 MB',
    met: atMost(laterPeak, 300 * MB),
  });
  const embeddedLoads = result.sizes
    .map((size) => ({ size, bytes: peak(size, 'loadEmbedded') }))
    .filter((entry): entry is { size: SizeResult; bytes: number } => entry.bytes !== undefined);
  for (const { size, bytes } of embeddedLoads) {
    rows.push({
      what: `embedded: peak RSS of loading ${size.events.toLocaleString('en-US')} events`,
      measured: megabytes(bytes),
      goal: '≤ 300 MB',
      met: atMost(bytes, 300 * MB),
    });
  }
  if (embeddedLoads.length === 0)
    rows.push({ what: 'embedded: peak RSS of a load', measured: 'not measured', goal: '≤ 300 MB', met: undefined });
  const openRatio =
    open !== undefined && open.firstWallMs.length > 0 && open.laterWallMs.length > 0
      ? median(open.firstWallMs) / median(open.laterWallMs)
      : undefined;
  rows.push({
    what: 'embedded: first open of a new warehouse vs a later open',
    measured:
      openRatio === undefined
        ? 'not measured'
        : `${times(openRatio)} (${secondsText(open!.firstWallMs)} vs ${secondsText(open!.laterWallMs)})`,
    goal: '≤ 2×',
    met: atMost(openRatio, 2),
  });

  const sample = sizeOf(result, SAMPLE_SIZE)?.variants.loadPostgres;
  const sampleMs = sample !== undefined && sample.wallMs.length > 0 ? median(sample.wallMs) : undefined;
  rows.push({
    what: 'the Udacity-sized sample (72 song files, 8,056 events) load → PostgreSQL, wall',
    measured: sampleMs === undefined ? 'not measured' : `${(sampleMs / 1000).toFixed(2)} s`,
    goal: '≤ 0.5 s',
    met: atMost(sampleMs, 500),
  });
  return rows;
}
