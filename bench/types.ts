/**
 * The benchmark's result shapes, shared by the runner (run.ts) and the report (report.ts) so that
 * neither imports the other.
 */
import type { StartupSamples } from './startup.js';
import type { StarCounts } from './variants.js';

export type VariantName = 'loadPostgres' | 'baselinePostgres' | 'loadEmbedded' | 'baselineEmbedded';

/** One data set the load is measured on. */
export interface BenchSize {
  events: number;
  songs: number;
}

export interface VariantRuns {
  wallMs: number[];
  peakRssBytes: number[];
  /** CPU time of this machine's side: the CLI process (load) or the benchmark's own (baseline). */
  clientCpuMs: number[];
  /** CPU time of the PostgreSQL backend that did the work, when the server runs here. */
  serverCpuMs: number[];
  /** The 1-minute load average just before each run: how busy the machine was. */
  loadAverage: number[];
  /** Baselines only: the COPY part, the transform part, and the transform per star table. */
  copyMs: number[];
  transformMs: number[];
  transformByTable: Record<string, number>[];
  counts: StarCounts[];
}

export interface SizeResult extends BenchSize {
  sourceBytes: number;
  variants: Partial<Record<VariantName, VariantRuns>>;
  ratios: {
    /** median(load) / median(COPY baseline), both into PostgreSQL. */
    loadVsCopyPostgres: number | undefined;
    loadVsCopyEmbedded: number | undefined;
    /** median(load into PGlite) / median(load into PostgreSQL). */
    embeddedVsPostgres: number | undefined;
  };
}

/** `sql "SELECT 1"` on the embedded target: on an empty folder (the warehouse is created) and on an existing one. */
export interface EmbeddedOpenResult {
  firstWallMs: number[];
  firstPeakRssBytes: number[];
  laterWallMs: number[];
  laterPeakRssBytes: number[];
  loadAverage: number[];
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  postgres: string;
  platform: string;
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  repeat: number;
  sizes: SizeResult[];
  embeddedOpen: EmbeddedOpenResult | undefined;
  startup: StartupSamples | undefined;
  /** 1-minute load average at the start and at the end of the run. */
  loadAverage: { start: number; end: number };
}
