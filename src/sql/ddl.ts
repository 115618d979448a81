/**
 * DROP and CREATE statements for the seven tables and the load history, and the star keys set
 * aside during a load, rendered from tables.ts.
 */
import { forDialect, type Dialect } from './dialect.js';
import { sqlIdentifier } from './identifiers.js';
import {
  ALL_TABLES,
  STAR_TABLES,
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
  const unlogged = definition.unlogged !== undefined && forDialect(dialect, definition.unlogged);
  const create = `CREATE ${unlogged ? 'UNLOGGED ' : ''}TABLE${ifNotExists ? ' IF NOT EXISTS' : ''}`;
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

/**
 * The star tables' primary keys are dropped while a load fills the tables and added back after
 * it, in the same transaction: one index build per table instead of one index insertion per row,
 * about twice as fast for `time` and `songplays` (docs/performance.md). Adding a key back also
 * re-checks it, so the tables end up exactly as created. PostgreSQL only: Redshift's keys are
 * informational and index nothing. The names are PostgreSQL's own for `PRIMARY KEY (…)` in
 * CREATE TABLE (`<table>_pkey`).
 */
export function dropStarKeysSql(dialect: Dialect): string[] {
  return forDialect(dialect, {
    default: starKeys().map(({ table, name }) => `ALTER TABLE ${tableSql(table)} DROP CONSTRAINT IF EXISTS ${name}`),
    redshift: [],
  });
}

export function addStarKeysSql(dialect: Dialect): string[] {
  return forDialect(dialect, {
    default: starKeys().map(
      ({ table, name, columns }) => `ALTER TABLE ${tableSql(table)} ADD CONSTRAINT ${name} PRIMARY KEY (${columns})`,
    ),
    redshift: [],
  });
}

function starKeys(): Array<{ table: TableName; name: string; columns: string }> {
  return STAR_TABLES.flatMap((table) => {
    const columns = TABLES[table].primaryKey;
    return columns === undefined ? [] : [{ table, name: sqlIdentifier(`${table}_pkey`), columns }];
  });
}
