/**
 * Redshift COPY from S3 into the staging tables, and the query that explains a failed COPY.
 *
 * COPY accepts no bind parameters, so the S3 URLs, role ARN and region are spliced into the text.
 * Each is checked against the shape it must have and then quoted; a bad value throws a plain Error
 * that names which kind of value it is (callers turn it into a ConfigError naming the cfg key).
 */
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

// Bucket names: 3–63 characters of lower-case letters, digits, dots and hyphens, starting and
// ending with a letter or digit. Keys may hold almost anything; we refuse only characters that
// cannot be written portably in a literal (checked by quoteLiteral) or are invisible.
const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/[^\s\u0000-\u001f\u007f]*)?$/;
// arn:<partition>:iam::<12-digit account>:role/<optional path/>name
const IAM_ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
// us-west-2, eu-central-1, us-gov-west-1, cn-north-1, ap-southeast-4 …
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function validateS3Url(value: string, kind = 'S3 URL'): string {
  if (!S3_URL.test(value))
    throw new Error(`not a valid ${kind} (expected s3://bucket/prefix): ${JSON.stringify(value)}`);
  return value;
}

/** An S3 URL that names one object (the JSONPaths file), not just a bucket. */
export function validateS3ObjectUrl(value: string, kind = 'S3 object URL'): string {
  validateS3Url(value, kind);
  const match = S3_URL.exec(value);
  const key = match?.[2] ?? '';
  if (key.length <= 1 || key.endsWith('/'))
    throw new Error(`not a valid ${kind} (expected s3://bucket/path/file.json): ${JSON.stringify(value)}`);
  return value;
}

export function validateIamRoleArn(value: string): string {
  if (!IAM_ROLE_ARN.test(value)) {
    throw new Error(
      `not a valid IAM role ARN (expected arn:aws:iam::123456789012:role/name): ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function validateRegion(value: string): string {
  if (!REGION.test(value))
    throw new Error(`not a valid AWS region (expected a name such as us-west-2): ${JSON.stringify(value)}`);
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
  const source = quoteLiteral(validateS3Url(options.s3Url, 'S3 URL for the event logs'));
  const jsonPaths = quoteLiteral(validateS3ObjectUrl(options.jsonPathsUrl, 'S3 URL for the JSONPaths file'));
  const role = quoteLiteral(validateIamRoleArn(options.iamRoleArn));
  const region = quoteLiteral(validateRegion(options.region));
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
  const source = quoteLiteral(validateS3Url(options.s3Url, 'S3 URL for the song data'));
  const role = quoteLiteral(validateIamRoleArn(options.iamRoleArn));
  const region = quoteLiteral(validateRegion(options.region));
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
 * The system table pads its CHAR columns with blanks, hence the TRIMs.
 */
export function loadErrorsSql(): string {
  return `SELECT
  TRIM(filename) AS filename,
  line_number,
  TRIM(colname) AS colname,
  TRIM(raw_field_value) AS raw_field_value,
  TRIM(err_reason) AS err_reason
FROM stl_load_errors
WHERE query = pg_last_copy_id()
ORDER BY filename, line_number, colname
LIMIT 20`;
}
