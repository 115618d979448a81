/**
 * The S3 loader (Redshift): the warehouse COPYs the files from S3 with the cluster's IAM role,
 * then rebuilds the star schema, all as one batch, so a failed or interrupted load changes
 * nothing. The settings are checked and the COPY statements rendered before connecting.
 */
import type { DwhConfig } from '../config/types.js';
import { ConfigError, InterruptedError } from '../errors.js';
import { copyEventsFromS3Sql, copySongsFromS3Sql } from '../sql/copy.js';
import { rowCountsSql } from '../sql/status.js';
import type { StagingTableName } from '../sql/tables.js';
import type { CopyFromS3, CopyLoadState, Warehouse } from '../warehouse/types.js';
import { clearStagingStatements, rebuildStarStatements, StatementProgress, type LoadStatement } from './statements.js';
import { recordS3LoadStatements } from './history.js';
import { checkSongPrefix } from './song-prefix.js';
import type { LoadResult, LoadRun, S3CopySummary } from './types.js';

export interface S3LoadPlan {
  songData: string;
  logData: string;
  copySongsSql: string;
  copyEventsSql: string;
}

/**
 * The COPY statements from [S3] (REGION included) and [IAM_ROLE], or a ConfigError naming what is
 * missing or malformed. `songPrefix` narrows song_data to a sub-prefix (a quick first run).
 */
export function s3LoadPlan(config: DwhConfig, configDisplayPath: string, songPrefix?: string): S3LoadPlan {
  const need = (value: string | undefined, section: string, key: string, hint: string): string => {
    if (!value) throw new ConfigError(configDisplayPath, section, key, 'is not set', hint);
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
  // The bucket's region ([S3] REGION, us-west-2 for s3://udacity-dend), not the cluster's: COPY from a
  // bucket elsewhere fails with "must be addressed using the specified endpoint" unless REGION names it.
  const region = config.s3.region;
  if (songPrefix) songData = `${songData.replace(/\/+$/, '')}/${checkSongPrefix(songPrefix)}`;
  const rendered = (render: () => string): string => {
    try {
      return render();
    } catch (error) {
      throw new ConfigError(configDisplayPath, 'S3', undefined, error instanceof Error ? error.message : String(error));
    }
  };
  return {
    songData,
    logData,
    copySongsSql: rendered(() => copySongsFromS3Sql({ s3Url: songData, iamRoleArn: roleArn, region })),
    copyEventsSql: rendered(() =>
      copyEventsFromS3Sql({ s3Url: logData, jsonPathsUrl: jsonPaths, iamRoleArn: roleArn, region }),
    ),
  };
}

/** How often a running COPY's progress is asked for (STV_LOAD_STATE changes every million records). */
export const LOAD_STATE_POLL_MS = 2000;

export interface S3LoadOptions {
  /** Between two progress questions while a COPY runs (tests make it short). */
  pollMs?: number;
  now?: () => number;
}

export async function loadFromS3(
  warehouse: Warehouse,
  s3: CopyFromS3,
  plan: S3LoadPlan,
  run: LoadRun,
  options: S3LoadOptions = {},
): Promise<LoadResult> {
  const statements: LoadStatement[] = [
    ...clearStagingStatements(warehouse.dialect),
    { step: 'copy', table: 'staging_songs', from: plan.songData, sql: plan.copySongsSql },
    { step: 'count', table: 'staging_songs', sql: rowCountsSql(['staging_songs']) },
    { step: 'copy', table: 'staging_events', from: plan.logData, sql: plan.copyEventsSql },
    { step: 'count', table: 'staging_events', sql: rowCountsSql(['staging_events']) },
    ...rebuildStarStatements(warehouse.dialect),
    ...recordS3LoadStatements(warehouse.dialect, plan),
  ];
  const progress = new StatementProgress(statements, run.observe);
  const watch = new CopyWatch(statements, s3, run, options);
  try {
    await warehouse.batch(
      statements.map((statement) => statement.sql),
      {
        progress: {
          started: (index) => {
            progress.started(index);
            watch.started(index);
          },
          finished: (index, result) => {
            progress.finished(index, result);
            watch.finished(index, progress.rows);
          },
        },
        signal: run.signal,
      },
    );
  } catch (error) {
    watch.stop();
    const failed = progress.failed();
    if (failed?.step === 'copy' && !(error instanceof InterruptedError)) {
      const errors = await s3.loadErrors(error);
      if (errors !== undefined) run.observe({ kind: 'load-errors', table: failed.table, errors });
    }
    throw error;
  }
  watch.stop();
  return {
    copies: watch.summary,
    songs: progress.rows.get('staging_songs') ?? 0,
    events: progress.rows.get('staging_events') ?? 0,
    songplays: progress.rows.get('songplays') ?? 0,
    rejected: [],
    rejectedTotal: 0,
  };
}

/**
 * While a COPY from S3 runs, asks the warehouse (on its second session) what it has loaded so far,
 * and tells it as `copy-load-state` events; keeps each COPY's files and time for the summary.
 */
class CopyWatch {
  readonly summary: S3CopySummary[] = [];
  private timer: NodeJS.Timeout | undefined;
  private current: { table: StagingTableName; started: number; files: number | undefined } | undefined;
  private readonly now: () => number;

  constructor(
    private readonly statements: readonly LoadStatement[],
    private readonly s3: CopyFromS3,
    private readonly run: LoadRun,
    private readonly options: S3LoadOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  started(index: number): void {
    const statement = this.statements[index];
    if (statement?.step !== 'copy') return;
    this.stop();
    const current = { table: statement.table, started: this.now(), files: undefined as number | undefined };
    this.current = current;
    if (this.s3.loadState === undefined) return;
    let asking = false;
    this.timer = setInterval(() => {
      if (asking) return; // a slow answer is not asked again on top of itself
      asking = true;
      void this.ask(current).finally(() => (asking = false));
    }, this.options.pollMs ?? LOAD_STATE_POLL_MS);
  }

  /** The COPY's count statement ends it: its rows are known. */
  finished(index: number, rows: ReadonlyMap<string, number>): void {
    const statement = this.statements[index];
    if (statement?.step === 'copy') this.stop();
    if (statement?.step !== 'count' || this.current?.table !== statement.table) return;
    const { table, started, files } = this.current;
    this.summary.push({ table, rows: rows.get(table) ?? 0, files, ms: this.now() - started });
    this.current = undefined;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async ask(current: { table: StagingTableName; started: number; files: number | undefined }): Promise<void> {
    let state: CopyLoadState | undefined;
    try {
      state = await this.s3.loadState?.();
    } catch {
      return; // progress is a courtesy: a failed question never fails the load
    }
    if (state === undefined || this.current !== current || this.timer === undefined) return;
    if (state.files > 0) current.files = state.files;
    this.run.observe({ kind: 'copy-load-state', table: current.table, state, elapsedMs: this.now() - current.started });
  }
}
