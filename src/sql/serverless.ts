/**
 * Redshift Serverless usage so far, for `cluster status`. SYS_SERVERLESS_USAGE has one row per
 * minute with `charged_seconds` (the RPU-seconds billed, minimum charge included: "Use
 * charged_seconds to calculate the cost"), `compute_seconds`, `start_time` and `end_time`; it keeps
 * 7 days and is visible only to superusers (the namespace's admin user)
 * (https://docs.aws.amazon.com/redshift/latest/dg/SYS_SERVERLESS_USAGE.html). It does not exist on
 * provisioned clusters or PostgreSQL.
 */

/** One row: `charged_rpu_seconds`, `compute_rpu_seconds`, `first_start`, `last_end` (NULLs when empty). */
export function serverlessUsageSql(): string {
  return `SELECT
  CAST(COALESCE(SUM(charged_seconds), 0) AS BIGINT) AS charged_rpu_seconds,
  CAST(COALESCE(SUM(compute_seconds), 0) AS DOUBLE PRECISION) AS compute_rpu_seconds,
  MIN(start_time) AS first_start,
  MAX(end_time) AS last_end
FROM sys_serverless_usage`;
}

export interface ServerlessUsage {
  /** RPU-seconds billed over the view's window (at most the last 7 days). */
  chargedRpuSeconds: number;
  /** RPU-seconds of compute used (before the minimum charge). */
  computeRpuSeconds: number;
  /** The first and last minute recorded; undefined when nothing ran yet. */
  from: Date | undefined;
  to: Date | undefined;
}

function toNumber(value: unknown): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(number) ? number : 0;
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value !== 'string' || value === '') return undefined;
  // Redshift and PostgreSQL print timestamps without a zone; SYS_SERVERLESS_USAGE's are UTC.
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The usage from serverlessUsageSql's one row. Drivers disagree on types (pg returns BIGINT as a
 * string, the Data API as a number, timestamps as Date or text), so every shape is accepted.
 */
export function parseServerlessUsage(rows: readonly Record<string, unknown>[]): ServerlessUsage {
  const row = rows[0] ?? {};
  return {
    chargedRpuSeconds: toNumber(row.charged_rpu_seconds),
    computeRpuSeconds: toNumber(row.compute_rpu_seconds),
    from: toDate(row.first_start),
    to: toDate(row.last_end),
  };
}
