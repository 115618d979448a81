/**
 * The S3 loader (Redshift): the warehouse COPYs the files from S3 with the cluster's IAM role,
 * then rebuilds the star schema, all as one batch, so a failed or interrupted load changes
 * nothing. The settings are checked and the COPY statements rendered before connecting.
 */
import type { DwhConfig } from '../config/types.js';
import { ConfigError, InterruptedError } from '../errors.js';
import { copyEventsFromS3Sql, copySongsFromS3Sql } from '../sql/copy.js';
import { rowCountsSql } from '../sql/status.js';
import type { CopyFromS3, Warehouse } from '../warehouse/types.js';
import { clearStagingStatements, rebuildStarStatements, StatementProgress, type LoadStatement } from './statements.js';
import { recordS3LoadStatements } from './history.js';
import { checkSongPrefix } from './song-prefix.js';
import type { LoadResult, LoadRun } from './types.js';

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

export async function loadFromS3(
  warehouse: Warehouse,
  s3: CopyFromS3,
  plan: S3LoadPlan,
  run: LoadRun,
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
  try {
    await warehouse.batch(
      statements.map((statement) => statement.sql),
      { progress, signal: run.signal },
    );
  } catch (error) {
    const failed = progress.failed();
    if (failed?.step === 'copy' && !(error instanceof InterruptedError)) {
      const errors = await s3.loadErrors(error);
      if (errors !== undefined) run.observe({ kind: 'load-errors', table: failed.table, errors });
    }
    throw error;
  }
  return {
    songs: progress.rows.get('staging_songs') ?? 0,
    events: progress.rows.get('staging_events') ?? 0,
    songplays: progress.rows.get('songplays') ?? 0,
    rejected: [],
    rejectedTotal: 0,
  };
}
