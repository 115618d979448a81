/**
 * The two JSON dialects of the real source files, reproduced byte for byte:
 * - song files were written by Python's json.dumps: `", "` and `": "` separators, non-ASCII
 *   escaped as lowercase `\u00e9`, `/` left alone, floats always with a decimal point;
 * - log lines were written by a Java-style serializer: no spaces, `/` escaped as `\/`,
 *   non-ASCII as raw UTF-8, `registration` as a float (`1540344794796.0`).
 */

const NON_ASCII = /[\u0080-\uffff]/g;
const SLASH = /\//g;

/** A string as Python's json.dumps (ensure_ascii=True) writes it. */
export function pythonString(value: string): string {
  return JSON.stringify(value).replace(
    NON_ASCII,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A float as Python's repr writes it: `218.93179`, `200.0`. Only for values in everyday ranges. */
export function pythonFloat(value: number): string {
  const text = String(value);
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

/** A string as the event logs write it (`Mozilla\/5.0`). */
export function logString(value: string): string {
  return JSON.stringify(value).replace(SLASH, '\\/');
}

export function pythonNullable(value: string | null): string {
  return value === null ? 'null' : pythonString(value);
}

export function pythonNullableFloat(value: number | null): string {
  return value === null ? 'null' : pythonFloat(value);
}
