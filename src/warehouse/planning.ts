/**
 * The warehouse under --dry-run (docs/commands.md, --dry-run): it has the target's dialect and
 * capabilities, so the steps render exactly the SQL the real run would send (Redshift's DISTKEY
 * and SORTKEY, the COPY with its REGION), but every statement is handed to `onStatement` instead
 * of a server. Nothing is opened: no connection, no PGlite data folder, no lock.
 *
 * Reads cannot be answered for real, so it answers from an assumption, then follows the plan:
 * - `empty`: none of our tables exist yet (setup, the menu, tables create plan from the start);
 * - `ready`: the steps before the command have run: our tables exist and the star tables hold rows
 *   (load, check and analytics show their whole plan on their own).
 * A table the plan creates, empties or fills reads as such afterwards; any other query returns no rows.
 */
import type { Target } from '../config/types.js';
import { KNOWN_AFTER_APPLY } from '../config/validate.js';
import type { Dialect } from '../sql/dialect.js';
import type { QueryResult } from '../sql/result.js';
import { SERVER_VERSION_SQL } from '../sql/session.js';
import { existingTablesSql } from '../sql/status.js';
import { ALL_TABLES, STAR_TABLES } from '../sql/tables.js';
import type { BatchOptions, Transaction, Warehouse, WarehouseCapabilities } from './types.js';

/** One statement the real run would send. */
export interface PlannedStatement {
  sql: string;
  params?: readonly unknown[] | undefined;
  /** Run in a READ ONLY transaction (analytics, checks, `sql`). */
  readOnly: boolean;
}

export interface PlanningWarehouseOptions {
  target: Target;
  /** Where the real warehouse is, as the menu would name it (no password). */
  description: string;
  assume: 'empty' | 'ready';
  onStatement: (statement: PlannedStatement) => void;
}

/**
 * What SELECT version() answers in a plan: nothing was connected to, so the server's version is
 * known only once the real run connects ("✔ [dry run] Connected: (known after apply)").
 */
export const PLANNED_SERVER_VERSION = KNOWN_AFTER_APPLY;

const EMPTIED =
  /^\s*(?:DROP\s+TABLE(?:\s+IF\s+EXISTS)?|CREATE\s+TABLE(?:\s+IF\s+NOT\s+EXISTS)?|TRUNCATE(?:\s+TABLE)?|DELETE\s+FROM)\s+"?(\w+)"?/i;
const FILLED = /^\s*(?:INSERT\s+INTO|COPY)\s+"?(\w+)"?/i;
const STAR: ReadonlySet<string> = new Set(STAR_TABLES);
const READ = /^\s*(?:SELECT|WITH)\b/i;
const COUNTED = /CAST\('(\w+)' AS VARCHAR\(32\)\) AS table_name, COUNT\(\*\) AS row_count/g;

function result<Row>(rows: Row[]): QueryResult<Row> {
  return { rows, fields: rows[0] ? Object.keys(rows[0]) : [], rowCount: rows.length };
}

export function dialectOf(target: Target): Dialect {
  return target === 'redshift' || target === 'redshift-serverless' ? 'redshift' : 'postgres';
}

export function openPlanningWarehouse(options: PlanningWarehouseOptions): Warehouse {
  const { target, onStatement } = options;
  const dialect = dialectOf(target);
  // Rows per table as the plan leaves them: 0 once it empties a table, some once it fills one.
  const rows = new Map<string, number>();
  if (options.assume === 'ready') for (const table of ALL_TABLES) rows.set(table, STAR.has(table) ? 1 : 0);

  const answer = (sql: string, params: readonly unknown[] | undefined, readOnly: boolean): QueryResult => {
    // A step's own look at the warehouse (which tables exist, their counts) is not part of the plan;
    // the read-only queries it runs for the user (checks, analytics, `sql`) are.
    if (readOnly || !READ.test(sql)) onStatement({ sql, params, readOnly });
    const emptied = EMPTIED.exec(sql)?.[1];
    if (emptied !== undefined) rows.set(emptied.toLowerCase(), 0);
    const filled = FILLED.exec(sql)?.[1];
    if (filled !== undefined) rows.set(filled.toLowerCase(), 1);
    if (sql === existingTablesSql()) {
      return result(ALL_TABLES.filter((table) => rows.has(table)).map((table) => ({ table_name: table })));
    }
    if (sql === SERVER_VERSION_SQL) return result([{ version: PLANNED_SERVER_VERSION }]);
    const counted = [...sql.matchAll(COUNTED)].map((match) => match[1] ?? '');
    if (counted.length > 0)
      return result(counted.map((table) => ({ table_name: table, row_count: rows.get(table) ?? 0 })));
    return result([]);
  };
  const query = <Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> =>
    Promise.resolve(answer(sql, params, false) as QueryResult<Row>);

  const capabilities: WarehouseCapabilities =
    dialect === 'redshift'
      ? { copyFromS3: { loadErrors: () => Promise.resolve(undefined) } }
      : {
          copyFromStdin: {
            // The files are read (that changes nothing) so the plan says how many rows would go in.
            copyIn: async (_tx, table, columns, lines) => {
              onStatement({ sql: `COPY ${table} (${columns.join(', ')}) FROM STDIN`, readOnly: false });
              let count = 0;
              for await (const chunk of lines) {
                if (typeof chunk === 'string') {
                  for (const char of chunk) if (char === '\n') count += 1;
                } else {
                  for (const byte of chunk) if (byte === 0x0a) count += 1;
                }
              }
              rows.set(table, count);
              return count;
            },
          },
        };

  return {
    target,
    dialect,
    description: `${options.description} (dry run)`,
    capabilities,
    query,
    readOnlyQuery: <Row>(sql: string) => Promise.resolve(answer(sql, undefined, true) as QueryResult<Row>),
    transaction: async <T>(work: (tx: Transaction) => Promise<T>): Promise<T> => {
      let active = true;
      const tx: Transaction = {
        get active() {
          return active;
        },
        query,
      };
      try {
        return await work(tx);
      } finally {
        active = false;
      }
    },
    batch: (statements: readonly string[], batchOptions: BatchOptions = {}) => {
      const results: QueryResult[] = [];
      statements.forEach((sql, index) => {
        batchOptions.progress?.started?.(index);
        const answered = answer(sql, undefined, false);
        results.push(answered);
        batchOptions.progress?.finished?.(index, answered);
      });
      return Promise.resolve(results);
    },
    // Nothing was opened; a step that "closes" it (the cluster's connection test) leaves it usable.
    close: () => Promise.resolve(),
  };
}
