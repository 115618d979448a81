/** DROP and CREATE statements for the seven tables, rendered from tables.ts. */
import { forDialect, type Dialect } from './dialect.js';
import { ALL_TABLES, TABLES, tableSql, type TableName } from './tables.js';

/** Star tables first, then staging (no foreign keys, but it reads as "facts before sources"). */
export function dropTablesSql(): string[] {
  const order: TableName[] = ['songplays', 'users', 'songs', 'artists', 'time', 'staging_events', 'staging_songs'];
  return order.map((table) => `DROP TABLE IF EXISTS ${tableSql(table)}`);
}

export function createTableSql(table: TableName, dialect: Dialect): string {
  const definition = TABLES[table];
  const lines = definition.columns.map((column) => `  ${column.name} ${forDialect(dialect, column.type)}`);
  if (definition.primaryKey !== undefined) lines.push(`  PRIMARY KEY (${definition.primaryKey})`);
  const attributes = forDialect(dialect, definition.attributes)
    .map((attribute) => `\n${attribute}`)
    .join('');
  return `CREATE TABLE ${tableSql(table)} (\n${lines.join(',\n')}\n)${attributes}`;
}

/** Staging tables first, then the star schema in load order. */
export function createTablesSql(dialect: Dialect): string[] {
  return ALL_TABLES.map((table) => createTableSql(table, dialect));
}
