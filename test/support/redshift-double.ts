/** A recording stand-in for a Redshift warehouse: no cluster in tests, the Warehouse interface exactly. */
import { InterruptedError } from '../../src/errors.js';
import { loadErrorsSql } from '../../src/sql/copy.js';
import { existingTablesSql } from '../../src/sql/status.js';
import { ALL_TABLES } from '../../src/sql/tables.js';
import { WarehouseQueryError } from '../../src/warehouse/errors.js';
import type { QueryResult } from '../../src/sql/result.js';
import { stlLoadErrors } from '../../src/warehouse/redshift.js';
import type { Transaction, Warehouse } from '../../src/warehouse/types.js';

const ENDPOINT = 'dwhcluster.abc123xyz.us-west-2.redshift.amazonaws.com';

function result(rows: Record<string, unknown>[] = [], rowCount = rows.length): QueryResult {
  return { rows, fields: Object.keys(rows[0] ?? {}), rowCount };
}

/**
 * Records every statement; COPY into `failOn` fails the way Redshift fails it. Row counts are
 * answered per table named in the count query: 42 for a staging table once a COPY into it ran,
 * and for the star tables once a load with INSERTs committed (0 before), so steps' live status
 * ("loaded?") follows what was run.
 */
export function recordingRedshift(
  failOn?: 'staging_songs' | 'staging_events',
  options: { tablesExist?: boolean } = {},
) {
  const statements: string[] = [];
  // Which of our tables exist: all of them, or (tablesExist: false) those CREATEd so far.
  const tables = new Set<string>(options.tablesExist === false ? [] : ALL_TABLES);
  const outcome = { committed: 0, rolledBack: 0 };
  const copied = new Set<string>();
  let starLoaded = false;
  let insertedInTransaction = false;
  const answer = async (sql: string): Promise<QueryResult> => {
    statements.push(sql);
    if (sql.startsWith('INSERT')) insertedInTransaction = true;
    const copyInto = /^COPY (\w+) /.exec(sql)?.[1];
    if (copyInto && copyInto !== failOn) copied.add(copyInto);
    const created = /^CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?/.exec(sql)?.[1];
    if (created) tables.add(created);
    const dropped = /^DROP TABLE (?:IF EXISTS )?"?(\w+)"?/.exec(sql)?.[1];
    if (dropped) tables.delete(dropped);
    if (sql === existingTablesSql()) return result([...tables].map((table_name) => ({ table_name })));
    if (sql.startsWith('COPY ') && failOn && sql.startsWith(`COPY ${failOn} `)) {
      throw new WarehouseQueryError(
        "Load into table 'staging_events' failed.  Check 'stl_load_errors' system table for details.",
        { code: 'XX000', cause: undefined },
      );
    }
    if (sql === loadErrorsSql()) {
      return result([
        {
          filename: 's3://udacity-dend/log_data/2018/11/2018-11-30-events.json',
          line_number: 17,
          colname: 'ts',
          raw_field_value: '15435x',
          err_reason: 'Invalid digit, Value "x", Pos 5, Type: Long',
        },
      ]);
    }
    if (/count\(\*\)/i.test(sql)) {
      const counted = ALL_TABLES.filter((table) => new RegExp(`FROM "?${table}"?(\\s|$)`).test(sql));
      return result(
        counted.map((table_name) => ({
          table_name,
          row_count: copied.has(table_name) || (starLoaded && !table_name.startsWith('staging_')) ? 42 : 0,
        })),
      );
    }
    return result([], 7);
  };
  const tx: Transaction = {
    active: true,
    query: ((sql: string) => answer(sql)) as Transaction['query'],
  };
  const query = ((sql: string) => answer(sql)) as Warehouse['query'];
  const warehouse: Warehouse = {
    target: 'redshift',
    dialect: 'redshift',
    description: `redshift://dwhuser@${ENDPOINT}:5439/dwh`,
    // As the real redshift warehouse: S3 COPY explained from stl_load_errors, no COPY FROM STDIN.
    capabilities: { copyFromS3: stlLoadErrors({ query }) },
    query,
    readOnlyQuery: ((sql: string) => answer(sql)) as Warehouse['readOnlyQuery'],
    batch: (statements, options = {}) =>
      warehouse.transaction(async (batchTx) => {
        const results: QueryResult[] = [];
        for (const [index, sql] of statements.entries()) {
          if (options.signal?.aborted === true) throw new InterruptedError();
          options.progress?.started?.(index);
          const result = await batchTx.query(sql);
          options.progress?.finished?.(index, result);
          results.push(result);
        }
        return results;
      }),
    transaction: async (work) => {
      insertedInTransaction = false;
      try {
        const value = await work(tx);
        outcome.committed += 1;
        if (insertedInTransaction) starLoaded = true;
        return value;
      } catch (error) {
        outcome.rolledBack += 1;
        copied.clear();
        throw error;
      }
    },
    close: async () => undefined,
  };
  return { warehouse, statements, outcome };
}
