/**
 * What a statement returns, the same on every warehouse. It lives with the SQL, below both the
 * warehouse channels that produce it and the terminal views (src/ui) that show it.
 */
export interface QueryResult<Row = Record<string, unknown>> {
  rows: Row[];
  /** Column names in result order. */
  fields: string[];
  rowCount: number;
}

/**
 * A result handed over a page at a time. Rows are arrays in `fields` order, so two columns with
 * the same name (`SELECT 1 AS a, 2 AS a`) stay apart.
 */
export interface RowStream {
  /** Column names in result order, duplicates kept. */
  readonly fields: readonly string[];
  /** Pages of rows; leaving the loop early ends the statement. */
  readonly pages: AsyncIterable<readonly (readonly unknown[])[]>;
}
