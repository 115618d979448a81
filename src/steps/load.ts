/**
 * `load`: source → staging → star schema, all or nothing. This step only gathers the settings,
 * calls the loader the warehouse can run (src/load) and shows its progress and outcome.
 */
import { dirname, resolve } from 'node:path';
import type { Context } from '../context.js';
import { loadWarehouse } from '../load/load.js';
import type { SourceFolders } from '../load/local.js';
import { s3LoadPlan } from '../load/s3.js';
import { checkSongPrefix, songFolderUnder } from '../load/song-prefix.js';
import { REJECTS_LISTED, type LoadEvent, type LoadResult } from '../load/types.js';
import { formatCount, formatDuration, formatRate } from '../ui/format.js';
import { copyProgressText, copySummaryRows, type LoadStateShown } from '../ui/progress.js';
import type { Cell, Spinner } from '../ui/types.js';
import { stagingSourceOf } from '../warehouse/open.js';
import { withCancel } from '../warehouse/rows.js';
import { lockWatch, type LockWaitDisplay } from './lock-wait.js';
import { displayPath, localDataPresent } from './config.js';
import { offerSampleData } from './sample-data.js';
import { allTablesExist, isLoaded, readWarehouseTables, requireTables } from './state.js';
import type { MenuStep, StatusSnapshot, StepResult, StepStatus } from './types.js';

export interface LoadOptions {
  /** Load only the song files under this sub-prefix of SONG_DATA, in S3 or on disk (a quick first run). */
  songPrefix?: string | undefined;
  /** Local targets: read these folders instead of [LOCAL]: the demo's generated data, recorded as `demo`. */
  folders?: { songData: string; logData: string } | undefined;
  /** No [LOCAL] data under --yes: generate the sample set (the menu and setup) instead of naming what is missing. */
  generateSampleUnattended?: boolean | undefined;
}

export async function runLoad(ctx: Context, options: LoadOptions = {}): Promise<StepResult> {
  // A bad prefix is a usage error, said before anything is opened.
  if (options.songPrefix) checkSongPrefix(options.songPrefix);
  const planS3 = () => s3LoadPlan(ctx.config.values(), ctx.config.displayPath, options.songPrefix);
  // Settings first: a missing ARN or S3 prefix is said at once, not after connecting to the cluster.
  const s3Plan = stagingSourceOf(ctx.target()) === 's3' ? planS3() : undefined;
  const warehouse = await ctx.warehouse();
  // Another session's lock is said, not waited on in silence (lock-wait.ts).
  const locks = lockWatch(ctx, warehouse);
  // Only which tables exist: the load replaces their rows, so counting them first is wasted time.
  requireTables({ tables: await locks.run(() => readWarehouseTables(ctx)) });
  // No [LOCAL] data yet: offer the sample set, as setup does (after the tables, which come first).
  if (s3Plan === undefined && options.folders === undefined) {
    const sample = await offerSampleData(ctx, { generateUnattended: options.generateSampleUnattended === true });
    if (sample === 'stop') return { ok: false, summary: 'no data to load' };
    // A dry run only planned the files, so there is nothing to read yet: the plan ends here.
    if (sample === 'generated' && ctx.options.dryRun === true && !localDataPresent(ctx).present) {
      ctx.ui.print('plan  load: the sample set, once generated, into staging and then the star schema');
      return { ok: true, summary: 'would generate the sample set and load it' };
    }
  }
  const started = ctx.clock.now();
  const view = new LoadView(ctx, locks.display);
  let counts: LoadResult;
  try {
    // Ctrl-C also cancels the statement running on the server (a COPY, a transform, a TRUNCATE
    // waiting for another session's lock), not only the ones after it (docs/safety.md); another
    // session's lock is said, not waited on in silence.
    counts = await locks.run(() =>
      withCancel(warehouse, ctx.signal, () =>
        loadWarehouse(
          warehouse,
          { folders: () => sourceFolders(ctx, options), s3: () => s3Plan ?? planS3() },
          { observe: (event) => view.show(event), signal: ctx.signal },
        ),
      ),
    );
  } finally {
    view.close();
  }
  const took = formatDuration(ctx.clock.now() - started);
  const rejectedTotal = formatCount(counts.rejectedTotal);
  if (counts.rejected.length > 0 || counts.rejectedTotal > 0) {
    const listed = Math.min(REJECTS_LISTED, counts.rejectedTotal);
    ctx.ui.table(
      counts.rejected.map((r) => ({ file: r.file, line: r.line, reason: r.reason })),
      { title: `Rejected records (first ${listed} of ${rejectedTotal})` },
    );
    const first = counts.rejected[0];
    ctx.ui.error(
      `load finished with ${rejectedTotal} rejected record${counts.rejectedTotal === 1 ? '' : 's'}` +
        (first ? ` (first: ${first.file} line ${first.line}: ${first.reason})` : '') +
        '; every good record was loaded',
    );
    return { ok: false, summary: `loaded with ${rejectedTotal} rejected records in ${took}` };
  }
  if (counts.copies !== undefined && counts.copies.length > 0) {
    ctx.ui.table(copySummaryRows(counts.copies), { title: 'COPY from S3' });
  }
  const summary =
    `${formatCount(counts.songplays)} songplays from ${formatCount(counts.events)} events ` +
    `and ${formatCount(counts.songs)} songs in ${took}`;
  ctx.ui.success(`Loaded ${summary}`);
  return { ok: true, summary };
}

/** The folders to read: the demo's, or [LOCAL] resolved against dwh.cfg's folder; songs narrowed by --song-prefix. */
function sourceFolders(ctx: Context, options: LoadOptions): SourceFolders {
  const local = options.folders ?? ctx.config.values().local;
  const base = dirname(ctx.config.path);
  const folder = (path: string, label: string) => {
    const dir = resolve(base, path);
    return { dir, displayDir: displayPath(ctx, dir), label };
  };
  return {
    kind: options.folders === undefined ? 'local' : 'demo',
    songs: songFolderUnder(folder(local.songData, '[LOCAL] SONG_DATA'), options.songPrefix),
    events: folder(local.logData, '[LOCAL] LOG_DATA'),
  };
}

/** Spinner text is refreshed at most this often while rows stream. */
const PROGRESS_EVERY_MS = 100;
/** How often the elapsed time of a COPY from S3 is refreshed. */
const S3_TICK_MS = 1000;

/** What the spinner of the moment says when Ctrl-C stopped the load. */
function interruptedText(table: string): string {
  return `${table}: interrupted; the tables are as they were before the load`;
}

/** Turns load events into one spinner per COPY or transform, and the load-error table. */
class LoadView {
  private current:
    | {
        table: string;
        spinner: Spinner;
        /** The rows stream from this machine (rather than the warehouse reading S3 or transforming). */
        streamed: boolean;
        started: number;
        lastShown: number;
        ticker: NodeJS.Timeout | undefined;
        tick: ((elapsedMs: number) => string) | undefined;
      }
    | undefined;
  /** What the warehouse last reported about the running COPY from S3. */
  private loadState: LoadStateShown | undefined;

  constructor(
    private readonly ctx: Context,
    /** Shows a lock wait in the spinner of the moment. */
    private readonly waits: LockWaitDisplay,
  ) {}

  show(event: LoadEvent): void {
    const { table } = event;
    switch (event.kind) {
      case 'copy-started': {
        const { from } = event;
        if (from === undefined) {
          this.start(table, `${table}: reading…`, { streamed: true });
        } else {
          // The text follows what the warehouse reports so far (copy-load-state), with the time.
          this.loadState = undefined;
          this.start(table, copyProgressText(table, from, 0), {
            tick: (elapsedMs) => copyProgressText(table, from, elapsedMs, this.loadState),
          });
        }
        return;
      }
      case 'copy-load-state': {
        this.loadState = event.state;
        const current = this.current;
        if (current?.tick === undefined) return;
        const text = current.tick(this.ctx.clock.now() - current.started);
        current.spinner.update(text);
        this.waits.followedText(text);
        return;
      }
      case 'copy-progress': {
        const current = this.current;
        const now = this.ctx.clock.now();
        if (current === undefined || now - current.lastShown < PROGRESS_EVERY_MS) return;
        current.lastShown = now;
        const text = `${table}: ${formatCount(event.rows)} rows (${formatRate(event.rows, now - current.started)})`;
        current.spinner.update(text);
        this.waits.followedText(text);
        return;
      }
      case 'copy-finished':
        return this.end('succeed', (took, streamed) =>
          streamed
            ? `${table}: ${formatCount(event.rows)} rows in ${formatDuration(took)} (${formatRate(event.rows, took)})`
            : `${table}: ${formatCount(event.rows)} rows in ${formatDuration(took)}`,
        );
      case 'copy-failed':
        return this.end('fail', () => `${table}: COPY failed; the tables are as they were before the load`);
      case 'load-errors':
        this.ctx.ui.table(event.errors.rows as unknown as Array<Record<string, Cell>>, {
          title: `Why the COPY into ${table} failed (${event.errors.source})`,
        });
        return;
      case 'transform-started':
        return this.start(table, `${table}: transforming…`);
      case 'transform-finished':
        return this.end('succeed', (took) => `${table}: ${formatCount(event.rows)} rows in ${formatDuration(took)}`);
      case 'transform-failed':
        return this.end('fail', () => `${table}: transform failed; the tables are as they were before the load`);
    }
  }

  /**
   * However the load ended: a spinner still running ends as interrupted after Ctrl-C (the
   * step stops before the loader has reported its failed statement), else just stops.
   */
  close(): void {
    const current = this.current;
    this.stop();
    if (this.ctx.signal.aborted) current?.spinner.warn(interruptedText(current.table));
    else current?.spinner.stop();
  }

  /** Clear the S3 ticker. */
  private stop(): void {
    if (this.current?.ticker !== undefined) clearInterval(this.current.ticker);
    this.current = undefined;
    this.waits.unfollow();
  }

  private start(
    table: string,
    text: string,
    options: { streamed?: boolean; tick?: (elapsedMs: number) => string } = {},
  ): void {
    this.stop();
    const { tick } = options;
    const spinner = this.ctx.ui.spinner(text);
    this.waits.follow(spinner, text);
    const started = this.ctx.clock.now();
    const ticker =
      tick === undefined
        ? undefined
        : setInterval(() => spinner.update(tick(this.ctx.clock.now() - started)), S3_TICK_MS);
    this.current = { table, spinner, streamed: options.streamed === true, started, lastShown: 0, ticker, tick };
  }

  private end(how: 'succeed' | 'fail', text: (took: number, streamed: boolean) => string): void {
    const current = this.current;
    if (current === undefined) return;
    this.stop();
    // A statement that fails because of Ctrl-C (cancelled, or refused once it fired) was stopped, not broken.
    if (how === 'fail' && this.ctx.signal.aborted) current.spinner.warn(interruptedText(current.table));
    else current.spinner[how](text(this.ctx.clock.now() - current.started, current.streamed));
  }
}

export async function loadStatus(_ctx: Context, snapshot: StatusSnapshot): Promise<StepStatus> {
  const state = await snapshot.warehouse();
  // Chosen now, it would only say to create the tables: the menu says so before it is chosen.
  if (!allTablesExist(state)) return { state: 'unavailable', detail: 'create tables first' };
  if (!isLoaded(state)) {
    const staged = state.rows.get('staging_events') ?? 0;
    return staged > 0
      ? { state: 'stale', detail: 'staging filled, star schema empty' }
      : { state: 'todo', detail: 'nothing loaded yet' };
  }
  return { state: 'done', detail: `${formatCount(state.rows.get('songplays') ?? 0)} songplays` };
}

export const loadStep: MenuStep = {
  id: 'load',
  title: 'Load data',
  applies: () => true,
  status: loadStatus,
  run: (ctx) => runLoad(ctx, { generateSampleUnattended: true }),
};
