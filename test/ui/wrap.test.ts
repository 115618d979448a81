/**
 * Long messages on an 80-column terminal break between words, under the text, instead of where the
 * terminal reaches its edge ("3,396 plays matc" / "h the catalog"); bar charts shrink their bars to
 * fit. Off a terminal, lines stay whole.
 */
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { chalkFor } from '../../src/ui/colors.js';
import { clearSecrets, registerSecret } from '../../src/ui/redact.js';
import { renderBarChart } from '../../src/ui/render.js';
import { showRows } from '../../src/ui/results.js';
import { createTerminalUi, loadSpinnerLibrary, loadTableRenderer } from '../../src/ui/terminal.js';
import { wrapToWidth } from '../../src/ui/wrap.js';
import { rowsInMemory } from '../../src/warehouse/rows.js';

// The terminal Ui loads its table renderer (and exact text widths) after start-up; the app waits for it.
beforeAll(async () => {
  await loadTableRenderer();
});

afterEach(() => clearSecrets());

/** A stream that says it is a terminal `columns` wide (or a pipe, without columns). */
function stream(columns?: number) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  // What ora needs of a terminal besides its width (it rewrites the spinner's line).
  const terminal = { isTTY: true, columns, cursorTo: () => true, moveCursor: () => true, clearLine: () => true };
  Object.assign(out, columns === undefined ? { isTTY: false } : terminal);
  return { out, text: () => text };
}

const GENERATED =
  'Generated 1,000 song files and 10,000 events in 30 log files (3,396 plays match the catalog) in 834 ms';

test('wrapToWidth breaks between words, indents continuation lines, keeps a too-long word whole', () => {
  expect(wrapToWidth(`✔ ${GENERATED}`, 80, 2)).toBe(
    '✔ Generated 1,000 song files and 10,000 events in 30 log files (3,396 plays\n' + '  match the catalog) in 834 ms',
  );
  expect(wrapToWidth('short line', 80)).toBe('short line');
  expect(wrapToWidth(GENERATED, undefined)).toBe(GENERATED);
  const path = `/tmp/${'x'.repeat(90)}`;
  expect(wrapToWidth(`Point it at ${path} to load it.`, 80)).toBe(`Point it at\n${path}\nto load it.`);
  // A command in backticks is not broken: it is copied whole.
  expect(
    wrapToWidth('  → check the setting, or write a sample data set with `sparkify-dwh generate --out <dir>`', 80, 2),
  ).toBe('  → check the setting, or write a sample data set with\n  `sparkify-dwh generate --out <dir>`');
  // Colour codes take no columns.
  const coloured = `\u001b[32m${'word '.repeat(15)}\u001b[39m`;
  expect(wrapToWidth(coloured, 80)).toBe(coloured);
});

test('the terminal Ui wraps its messages at 80 columns between words; tables and print are left alone', async () => {
  const out = stream(80);
  const err = stream(80);
  const ui = createTerminalUi({ color: false, interactive: false, stdout: out.out, stderr: err.out });
  ui.success(GENERATED);
  ui.note(`Point [LOCAL] SONG_DATA at /tmp/pty-walk/data/song_data and LOG_DATA at /tmp/pty-walk/data/log_data.`);
  ui.warn(`${'A warning that goes on '.repeat(5)}\nhint: ${'and a hint that goes on '.repeat(4)}`);
  ui.print('p'.repeat(100));
  ui.table([{ column: 'c'.repeat(100) }]);
  await new Promise((resolve) => setImmediate(resolve));
  const lines = `${out.text()}${err.text()}`.split('\n');
  const wrapped = lines.filter((line) => !line.startsWith('p') && !/[│┌└├]/.test(line));
  for (const line of wrapped) expect(line.length, line).toBeLessThanOrEqual(80);
  expect(out.text()).toContain('(3,396 plays\n  match the catalog) in 834 ms');
  expect(out.text()).toContain('/tmp/pty-walk/data/song_data and LOG_DATA at\n/tmp/pty-walk/data/log_data.');
  expect(err.text()).toMatch(/^⚠ A warning.*\n {2}that goes on.*\n {2}hint: and a hint.*\n {2}and a hint/);
  expect(out.text()).toContain('p'.repeat(100));
  // A table keeps its box: its rows are never broken (it cuts its own cells).
  expect(out.text()).toMatch(/^│ c+… │$/m);
});

test('off a terminal (a pipe, a log) messages keep one line each', () => {
  const out = stream();
  const ui = createTerminalUi({ color: false, interactive: false, stdout: out.out, stderr: stream().out });
  ui.success(GENERATED);
  expect(out.text()).toBe(`✔ ${GENERATED}\n`);
});

test('a secret is masked before the line is wrapped, so a break cannot split it past the mask', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz9SECRET9';
  registerSecret(secret);
  const out = stream(40);
  const ui = createTerminalUi({ color: false, interactive: false, stdout: out.out, stderr: stream(40).out });
  ui.info(`the key ${secret.slice(0, 20)} ${secret} and more words after it`);
  expect(out.text()).not.toContain('SECRET9');
});

test('a spinner’s final line is wrapped under its text too, with colour on', async () => {
  await loadSpinnerLibrary();
  const err = stream(80);
  const ui = createTerminalUi({ color: true, interactive: true, stdout: stream(80).out, stderr: err.out });
  ui.spinner('generating').succeed(GENERATED);
  expect(stripVTControlCharacters(err.text())).toContain(
    '✔ Generated 1,000 song files and 10,000 events in 30 log files (3,396 plays\n  match the catalog) in 834 ms\n',
  );
});

/** The "Top 10 locations" chart: 37-column labels, values up to 907. */
const LOCATIONS = [
  { label: 'Dallas-Fort Worth-Arlington, TX', value: 907 },
  { label: 'New York-Newark-Jersey City, NY-NJ-PA', value: 587 },
  { label: 'Boston-Cambridge-Newton, MA-NH', value: 316 },
];

test('a bar chart fits an 80-column terminal: the bars shrink instead of the value wrapping', async () => {
  const out = stream(80);
  const ui = createTerminalUi({ color: false, interactive: false, stdout: out.out, stderr: stream(80).out });
  ui.barChart(LOCATIONS);
  // The analytics' charts are the user's data, written through showRows: fitted the same way.
  await showRows(
    ui,
    rowsInMemory(
      ['location', 'plays'],
      LOCATIONS.map((bar) => [bar.label, bar.value]),
    ),
    { format: 'table', chart: { label: 'location', value: 'plays' } },
  );
  const chartLines = out
    .text()
    .split('\n')
    .filter((line) => line.includes('█'));
  expect(chartLines).toHaveLength(6);
  for (const line of chartLines) expect(line.length, line).toBeLessThanOrEqual(80);
  expect(chartLines[0]).toMatch(/^Dallas-Fort Worth-Arlington, TX {8}█+ 907$/);
  // Wide enough, or not a terminal: the usual 40-cell bars.
  expect(renderBarChart(LOCATIONS, { columns: 120 }, chalkFor(false))).toContain(`${'█'.repeat(40)} 907`);
  expect(renderBarChart(LOCATIONS, {}, chalkFor(false))).toContain(`${'█'.repeat(40)} 907`);
  // Never below 10 cells, however narrow.
  expect(renderBarChart(LOCATIONS, { columns: 30 }, chalkFor(false))).toContain(`${'█'.repeat(10)} 907`);
});
