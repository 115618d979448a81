/**
 * The benchmark's result shapes, shared by the runner (run.ts) and the report (report.ts) so that
 * neither imports the other.
 */
import type { StartupSamples } from './startup.js';
import type { StarCounts } from './variants.js';

export type VariantName = 'loadPostgres' | 'baselinePostgres' | 'loadEmbedded' | 'baselineEmbedded';

export interface VariantRuns {
  wallMs: number[];
  peakRssBytes: number[];
  /** Baselines only: the COPY part, the transform part, and the transform per star table. */
  copyMs: number[];
  transformMs: number[];
  transformByTable: Record<string, number>[];
  counts: StarCounts[];
}

export interface SizeResult {
  events: number;
  songs: number;
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
  machine: MachineInfo;
  repeat: number;
  sizes: SizeResult[];
  startup: StartupSamples | undefined;
}
