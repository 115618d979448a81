/**
 * Numbers, durations and sizes as the wizard shows them. Always en-US grouping ("1,234,567") so
 * output is the same on every machine and in every test, whatever the user's locale.
 */

/**
 * The formats are made on first use, never when the module is evaluated: building an
 * Intl.NumberFormat loads ICU's locale data (the currency one its currency data too), tens of
 * milliseconds that every command and the menu would pay before drawing anything, though most
 * never format a number (docs/performance.md).
 */
const formats = new Map<string, Intl.NumberFormat>();

function numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat('en-US', options);
    formats.set(key, format);
  }
  return format;
}

/** 1234567 → "1,234,567" (rounded to a whole number; BigInts keep every digit). */
export function formatCount(n: number | bigint): string {
  if (typeof n === 'number' && !Number.isFinite(n)) return String(n);
  return numberFormat('count', { maximumFractionDigits: 0 }).format(n);
}

/**
 * A measured value: grouped, at most `maxFractionDigits` decimals, trailing zeros dropped
 * (218.93179 → "218.93179", 1234.5 → "1,234.5"). Five decimals by default: the precision of the
 * song durations in the source data.
 */
export function formatNumber(n: number | bigint, maxFractionDigits = 5): string {
  if (typeof n === 'number' && !Number.isFinite(n)) return String(n);
  return numberFormat(`number ${maxFractionDigits}`, { maximumFractionDigits: maxFractionDigits }).format(n);
}

/** "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min". Negative or NaN reads as "0 ms". */
export function formatDuration(ms: number): string {
  const safe = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (Math.round(safe) < 1000) return `${Math.round(safe)} ms`;
  const tenths = Math.round(safe / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  const seconds = Math.round(safe / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${pad2(seconds % 60)} s`;
  const minutes = Math.round(safe / 60_000);
  return `${Math.floor(minutes / 60)} h ${pad2(minutes % 60)} min`;
}

/** Rows per second over `ms`: "123,456 rows/s"; "– rows/s" before any time has passed. */
export function formatRate(rows: number, ms: number): string {
  if (!(ms > 0) || !Number.isFinite(rows)) return '– rows/s';
  return `${formatCount(Math.round((rows * 1000) / ms))} rows/s`;
}

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 512 → "512 B", 1536 → "1.5 KiB", 5_000_000 → "4.8 MiB" (binary units, one decimal). */
export function formatBytes(bytes: number): string {
  const safe = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  if (safe < 1024) return `${Math.round(safe)} B`;
  let value = safe / 1024;
  let unit = 0;
  // Move up a unit when the value would print as "1,024.0" of this one.
  while (Math.round(value * 10) / 10 >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const oneDecimal = numberFormat('one decimal', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return `${oneDecimal.format(value)} ${BYTE_UNITS[unit]}`;
}

/** US dollars: 0.25 → "$0.25", 1234.5 → "$1,234.50"; a positive amount under half a cent → "< $0.01". */
export function formatMoney(usd: number): string {
  if (usd > 0 && usd < 0.005) return '< $0.01';
  return numberFormat('money', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(usd);
}

/** How long ago `fromMs` was at `nowMs`: "just now", "42 s ago", "5 min ago", "3 h ago", "2 days ago". */
export function formatAge(fromMs: number, nowMs: number): string {
  const seconds = Math.floor((nowMs - fromMs) / 1000);
  // Clock skew between machines can put a timestamp slightly in the future: that is "just now".
  if (!Number.isFinite(seconds) || seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? '1 day ago' : `${formatCount(days)} days ago`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * C0 controls (ESC, BEL, CR, backspace…), DEL and the C1 controls (U+0080–U+009F; U+009B is a
 * one-character CSI on some terminals). Any of them in data could move the cursor, clear the
 * screen or set the window title if written raw. (Matching control characters is the point of
 * these patterns, hence the lint exceptions.)
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
/** The same, minus line feed and tab: the layout of the tool's own multi-line messages. */
// eslint-disable-next-line no-control-regex
const MESSAGE_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(character: string): string {
  return NAMED_ESCAPES[character] ?? `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/**
 * Control characters shown as C-style escapes (`\x1b`, `\x07`, `\n`, `\t`), so data can never
 * drive the terminal: for table cells, chart labels and column names, where a line break would
 * also break the layout. A backslash already in the data is left as it is (docs/safety.md).
 */
export function showControls(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROLS, escapeControl) : text;
}

/** Like showControls, but line feeds and tabs stay: for the tool's own messages, which may span lines. */
export function showControlsInMessage(text: string): string {
  return CONTROL.test(text) ? text.replace(MESSAGE_CONTROLS, escapeControl) : text;
}
