/**
 * Redshift COPY from S3 into the staging tables, and the query that explains a failed COPY.
 *
 * COPY accepts no bind parameters, so the S3 URLs, role ARN and region are spliced into the text.
 * Each is checked with the same validator that reads it from dwh.cfg and then quoted; a bad value
 * throws a plain Error that names which value it is (callers turn it into a ConfigError). The role
 * may also be the one a dry run planned, whose account is "(known after apply)".
 */
import {
  validatePlannedIamRoleArn,
  validateRegion,
  validateS3ObjectUrl,
  validateS3Url,
  type Validation,
} from '../config/validate.js';
import { quoteLiteral } from './identifiers.js';
import { STAGING_EVENTS_COLUMNS, STAGING_SONGS_COLUMNS } from './tables.js';

export interface CopySongsFromS3Options {
  /** Prefix of the song files, e.g. s3://udacity-dend/song_data (read recursively). */
  s3Url: string;
  /** The cluster's IAM role, which must be allowed to read the bucket. */
  iamRoleArn: string;
  /** Region of the bucket (COPY defaults to the cluster's own region otherwise). */
  region: string;
}

export interface CopyEventsFromS3Options extends CopySongsFromS3Options {
  /** The JSONPaths file mapping the camelCase log keys onto STAGING_EVENTS_COLUMNS, in order. */
  jsonPathsUrl: string;
}

/**
 * The value, if `validate` accepts it; otherwise an Error naming which value it is. The validators
 * are dwh.cfg's own, so a value that reads fine from the file is never refused here.
 */
function checked(value: string, validate: (value: string) => Validation, kind: string): string {
  const problem = validate(value);
  if (problem !== true) throw new Error(`${kind}: ${problem}`);
  return value;
}

// Options shared by both COPYs, and why:
// - no TIMEFORMAT: ts is loaded as the BIGINT of epoch milliseconds and converted in SQL.
// - no EMPTYASNULL / BLANKSASNULL: staging keeps records as the source has them (userId "" marks
//   a logged-out visitor, location "" an unknown place); the transform decides what "" means.
// - no TRUNCATECOLUMNS, MAXERROR 0 (the default): a value that does not fit fails the load loudly
//   (and loadErrorsSql() says where) instead of being cut short or skipped silently.
// - COMPUPDATE OFF: staging is emptied and refilled on every load; analysing compression each
//   time costs minutes and buys nothing for a table that is read once.
// - STATUPDATE ON: fresh statistics let the planner size the staging → star joins right.
const STAGING_COPY_OPTIONS = ['COMPUPDATE OFF', 'STATUPDATE ON'];

export function copyEventsFromS3Sql(options: CopyEventsFromS3Options): string {
  const source = quoteLiteral(checked(options.s3Url, validateS3Url, 'the S3 URL for the event logs'));
  const jsonPaths = quoteLiteral(
    checked(options.jsonPathsUrl, validateS3ObjectUrl, 'the S3 URL for the JSONPaths file'),
  );
  const role = quoteLiteral(checked(options.iamRoleArn, validatePlannedIamRoleArn, 'the IAM role'));
  const region = quoteLiteral(checked(options.region, validateRegion, "the bucket's region"));
  return [
    `COPY staging_events (${STAGING_EVENTS_COLUMNS.join(', ')})`,
    `FROM ${source}`,
    `IAM_ROLE ${role}`,
    // The log keys are camelCase (firstName, userId …): the JSONPaths file maps them in column order.
    `FORMAT AS JSON ${jsonPaths}`,
    `REGION ${region}`,
    ...STAGING_COPY_OPTIONS,
  ].join('\n');
}

export function copySongsFromS3Sql(options: CopySongsFromS3Options): string {
  const source = quoteLiteral(checked(options.s3Url, validateS3Url, 'the S3 URL for the song data'));
  const role = quoteLiteral(checked(options.iamRoleArn, validatePlannedIamRoleArn, 'the IAM role'));
  const region = quoteLiteral(checked(options.region, validateRegion, "the bucket's region"));
  return [
    `COPY staging_songs (${STAGING_SONGS_COLUMNS.join(', ')})`,
    `FROM ${source}`,
    `IAM_ROLE ${role}`,
    // The song files' keys are already the column names.
    `FORMAT AS JSON 'auto'`,
    `REGION ${region}`,
    ...STAGING_COPY_OPTIONS,
  ].join('\n');
}

/** One rejected field of a failed COPY, as loadErrorsSql() reads it. */
export interface LoadErrorRow {
  filename: string;
  line_number: number;
  colname: string;
  raw_field_value: string;
  err_reason: string;
}

/**
 * Why the last COPY of this session failed: the first 20 rejected fields, by file and line.
 *
 * By session, not pg_last_copy_id(): the loader runs its COPYs in one transaction, and "if the COPY
 * transaction is rolled back, the COPY ID is not updated"
 * (docs.aws.amazon.com/redshift/latest/dg/PG_LAST_COPY_ID.html), so after a failed load it still
 * names an older COPY, or -1. STL_LOAD_ERRORS is a log, kept whatever the transaction does; its
 * `session` is the process ID of the session that loaded (pg_backend_pid() in that session) and
 * `query` grows with each statement, so this session's latest COPY with errors is its largest
 * query ID there (docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html). The system table
 * pads its CHAR columns with blanks, hence the TRIMs.
 */
export function loadErrorsSql(): string {
  return `SELECT
  TRIM(filename) AS filename,
  line_number,
  TRIM(colname) AS colname,
  TRIM(raw_field_value) AS raw_field_value,
  TRIM(err_reason) AS err_reason
FROM stl_load_errors
WHERE session = pg_backend_pid()
  AND query = (SELECT MAX(query) FROM stl_load_errors WHERE session = pg_backend_pid())
ORDER BY filename, line_number, colname
LIMIT 20`;
}

/**
 * Why the COPY with Redshift query id `queryId` failed, from SYS_LOAD_ERROR_DETAIL: for channels
 * without a session of their own (the Data API, Serverless), where pg_last_copy_id() means nothing.
 * The view records no raw field value, so that column is empty; its CHAR columns are blank-padded.
 * https://docs.aws.amazon.com/redshift/latest/dg/SYS_LOAD_ERROR_DETAIL.html
 */
export function loadErrorDetailSql(queryId: number): string {
  if (!Number.isSafeInteger(queryId) || queryId < 0) throw new Error(`not a Redshift query id: ${queryId}`);
  return `SELECT
  TRIM(file_name) AS filename,
  line_number,
  TRIM(column_name) AS colname,
  '' AS raw_field_value,
  TRIM(error_message) AS err_reason
FROM sys_load_error_detail
WHERE query_id = ${queryId}
ORDER BY filename, line_number, colname
LIMIT 20`;
}
