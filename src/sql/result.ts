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
