/**
 * Questions on an 80-column terminal wrap as messages do: between words, continuation lines under
 * the text after "? ", with room for " (Y/n)" on the last line. Real inquirer prompts, drawn on a
 * stream that says it is a terminal.
 */
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, test } from 'vitest';
import { createInquirerPrompts } from '../../src/ui/prompts.js';
import { wrapQuestion } from '../../src/ui/wrap.js';

const NO_DATA =
  'No data at sparkify-source-files/song_data / sparkify-source-files/log_data: generate the sample set there?';

/** Keys in, a terminal `columns` wide out; `screen()` is what was drawn last, without escape codes. */
function terminal(columns: number) {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  const output = new PassThrough();
  let drawn = '';
  output.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
  Object.assign(output, { isTTY: true, columns, rows: 24, cursorTo: () => true, moveCursor: () => true });
  return {
    streams: { input, output },
    /** Every line drawn so far, each as it last read before the cursor moved on. */
    lines: () =>
      drawn
        // A line ends at a line feed, or where the prompt moves the cursor or erases to redraw.
        // eslint-disable-next-line no-control-regex
        .split(/\r?\n|\u001b\[\d*[AGK]/)
        .map((line) => stripVTControlCharacters(line).trimEnd())
        .filter((line) => line !== ''),
    press: (keys: string) => input.write(keys),
  };
}

describe('questions wrap between words, under their text', () => {
  test('a confirm wider than 80 columns: every line fits, continuation lines start under the text', async () => {
    const screen = terminal(80);
    const prompts = createInquirerPrompts({ color: false, streams: screen.streams });
    const answer = prompts.confirm({ message: NO_DATA, default: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    screen.press('\r');
    expect(await answer).toBe(true);
    const lines = screen.lines();
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines).toContain('? No data at sparkify-source-files/song_data / sparkify-source-files/log_data:');
    expect(lines).toContain('  generate the sample set there? (Y/n)');
    expect(lines).toContain('  generate the sample set there? Yes');
  });

  test('an input with a default: the default follows the wrapped message on its last line', async () => {
    const screen = terminal(80);
    const prompts = createInquirerPrompts({ color: true, streams: screen.streams });
    const answer = prompts.input({
      message: 'The identifier of the Redshift Serverless workgroup that sparkify-dwh creates in this region:',
      default: 'sparkify-wg',
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    screen.press('\r');
    expect(await answer).toBe('sparkify-wg');
    const lines = screen.lines();
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toMatch(/^\? The identifier of the Redshift Serverless workgroup that sparkify-dwh creates$/);
    expect(lines).toContain('  in this region: (sparkify-wg)');
  });
});

describe('wrapQuestion', () => {
  test('short questions and no terminal: unchanged', () => {
    expect(wrapQuestion('Go on?', 80, 6)).toBe('Go on?');
    expect(wrapQuestion(NO_DATA, undefined, 6)).toBe(NO_DATA);
  });

  test('room for the suffix: the last word moves to the next line with it', () => {
    // "? " and 73 columns of text: " (Y/n) " after them would end past column 80.
    const message = `${'word '.repeat(14)}ab?`;
    expect(wrapQuestion(message, 80, 6)).toBe(`${'word '.repeat(14).trimEnd()}\n  ab?`);
    expect(wrapQuestion(message, 80, 0)).toBe(message);
  });
});
