/** The SQL dialect a statement is rendered for. */
export type Dialect = 'postgres' | 'redshift';
