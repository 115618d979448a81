/**
 * Quoting helpers for the few values that are spliced into SQL text instead of being sent as
 * parameters (Redshift COPY takes no bind parameters for its S3 URL, role and region).
 */

/**
 * A double-quoted identifier: `time` → `"time"`, embedded double quotes doubled. Always quotes,
 * so the name is taken literally (and case-sensitively) on both PostgreSQL and Redshift.
 */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new Error('identifier is empty');
  if (name.includes('\0')) throw new Error('identifier contains a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A single-quoted string literal with embedded single quotes doubled (the SQL-standard escape,
 * understood by both dialects).
 *
 * Backslashes are refused rather than escaped: PostgreSQL (standard_conforming_strings on) takes
 * them literally, while Redshift may read them as escapes, so no one spelling means the same
 * thing on both. None of the values we quote (S3 URLs, role ARNs, regions) need one.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\\'))
    throw new Error('value contains a backslash, which cannot be quoted the same way on PostgreSQL and Redshift');
  if (value.includes('\0')) throw new Error('value contains a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}

/** Lower-case names that must be quoted to be used as identifiers (only the ones we use). */
const NEEDS_QUOTES = new Set(['time', 'user', 'order', 'group', 'table', 'timestamp']);

/**
 * An identifier as it reads best in SQL text: bare when it is a plain lower-case name, quoted when
 * it is a reserved (or reserved-ish, like `time`) word or anything unusual.
 */
export function sqlIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !NEEDS_QUOTES.has(name) ? name : quoteIdent(name);
}
