/**
 * Reading and writing the load history (LOAD_HISTORY in tables.ts): what a load records about its
 * source, in its own transaction, and what the steps read back before they replace the tables.
 */
import { forDialect, type Dialect, type Renderings } from './dialect.js';
import { quoteLiteral } from './identifiers.js';
import { LOAD_HISTORY_TABLE, tableSql, type StagingTableName, type StarTableName } from './tables.js';

/** Where a load read its data: the demo's own generated files, files on this machine, or S3. */
export type SourceKind = 'demo' | 'local' | 's3';

/** The counts a load knows once it is done (the local loaders); otherwise they are counted in SQL. */
export interface LoadCounts {
  songs: number;
  events: number;
  songplays: number;
}

// UTC at the start of the load's transaction, on both dialects. Redshift's SYSDATE is "the start
// date and time for the current transaction", in the session time zone, UTC by default
// (https://docs.aws.amazon.com/redshift/latest/dg/r_SYSDATE.html).
const LOADED_AT: Renderings<string> = {
  default: "CURRENT_TIMESTAMP AT TIME ZONE 'UTC'",
  redshift: 'SYSDATE',
};

const COLUMNS = [
  'load_number',
  'source_kind',
  'song_data',
  'log_data',
  'loaded_at',
  'staging_songs',
  'staging_events',
  'songplays',
] as const;

function insertSql(dialect: Dialect, texts: readonly [string, string, string], counts: LoadCounts | undefined): string {
  const history = tableSql(LOAD_HISTORY_TABLE);
  const joins: string[] = [`FROM (SELECT COALESCE(MAX(load_number), 0) AS n FROM ${history}) previous`];
  const count = (table: StagingTableName | StarTableName, alias: string, known: number | undefined): string => {
    if (known !== undefined) return String(Math.trunc(known));
    joins.push(`CROSS JOIN (SELECT COUNT(*) AS n FROM ${tableSql(table)}) ${alias}`);
    return `${alias}.n`;
  };
  const values = [
    'previous.n + 1',
    ...texts,
    forDialect(dialect, LOADED_AT),
    count('staging_songs', 'songs', counts?.songs),
    count('staging_events', 'events', counts?.events),
    count('songplays', 'plays', counts?.songplays),
  ];
  return `INSERT INTO ${history} (${COLUMNS.join(', ')})
SELECT ${values.join(', ')}
${joins.join('\n')}`;
}

/**
 * Records a load, to run as the last statement of its transaction. The source kind and the two
 * paths are bind parameters $1, $2, $3 (a folder may hold any character); `counts` as known.
 */
export function recordLoadSql(dialect: Dialect, counts: LoadCounts): string {
  return insertSql(dialect, ['$1', '$2', '$3'], counts);
}

/**
 * The same, for a batch that takes no parameters (Redshift's load from S3): the S3 prefixes are
 * quoted in, and the rows are counted in the same transaction, after the COPYs and transforms.
 */
export function recordS3LoadSql(dialect: Dialect, source: { songData: string; logData: string }): string {
  return insertSql(
    dialect,
    [quoteLiteral('s3'), quoteLiteral(source.songData), quoteLiteral(source.logData)],
    undefined,
  );
}

/** One row, `n`: 1 when the load history exists in the current schema, else 0. */
export function loadHistoryExistsSql(): string {
  return `SELECT COUNT(*) AS n
FROM information_schema.tables
WHERE table_schema = current_schema()
  AND table_name = ${quoteLiteral(LOAD_HISTORY_TABLE)}`;
}

/** The newest load: what the tables hold now. No row when nothing was loaded since they were made. */
export function latestLoadSql(): string {
  return `SELECT ${COLUMNS.join(', ')}
FROM ${tableSql(LOAD_HISTORY_TABLE)}
ORDER BY load_number DESC
LIMIT 1`;
}
