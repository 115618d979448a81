/**
 * The load's main thread makes a lot of short-lived garbage (COPY text, ~1 GB for a million
 * events) but keeps little alive. V8 grows its young generation with the allocation rate, up to
 * 16 MB per semi-space (~48 MB with the survivor space), and keeps it at that size: memory the
 * load never needs at once. Keeping the young generation near its start-up size (1–2 MB) made a 1M-event
 * embedded load peak at 284–288 MB instead of 346–374 MB, and a 300k-event load → PostgreSQL at
 * ~112 MB instead of ~158 MB, with the same or less CPU time (docs/performance.md).
 *
 * V8 reads this growth factor each time it considers growing the young generation, so setting it
 * after start-up takes effect (the maximum semi-space size, by contrast, is fixed at start-up and
 * would need a command-line flag). It is process-wide: PGlite's worker thread gets it too, which
 * measured no worse.
 */
import v8 from 'node:v8';

/** V8's flag: a factor of 1 keeps the young generation from growing with the allocation rate. */
export const NO_YOUNG_GENERATION_GROWTH = '--semi-space-growth-factor=1';

let set = false;

/** From now on, the young generation of every V8 heap in this process stays small. */
export function keepYoungGenerationSmall(): void {
  if (set) return;
  v8.setFlagsFromString(NO_YOUNG_GENERATION_GROWTH);
  set = true;
}
