/**
 * How result values come back, the same on every engine so steps and tests can compare them:
 *
 * - int2/int4/float4/float8: JS numbers; bool: boolean; text types: string (the drivers' defaults).
 * - int8 (count(*), sums of integers): a number while it is a safe integer (|n| ≤ 2^53 − 1),
 *   a BigInt beyond that, so no value ever comes back silently rounded.
 * - numeric (avg, sums of bigints, decimal columns): a number (the nearest double, which is what
 *   analytics print anyway); an integral value beyond 2^53 becomes a BigInt like int8.
 * - timestamp: the server's text, `2018-11-01 21:01:46.796`. Never a Date: a Date would be read
 *   in the machine's local time zone, while the warehouse's timestamps are UTC by definition.
 * - timestamptz, date, time, interval: the server's text too, for the same reason.
 */

/** PostgreSQL type OIDs we parse ourselves (pg_type.oid; stable across versions and Redshift). */
export const TYPE_OIDS = {
  int8: 20,
  numeric: 1700,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
} as const;

const INTEGER_TEXT = /^[+-]?\d+$/;

function parseInt8(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

function parseNumeric(text: string): number | bigint {
  if (INTEGER_TEXT.test(text)) return parseInt8(text);
  return Number(text); // also 'NaN', 'Infinity', '-Infinity'
}

function keepText(text: string): string {
  return text;
}

export const RESULT_PARSERS: Readonly<Record<number, (text: string) => unknown>> = {
  [TYPE_OIDS.int8]: parseInt8,
  [TYPE_OIDS.numeric]: parseNumeric,
  [TYPE_OIDS.date]: keepText,
  [TYPE_OIDS.time]: keepText,
  [TYPE_OIDS.timestamp]: keepText,
  [TYPE_OIDS.timestamptz]: keepText,
  [TYPE_OIDS.interval]: keepText,
  [TYPE_OIDS.timetz]: keepText,
};

/**
 * Query parameters in one shape for both drivers: a Date becomes ISO text (node-postgres would
 * otherwise send local time, PGlite UTC), a BigInt its decimal text.
 */
export function normalizeParams(params: readonly unknown[] | undefined): unknown[] {
  if (params === undefined) return [];
  return params.map((value) => {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'bigint') return value.toString();
    return value;
  });
}
