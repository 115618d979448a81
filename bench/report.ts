/** The benchmark's results as terminal tables (cli-table3) and as Markdown for docs/performance.md. */
import Table from 'cli-table3';
import { goalRows } from './goals.js';
import type { BenchResult, SizeResult, VariantName } from './types.js';
import { median, summarize, type Summary } from './stats.js';

const VARIANT_LABELS: Record<VariantName, string> = {
  loadPostgres: 'load → PostgreSQL',
  baselinePostgres: 'COPY baseline → PostgreSQL',
  loadEmbedded: 'load → PGlite',
  baselineEmbedded: 'COPY baseline → PGlite',
};

/** No colours: the output is pasted into docs and read from CI logs. */
const PLAIN = { head: [] as string[], border: [] as string[] };

const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const spread = (summary: Summary): string => `${seconds(summary.min)}–${seconds(summary.max)}`;
const megabytes = (bytes: number | undefined): string =>
  bytes === undefined || !Number.isFinite(bytes) ? '–' : `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const thousands = (value: number): string => Math.round(value).toLocaleString('en-US');
const ratioText = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`;

export interface LoadRow {
  events: number;
  songs: number;
  variant: string;
  median: string;
  spread: string;
  /** Median CPU seconds here + in the PostgreSQL server ("–" where not measured). */
  cpu: string;
  rowsPerSecond: string;
  microsPerEvent: string;
  peakRss: string;
  ratio: string;
  /** Range of the 1-minute load average over the runs. */
  loadAverage: string;
}

const cpuSeconds = (samples: number[]): string => (samples.length === 0 ? '–' : seconds(median(samples)));
const range = (values: number[]): string =>
  values.length === 0 ? '–' : `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;

function baselineOf(variant: VariantName): VariantName | undefined {
  if (variant === 'loadPostgres') return 'baselinePostgres';
  if (variant === 'loadEmbedded') return 'baselineEmbedded';
  return undefined;
}

export function loadRows(result: BenchResult): LoadRow[] {
  const rows: LoadRow[] = [];
  for (const size of result.sizes) {
    const stagingRows = size.events + size.songs;
    for (const [variant, runs] of Object.entries(size.variants) as Array<
      [VariantName, SizeResult['variants'][VariantName]]
    >) {
      if (!runs || runs.wallMs.length === 0) continue;
      const time = summarize(runs.wallMs);
      const base = baselineOf(variant);
      const ratio = base
        ? size.ratios[variant === 'loadPostgres' ? 'loadVsCopyPostgres' : 'loadVsCopyEmbedded']
        : undefined;
      const peak = runs.peakRssBytes.length > 0 ? Math.max(...runs.peakRssBytes) : undefined;
      rows.push({
        events: size.events,
        songs: size.songs,
        variant: VARIANT_LABELS[variant],
        median: seconds(time.median),
        spread: spread(time),
        cpu: `${cpuSeconds(runs.clientCpuMs)} + ${cpuSeconds(runs.serverCpuMs)}`,
        rowsPerSecond: thousands(stagingRows / (time.median / 1000)),
        microsPerEvent: ((time.median * 1000) / size.events).toFixed(1),
        peakRss: megabytes(peak),
        ratio: ratioText(ratio),
        loadAverage: range(runs.loadAverage),
      });
    }
  }
  return rows;
}

export interface BreakdownRow {
  events: number;
  engine: string;
  copy: string;
  transform: string;
  byTable: string;
}

export function breakdownRows(result: BenchResult): BreakdownRow[] {
  const rows: BreakdownRow[] = [];
  for (const size of result.sizes) {
    for (const [variant, engine] of [
      ['baselinePostgres', 'PostgreSQL'],
      ['baselineEmbedded', 'PGlite'],
    ] as const) {
      const runs = size.variants[variant];
      if (!runs || runs.copyMs.length === 0) continue;
      const tables = Object.keys(runs.transformByTable[0] ?? {});
      rows.push({
        events: size.events,
        engine,
        copy: seconds(summarize(runs.copyMs).median),
        transform: seconds(summarize(runs.transformMs).median),
        byTable: tables
          .map((table) => `${table} ${seconds(summarize(runs.transformByTable.map((run) => run[table] ?? 0)).median)}`)
          .join(', '),
      });
    }
  }
  return rows;
}

export interface StartupRow {
  what: string;
  median: string;
  spread: string;
  ratio: string;
}

export function startupRows(result: BenchResult): StartupRow[] {
  const startup = result.startup;
  if (!startup) return [];
  const node = summarize(startup.nodeMs);
  const row = (what: string, samples: number[]): StartupRow => {
    const summary = summarize(samples);
    return {
      what,
      median: `${summary.median.toFixed(0)} ms`,
      spread: `${summary.min.toFixed(0)}–${summary.max.toFixed(0)} ms`,
      ratio: ratioText(summary.median / node.median),
    };
  };
  const rows = [row('node -e 0', startup.nodeMs), row('sparkify-dwh --version', startup.versionMs)];
  if (startup.menuMs.length > 0) rows.push(row('menu drawn ("What next?", embedded)', startup.menuMs));
  return rows;
}

const LOAD_HEAD = [
  'events / songs',
  'variant',
  'median s',
  'min–max s',
  'CPU s (here + server)',
  'rows/s',
  'µs/event',
  'peak RSS',
  'load / COPY',
  'load average',
];

function loadCells(row: LoadRow): string[] {
  return [
    `${thousands(row.events)} / ${thousands(row.songs)}`,
    row.variant,
    row.median,
    row.spread,
    row.cpu,
    row.rowsPerSecond,
    row.microsPerEvent,
    row.peakRss,
    row.ratio,
    row.loadAverage,
  ];
}

const GOAL_HEAD = ['goal (docs/performance.md)', 'measured', 'goal', 'met'];

function goalCells(result: BenchResult): string[][] {
  return goalRows(result).map((row) => [
    row.what,
    row.measured,
    row.goal,
    row.met === undefined ? '–' : row.met ? 'yes' : 'no',
  ]);
}

export interface EmbeddedOpenRow {
  what: string;
  median: string;
  spread: string;
  peakRss: string;
}

export function embeddedOpenRows(result: BenchResult): EmbeddedOpenRow[] {
  const open = result.embeddedOpen;
  if (open === undefined || open.firstWallMs.length === 0) return [];
  const row = (what: string, wall: number[], rss: number[]): EmbeddedOpenRow => {
    const summary = summarize(wall);
    return {
      what,
      median: seconds(summary.median),
      spread: spread(summary),
      peakRss: megabytes(rss.length > 0 ? Math.max(...rss) : undefined),
    };
  };
  return [
    row('sql "SELECT 1", empty folder (creates the warehouse)', open.firstWallMs, open.firstPeakRssBytes),
    row('sql "SELECT 1", existing warehouse', open.laterWallMs, open.laterPeakRssBytes),
  ];
}

const OPEN_HEAD = ['embedded start-up', 'median s', 'min–max s', 'peak RSS'];

export function renderTerminal(result: BenchResult): string {
  const parts: string[] = [];
  const goals = new Table({ head: GOAL_HEAD, style: PLAIN });
  for (const cells of goalCells(result)) goals.push(cells);
  parts.push(goals.toString());
  const load = new Table({ head: LOAD_HEAD, style: PLAIN });
  for (const row of loadRows(result)) load.push(loadCells(row));
  parts.push(load.toString());
  const ratios = new Table({
    head: ['events', 'load / COPY (PostgreSQL)', 'load / COPY (PGlite)', 'PGlite / PostgreSQL (load)'],
    style: PLAIN,
  });
  for (const size of result.sizes)
    ratios.push([
      thousands(size.events),
      ratioText(size.ratios.loadVsCopyPostgres),
      ratioText(size.ratios.loadVsCopyEmbedded),
      ratioText(size.ratios.embeddedVsPostgres),
    ]);
  parts.push(ratios.toString());
  const breakdown = breakdownRows(result);
  if (breakdown.length > 0) {
    const table = new Table({
      head: ['events', 'baseline on', 'COPY s', 'transform s', 'transform by table (s)'],
      style: PLAIN,
    });
    for (const row of breakdown) table.push([thousands(row.events), row.engine, row.copy, row.transform, row.byTable]);
    parts.push(table.toString());
  }
  const open = embeddedOpenRows(result);
  if (open.length > 0) {
    const table = new Table({ head: OPEN_HEAD, style: PLAIN });
    for (const row of open) table.push([row.what, row.median, row.spread, row.peakRss]);
    parts.push(table.toString());
  }
  const startup = startupRows(result);
  if (startup.length > 0) {
    const table = new Table({ head: ['start-up', 'median', 'min–max', 'vs node -e 0'], style: PLAIN });
    for (const row of startup) table.push([row.what, row.median, row.spread, row.ratio]);
    parts.push(table.toString());
  }
  if (result.startup?.menuProblem) parts.push(`menu not timed: ${result.startup.menuProblem}`);
  return parts.join('\n');
}

function markdownTable(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderMarkdown(result: BenchResult): string {
  const parts: string[] = [];
  parts.push(markdownTable(GOAL_HEAD, goalCells(result)));
  parts.push(markdownTable(LOAD_HEAD, loadRows(result).map(loadCells)));
  parts.push(
    markdownTable(
      ['events', 'load / COPY (PostgreSQL)', 'load / COPY (PGlite)', 'PGlite / PostgreSQL (load)'],
      result.sizes.map((size) => [
        thousands(size.events),
        ratioText(size.ratios.loadVsCopyPostgres),
        ratioText(size.ratios.loadVsCopyEmbedded),
        ratioText(size.ratios.embeddedVsPostgres),
      ]),
    ),
  );
  const breakdown = breakdownRows(result);
  if (breakdown.length > 0)
    parts.push(
      markdownTable(
        ['events', 'baseline on', 'COPY s', 'transform s', 'transform by table (s)'],
        breakdown.map((row) => [thousands(row.events), row.engine, row.copy, row.transform, row.byTable]),
      ),
    );
  const open = embeddedOpenRows(result);
  if (open.length > 0)
    parts.push(
      markdownTable(
        OPEN_HEAD,
        open.map((row) => [row.what, row.median, row.spread, row.peakRss]),
      ),
    );
  const startup = startupRows(result);
  if (startup.length > 0)
    parts.push(
      markdownTable(
        ['start-up', 'median', 'min–max', 'vs node -e 0'],
        startup.map((row) => [row.what, row.median, row.spread, row.ratio]),
      ),
    );
  return parts.join('\n\n');
}
