/** What the warehouse holds: which of our tables exist, and their row counts (menu status). */
import { quoteLiteral } from './identifiers.js';
import { ALL_TABLES, isTableName, tableSql } from './tables.js';

/**
 * Names (`table_name`) of our seven tables that exist in the current schema. information_schema
 * and current_schema() exist on both PostgreSQL and Redshift; the cast turns the
 * sql_identifier domain into plain text for every driver.
 */
export function existingTablesSql(): string {
  return `SELECT CAST(table_name AS VARCHAR) AS table_name
FROM information_schema.tables
WHERE table_schema = current_schema()
  AND table_name IN (${ALL_TABLES.map((table) => quoteLiteral(table)).join(', ')})
ORDER BY table_name`;
}

/**
 * Row counts (`table_name`, `row_count`) of the given tables in one round trip. Only names from
 * our fixed list are accepted: anything else throws, so no outside text reaches the SQL.
 */
export function rowCountsSql(tables: readonly string[]): string {
  if (tables.length === 0) throw new Error('rowCountsSql needs at least one table');
  return tables
    .map((table) => {
      if (!isTableName(table)) throw new Error(`not one of the warehouse tables: ${JSON.stringify(table)}`);
      const name = `CAST(${quoteLiteral(table)} AS VARCHAR(32)) AS table_name`;
      return `SELECT ${name}, COUNT(*) AS row_count FROM ${tableSql(table)}`;
    })
    .join('\nUNION ALL\n');
}
