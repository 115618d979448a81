/** The SQL dialect a statement is rendered for. */
export type Dialect = 'postgres' | 'redshift';

/**
 * One piece of SQL in dbt's adapter.dispatch style: a default rendering, plus an override for a
 * dialect only where that dialect's SQL really differs.
 */
export type Renderings<T> = { default: T } & Partial<Record<Dialect, T>>;

/** The rendering for `dialect`: its override when there is one, else the default. */
export function forDialect<T>(dialect: Dialect, renderings: Renderings<T>): T {
  return renderings[dialect] ?? renderings.default;
}
