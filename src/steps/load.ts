/**
 * `load`: source → staging → star schema, in ONE transaction, so an interrupted or failed load
 * leaves the tables exactly as they were and a rerun gives the same tables (never duplicates).
 * Local targets stream the files through the database's own COPY; Redshift COPYs from S3.
 */
import { dirname, join, resolve } from 'node:path';
import type { Context } from '../context.js';
import { ConfigError, InterruptedError, UserError } from '../errors.js';
import { readEvents } from '../source/events.js';
import { readSongs } from '../source/songs.js';
import type { EventRecord, RejectedRecord, SongRecord } from '../source/types.js';
import { copyEventsFromS3Sql, copySongsFromS3Sql, loadErrorsSql } from '../sql/copy.js';
import { STAGING_EVENTS_COLUMNS, STAGING_SONGS_COLUMNS } from '../sql/tables.js';
import { clearStagingSql, clearStarSql, insertStarSql } from '../sql/transform.js';
import { rowCountsSql } from '../sql/status.js';
import { formatCount, formatDuration, formatRate } from '../ui/format.js';
import { encodeCopyRow } from '../warehouse/copy-format.js';
import type { Transaction, Warehouse } from '../warehouse/types.js';
import { displayPath } from './config.js';
import { isLoaded, readWarehouseState, requireTables } from './state.js';
import type { MenuStep, StatusSnapshot, StepResult, StepStatus } from './types.js';

export interface LoadOptions {
  /** Redshift: load only song_data under this sub-prefix (a quick first run). */
  songPrefix?: string | undefined;
  /** Local targets: read these folders instead of [LOCAL] (the demo's generated data). */
  folders?: { songData: string; logData: string } | undefined;
}

/** How many rejected records are listed; all of them are counted. */
const REJECTS_LISTED = 10;
/** Spinner text is refreshed at most this often while rows stream. */
const PROGRESS_EVERY_MS = 100;
/**
 * COPY text is handed to the database in chunks of about this many characters. Smaller chunks
 * (and smaller event batches, below) die young in V8's nursery instead of being promoted, which
 * keeps the heap of a long load small; much smaller ones only add round trips.
 */
const CHUNK_CHARS = 128 * 1024;
/** Events per batch from the reader: see CHUNK_CHARS. */
const EVENT_BATCH_SIZE = 1000;

export async function runLoad(ctx: Context, options: LoadOptions = {}): Promise<StepResult> {
  // Settings first: a missing ARN or S3 prefix is said at once, not after connecting to the cluster.
  const s3Plan = ctx.target() === 'redshift' ? s3LoadPlan(ctx, options) : undefined;
  const warehouse = await ctx.warehouse();
  requireTables(await readWarehouseState(ctx));
  const started = ctx.clock.now();
  const counts =
    warehouse.dialect === 'redshift'
      ? await loadFromS3(ctx, warehouse, s3Plan ?? s3LoadPlan(ctx, options))
      : await loadFromFolders(ctx, warehouse, options.folders);
  const took = formatDuration(ctx.clock.now() - started);
  if (counts.rejected.length > 0 || counts.rejectedTotal > 0) {
    ctx.ui.table(
      counts.rejected.map((r) => ({ file: r.file, line: r.line, reason: r.reason })),
      {
        title: `Rejected records (first ${Math.min(REJECTS_LISTED, counts.rejectedTotal)} of ${formatCount(counts.rejectedTotal)})`,
      },
    );
    const first = counts.rejected[0];
    ctx.ui.error(
      `load finished with ${formatCount(counts.rejectedTotal)} rejected record${counts.rejectedTotal === 1 ? '' : 's'}` +
        (first ? ` (first: ${first.file} line ${first.line}: ${first.reason})` : '') +
        '; every good record was loaded',
    );
    return { ok: false, summary: `loaded with ${formatCount(counts.rejectedTotal)} rejected records in ${took}` };
  }
  const summary = `${formatCount(counts.songplays)} songplays from ${formatCount(counts.events)} events and ${formatCount(counts.songs)} songs in ${took}`;
  ctx.ui.success(`Loaded ${summary}`);
  return { ok: true, summary };
}

interface LoadCounts {
  songs: number;
  events: number;
  songplays: number;
  rejected: RejectedRecord[];
  rejectedTotal: number;
}

async function loadFromFolders(
  ctx: Context,
  warehouse: Warehouse,
  folders: LoadOptions['folders'],
): Promise<LoadCounts> {
  const local = folders ?? ctx.config.values().local;
  const base = dirname(ctx.config.path);
  const rejected: RejectedRecord[] = [];
  let rejectedTotal = 0;
  // Rejections name the file as the user knows it: under the folder named in dwh.cfg.
  const rejectUnder =
    (displayDir: string) =>
    (record: RejectedRecord): void => {
      rejectedTotal += 1;
      if (rejected.length < REJECTS_LISTED) rejected.push({ ...record, file: join(displayDir, record.file) });
    };
  const songShown = displayPath(ctx, resolve(base, local.songData));
  const logShown = displayPath(ctx, resolve(base, local.logData));
  const songSource = {
    dir: resolve(base, local.songData),
    options: {
      label: '[LOCAL] SONG_DATA',
      displayDir: songShown,
      onReject: rejectUnder(songShown),
      signal: ctx.signal,
    },
  };
  const eventSource = {
    dir: resolve(base, local.logData),
    options: {
      label: '[LOCAL] LOG_DATA',
      displayDir: logShown,
      onReject: rejectUnder(logShown),
      signal: ctx.signal,
      batchSize: EVENT_BATCH_SIZE,
    },
  };

  const result = await warehouse.transaction(async (tx) => {
    for (const statement of clearStagingSql(warehouse.dialect)) await tx.query(statement);
    const songs = await copyStaging(
      ctx,
      tx,
      'staging_songs',
      STAGING_SONGS_COLUMNS,
      readSongs(songSource.dir, songSource.options),
      songRow,
    );
    const events = await copyStaging(
      ctx,
      tx,
      'staging_events',
      STAGING_EVENTS_COLUMNS,
      readEvents(eventSource.dir, eventSource.options),
      eventRow,
    );
    const songplays = await transformStar(ctx, tx, warehouse);
    return { songs, events, songplays };
  });
  return { ...result, rejected, rejectedTotal };
}

/** Stream one source into one staging table through COPY, with a live row count. */
async function copyStaging<R>(
  ctx: Context,
  tx: Transaction,
  table: string,
  columns: readonly string[],
  batches: AsyncIterable<R[]>,
  toRow: (record: R) => unknown[],
): Promise<number> {
  const spinner = ctx.ui.spinner(`${table}: reading…`);
  const started = ctx.clock.now();
  let rows = 0;
  let lastShown = 0;
  async function* copyText(): AsyncGenerator<string> {
    let chunk = '';
    for await (const batch of batches) {
      if (ctx.signal.aborted) throw new InterruptedError();
      for (const record of batch) {
        chunk += encodeCopyRow(toRow(record) as Parameters<typeof encodeCopyRow>[0]);
        if (chunk.length >= CHUNK_CHARS) {
          yield chunk;
          chunk = '';
        }
      }
      rows += batch.length;
      const now = ctx.clock.now();
      if (now - lastShown >= PROGRESS_EVERY_MS) {
        lastShown = now;
        spinner.update(`${table}: ${formatCount(rows)} rows (${formatRate(rows, now - started)})`);
      }
    }
    if (chunk.length > 0) yield chunk;
  }
  try {
    const copied = await tx.copyIn(table, columns, copyText());
    const took = ctx.clock.now() - started;
    spinner.succeed(`${table}: ${formatCount(copied)} rows in ${formatDuration(took)} (${formatRate(copied, took)})`);
    return copied;
  } catch (error) {
    spinner.fail(`${table}: load stopped; the tables are as they were before the load`);
    throw error;
  }
}

/** Staging → star schema: clear and rebuild every star table, reporting each. */
async function transformStar(ctx: Context, tx: Transaction, warehouse: Warehouse): Promise<number> {
  for (const statement of clearStarSql(warehouse.dialect)) await tx.query(statement);
  let songplays = 0;
  for (const step of insertStarSql(warehouse.dialect)) {
    if (ctx.signal.aborted) throw new InterruptedError();
    const spinner = ctx.ui.spinner(`${step.table}: transforming…`);
    const started = ctx.clock.now();
    try {
      const result = await tx.query(step.sql);
      const inserted = result.rowCount;
      if (step.table === 'songplays') songplays = inserted;
      spinner.succeed(`${step.table}: ${formatCount(inserted)} rows in ${formatDuration(ctx.clock.now() - started)}`);
    } catch (error) {
      spinner.fail(`${step.table}: transform failed; the tables are as they were before the load`);
      throw error;
    }
  }
  return songplays;
}

function songRow(song: SongRecord): unknown[] {
  // Order: STAGING_SONGS_COLUMNS.
  return [
    song.numSongs,
    song.artistId,
    song.artistLatitude,
    song.artistLongitude,
    song.artistLocation,
    song.artistName,
    song.songId,
    song.title,
    song.duration,
    song.year,
  ];
}

function eventRow(event: EventRecord): unknown[] {
  // Order: STAGING_EVENTS_COLUMNS.
  return [
    event.artist,
    event.auth,
    event.firstName,
    event.gender,
    event.itemInSession,
    event.lastName,
    event.length,
    event.level,
    event.location,
    event.method,
    event.page,
    event.registration,
    event.sessionId,
    event.song,
    event.status,
    event.ts,
    event.userAgent,
    event.userId,
  ];
}

// ---------------------------------------------------------------------------------------------
// Redshift: COPY from S3 with the cluster's IAM role.

interface S3LoadPlan {
  songData: string;
  logData: string;
  statements: { songs: string; events: string };
}

/** The COPY statements from [S3] and [IAM_ROLE], or a ConfigError naming what is missing. */
function s3LoadPlan(ctx: Context, options: LoadOptions): S3LoadPlan {
  const config = ctx.config.values();
  const file = ctx.config.displayPath;
  const need = (value: string | undefined, section: string, key: string, hint: string): string => {
    if (!value) throw new ConfigError(file, section, key, 'is not set', hint);
    return value;
  };
  const logData = need(config.s3.logData, 'S3', 'LOG_DATA', 'set it to the s3:// prefix of the event logs');
  const jsonPaths = need(config.s3.logJsonPath, 'S3', 'LOG_JSONPATH', 'set it to the s3:// URL of the JSONPaths file');
  let songData = need(config.s3.songData, 'S3', 'SONG_DATA', 'set it to the s3:// prefix of the song files');
  const roleArn = need(
    config.iamRole.arn,
    'IAM_ROLE',
    'ARN',
    'run `sparkify-dwh cluster create` to create the role and write its ARN',
  );
  const region = config.aws.region ?? 'us-west-2';
  if (options.songPrefix) {
    const prefix = options.songPrefix.replace(/^\/+/, '');
    if (!/^[A-Za-z0-9/_.-]+$/.test(prefix))
      throw new UserError(`--song-prefix "${prefix}" may contain only letters, digits, / _ . -`, { exitCode: 2 });
    songData = `${songData.replace(/\/+$/, '')}/${prefix}`;
  }
  const statements = {
    songs: sqlOrConfigError(() => copySongsFromS3Sql({ s3Url: songData, iamRoleArn: roleArn, region }), file),
    events: sqlOrConfigError(
      () => copyEventsFromS3Sql({ s3Url: logData, jsonPathsUrl: jsonPaths, iamRoleArn: roleArn, region }),
      file,
    ),
  };
  return { songData, logData, statements };
}

async function loadFromS3(ctx: Context, warehouse: Warehouse, plan: S3LoadPlan): Promise<LoadCounts> {
  const { songData, logData, statements } = plan;
  let failedTable: string | undefined;
  try {
    const result = await warehouse.transaction(async (tx) => {
      for (const statement of clearStagingSql(warehouse.dialect)) await tx.query(statement);
      failedTable = 'staging_songs';
      const songs = await copyFromS3(ctx, tx, 'staging_songs', songData, statements.songs);
      failedTable = 'staging_events';
      const events = await copyFromS3(ctx, tx, 'staging_events', logData, statements.events);
      failedTable = undefined;
      const songplays = await transformStar(ctx, tx, warehouse);
      return { songs, events, songplays };
    });
    return { ...result, rejected: [], rejectedTotal: 0 };
  } catch (error) {
    if (failedTable && !(error instanceof InterruptedError))
      await explainCopyFailure(ctx, warehouse, failedTable, error);
    throw error;
  }
}

function sqlOrConfigError(render: () => string, file: string): string {
  try {
    return render();
  } catch (error) {
    throw new ConfigError(file, 'S3', undefined, error instanceof Error ? error.message : String(error));
  }
}

async function copyFromS3(ctx: Context, tx: Transaction, table: string, from: string, sql: string): Promise<number> {
  const spinner = ctx.ui.spinner(`${table}: COPY from ${from}`);
  const started = ctx.clock.now();
  const ticker = setInterval(
    () => spinner.update(`${table}: COPY from ${from} (${formatDuration(ctx.clock.now() - started)})`),
    1000,
  );
  try {
    await tx.query(sql);
    const counted = await tx.query<{ table_name: string; row_count: number | string }>(rowCountsSql([table]));
    const rows = Number(counted.rows[0]?.row_count ?? 0);
    spinner.succeed(`${table}: ${formatCount(rows)} rows in ${formatDuration(ctx.clock.now() - started)}`);
    return rows;
  } catch (error) {
    spinner.fail(`${table}: COPY failed; the tables are as they were before the load`);
    throw error;
  } finally {
    clearInterval(ticker);
  }
}

/** Replace Redshift's "check stl_load_errors" with the rows of stl_load_errors themselves. */
async function explainCopyFailure(ctx: Context, warehouse: Warehouse, table: string, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  if (!/stl_load_errors/i.test(message)) return;
  try {
    const errors = await warehouse.query(loadErrorsSql());
    if (errors.rows.length === 0) return;
    ctx.ui.table(errors.rows as Array<Record<string, string | number | null>>, {
      title: `Why the COPY into ${table} failed (stl_load_errors)`,
    });
  } catch {
    // The original COPY error is what matters; it is reported by the caller.
  }
}

export async function loadStatus(_ctx: Context, snapshot: StatusSnapshot): Promise<StepStatus> {
  const state = await snapshot.warehouse();
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
  run: (ctx) => runLoad(ctx),
};
