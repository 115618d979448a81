/** DROP and CREATE statements for the seven tables and the load history, rendered from tables.ts. */
import { forDialect, type Dialect } from './dialect.js';
import {
  ALL_TABLES,
  LOAD_HISTORY,
  LOAD_HISTORY_TABLE,
  TABLES,
  tableSql,
  type MetadataTableName,
  type TableDefinition,
  type TableName,
} from './tables.js';

/**
 * Star tables first, then staging (no foreign keys, but it reads as "facts before sources"), then
 * the load history, which describes what they held.
 */
export function dropTablesSql(): string[] {
  const order: Array<TableName | MetadataTableName> = [
    'songplays',
    'users',
    'songs',
    'artists',
    'time',
    'staging_events',
    'staging_songs',
    LOAD_HISTORY_TABLE,
  ];
  return order.map((table) => `DROP TABLE IF EXISTS ${tableSql(table)}`);
}

function renderCreateTable(definition: TableDefinition, dialect: Dialect, ifNotExists = false): string {
  const lines = definition.columns.map((column) => `  ${column.name} ${forDialect(dialect, column.type)}`);
  if (definition.primaryKey !== undefined) lines.push(`  PRIMARY KEY (${definition.primaryKey})`);
  const attributes = forDialect(dialect, definition.attributes)
    .map((attribute) => `\n${attribute}`)
    .join('');
  const create = ifNotExists ? 'CREATE TABLE IF NOT EXISTS' : 'CREATE TABLE';
  return `${create} ${tableSql(definition.name)} (\n${lines.join(',\n')}\n)${attributes}`;
}

export function createTableSql(table: TableName | MetadataTableName, dialect: Dialect): string {
  return renderCreateTable(table === LOAD_HISTORY_TABLE ? LOAD_HISTORY : TABLES[table], dialect);
}

/** Staging tables first, then the star schema in load order, then the (empty) load history. */
export function createTablesSql(dialect: Dialect): string[] {
  const tables: Array<TableName | MetadataTableName> = [...ALL_TABLES, LOAD_HISTORY_TABLE];
  return tables.map((table) => createTableSql(table, dialect));
}

/**
 * The load history for a load into tables made before there was one (an older sparkify-dwh): a
 * load records where its data came from even then. Both dialects know IF NOT EXISTS.
 */
export function createLoadHistoryIfMissingSql(dialect: Dialect): string {
  return renderCreateTable(LOAD_HISTORY, dialect, true);
}
