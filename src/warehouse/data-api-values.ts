/**
 * Values in and out of the Redshift Data API: result Fields become the same JS values the other
 * channels return (src/warehouse/result-types.ts), and `$1`-style parameters become the Data API's
 * named `:name` parameters.
 */
import type { ColumnMetadata, Field, SqlParameter } from '@aws-sdk/client-redshift-data';
import { UserError } from '../errors.js';
import { RESULT_PARSERS, TYPE_OIDS } from './result-types.js';

/**
 * One value of a result, from the Field union
 * (https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_Field.html), read as the
 * column's type says, so every channel gives the same shapes:
 *
 * - isNull → null; booleanValue → boolean; doubleValue → number; blobValue → Uint8Array.
 * - longValue (int2/int4/int8) → number. The SDK parses the JSON number of a Long into a JS number,
 *   so an int8 beyond 2^53 has already lost its last digits when it gets here: refused with a
 *   message that says how to read it exactly, rather than returned silently rounded.
 * - stringValue → text, except numeric (and int8 when it comes as text), parsed like the other
 *   channels do (a number, or a BigInt for integral values beyond 2^53). Timestamps and dates stay
 *   the server's text.
 */
export function fieldValue(field: Field, column: ColumnMetadata | undefined): unknown {
  if (field.isNull === true) return null;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.blobValue !== undefined) return field.blobValue;
  if (field.longValue !== undefined) {
    if (!Number.isSafeInteger(field.longValue)) {
      const name = column?.name ?? column?.label ?? '?';
      throw new UserError(
        `column "${name}" holds an integer beyond 2^53, which the Data API's JSON cannot carry exactly`,
        { hint: `select it as text instead (${name}::varchar)` },
      );
    }
    return field.longValue;
  }
  if (field.stringValue !== undefined) {
    const parse = textParser(column?.typeName);
    return parse === undefined ? field.stringValue : parse(field.stringValue);
  }
  // A union member this SDK version does not know: a newer Data API. Nothing sensible to show.
  throw new Error(`the Data API returned a value of a kind this version cannot read: ${JSON.stringify(field)}`);
}

function textParser(typeName: string | undefined): ((text: string) => unknown) | undefined {
  switch (typeName?.toLowerCase()) {
    case 'numeric':
    case 'decimal':
      return RESULT_PARSERS[TYPE_OIDS.numeric];
    case 'int8':
    case 'bigint':
      return RESULT_PARSERS[TYPE_OIDS.int8];
    default:
      return undefined;
  }
}

/** Column names in result order, duplicates kept (`SELECT 1 AS a, 2 AS a` has two columns "a"). */
export function columnNames(columns: readonly ColumnMetadata[]): string[] {
  return columns.map((column, index) => column.label ?? column.name ?? `?column?${index + 1}`);
}

/** One row of Fields as an array of values, in column order. */
export function rowValues(record: readonly Field[], columns: readonly ColumnMetadata[]): unknown[] {
  return record.map((field, index) => fieldValue(field, columns[index]));
}

/**
 * `$1` … `$n` of a statement renamed to the Data API's named parameters `:<prefix>1` …, and the
 * values as the text the API takes ("Amazon Redshift implicitly converts to the proper data type",
 * https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_SqlParameter.html). The SQL is
 * scanned, not pattern-replaced, so `$1` inside a string literal, a quoted name or a comment stays
 * as it is. `prefix` keeps the names of several statements of one batch apart (a batch shares one
 * parameter list).
 */
export function namedParameters(
  sql: string,
  params: readonly unknown[] | undefined,
  prefix = 'p',
): { sql: string; parameters: SqlParameter[] } {
  if (params === undefined || params.length === 0) return { sql, parameters: [] };
  const used = new Set<number>();
  let out = '';
  let index = 0;
  while (index < sql.length) {
    const skipped = skipQuotedOrComment(sql, index);
    if (skipped > index) {
      out += sql.slice(index, skipped);
      index = skipped;
      continue;
    }
    const match = /^\$(\d+)/.exec(sql.slice(index));
    if (match !== null && !/[\w$]/.test(sql[index - 1] ?? '')) {
      const number = Number(match[1]);
      if (number < 1 || number > params.length) {
        throw new Error(`$${number} in the statement has no parameter (${params.length} given)`);
      }
      used.add(number);
      out += `:${prefix}${number}`;
      index += match[0].length;
      continue;
    }
    out += sql[index];
    index += 1;
  }
  // The Data API refuses a parameter that no statement references.
  const parameters = [...used]
    .sort((a, b) => a - b)
    .map((number) => ({
      name: `${prefix}${number}`,
      value: parameterText(params[number - 1], number),
    }));
  return { sql: out, parameters };
}

/** The end of the string literal, quoted identifier, dollar quote or comment at `start`, or `start`. */
function skipQuotedOrComment(sql: string, start: number): number {
  const char = sql[start];
  const next = sql[start + 1];
  if (char === "'" || char === '"') {
    let index = start + 1;
    while (index < sql.length) {
      if (sql[index] === char) {
        if (sql[index + 1] === char)
          index += 2; // doubled quote inside
        else return index + 1;
      } else index += 1;
    }
    return sql.length;
  }
  if (char === '-' && next === '-') {
    const end = sql.indexOf('\n', start);
    return end === -1 ? sql.length : end + 1;
  }
  if (char === '/' && next === '*') {
    const end = sql.indexOf('*/', start + 2);
    return end === -1 ? sql.length : end + 2;
  }
  if (char === '$') {
    const tag = /^\$([A-Za-z_]\w*)?\$/.exec(sql.slice(start));
    if (tag !== null) {
      const end = sql.indexOf(tag[0], start + tag[0].length);
      return end === -1 ? sql.length : end + tag[0].length;
    }
  }
  return start;
}

function parameterText(value: unknown, number: number): string {
  if (value === null || value === undefined) {
    // A Data API parameter always has a text value; NULL has to be written into the SQL.
    throw new Error(
      `parameter $${number} is null: the Data API cannot pass NULL as a parameter, write NULL in the SQL`,
    );
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new Error(`parameter $${number} is a ${typeof value}, which the Data API cannot pass`);
}
