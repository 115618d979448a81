/**
 * Messages wrapped at word boundaries to the terminal's width. A terminal wraps a long line at
 * whatever column it reaches, mid-word ("3,396 plays matc" / "h the catalog"); these break between
 * words, continuation lines indented under the text after the ✔/⚠/✖ symbol. Colour codes take no
 * columns; a word wider than the terminal keeps a line of its own (a path is never cut), and so
 * does a `command` in backticks.
 */
import type stringWidthOf from 'string-width';

/**
 * string-width compiles Unicode regular expressions and a segmenter when it is imported, 20–40 ms
 * that the menu would pay before its first drawing (docs/performance.md); it is loaded after that
 * (loadStringWidth). Until then a line's width is over-estimated (two columns for anything but
 * printable ASCII): a line may wrap a little early, never run past the edge.
 */
let stringWidth: typeof stringWidthOf | undefined;
let stringWidthLoading: Promise<void> | undefined;

/** Load string-width (once); resolves when exact widths are in use. */
export function loadStringWidth(): Promise<void> {
  stringWidthLoading ??= import('string-width').then((module) => {
    stringWidth = module.default;
  });
  return stringWidthLoading;
}

/** Terminal columns of `text`: exact once string-width is loaded, never less than that before. */
function textWidth(text: string): number {
  if (stringWidth) return stringWidth(text);
  let width = 0;
  // No character takes more than two columns; printable ASCII takes one (an escape code's
  // characters are counted too: an over-estimate).
  for (const character of text) width += character >= ' ' && character <= '~' ? 1 : 2;
  return width;
}

/**
 * Characters string-width counts as one column each and that never join the next into one
 * grapheme: printable ASCII and Latin-1, and the punctuation, arrows, box drawing and symbols of
 * the tool's own drawings (test/ui/wrap-before-load.test.ts checks each against string-width).
 */
const ONE_COLUMN_EACH =
  /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u2192\u2500-\u257f\u26a0\u2714\u2716\u276f]*$/;

/**
 * Terminal columns of `text`, exact for the tool's own drawings (the menu) before string-width
 * has loaded; for anything else, exact once it has, over-estimated until then.
 */
export function displayWidth(text: string): number {
  return ONE_COLUMN_EACH.test(text) ? text.length : textWidth(text);
}

/** `text` (lines of it) wrapped to `columns`; each continuation line starts with `indent` spaces. */
export function wrapToWidth(text: string, columns: number | undefined, indent = 0): string {
  if (columns === undefined || columns <= indent + 10) return text;
  return text
    .split('\n')
    .map((line) => wrapLine(line, columns, indent))
    .join('\n');
}

function wrapLine(line: string, columns: number, indent: number): string {
  // No character takes more than two columns, so a line this short fits without measuring it:
  // measuring text that is not plain ASCII costs string-width's Unicode tables and regular
  // expressions, tens of milliseconds the first time (the menu's header, docs/performance.md).
  if (line.length * 2 <= columns || textWidth(line) <= columns) return line;
  // The line's own leading spaces (a continuation line of a hint) are kept, and continue under it.
  const lead = /^ */.exec(line)![0];
  const hanging = ' '.repeat(Math.max(indent, lead.length));
  // A `command` in backticks is one word: it is meant to be copied whole.
  const words = line.slice(lead.length).match(/(?:`[^`]*`|[^ `]+|`)+/g) ?? [];
  const lines: string[] = [];
  let current = lead;
  let width = lead.length;
  let empty = true;
  for (const word of words) {
    const wordWidth = textWidth(word);
    if (!empty && width + 1 + wordWidth > columns) {
      lines.push(current);
      current = hanging + word;
      width = hanging.length + wordWidth;
    } else {
      current += empty ? word : ` ${word}`;
      width += empty ? wordWidth : 1 + wordWidth;
    }
    empty = false;
  }
  lines.push(current);
  return lines.join('\n');
}

/** The width of `stream` when it is a terminal, else undefined (a log or a pipe keeps whole lines). */
export function streamColumns(stream: NodeJS.WritableStream): number | undefined {
  const tty = stream as { isTTY?: boolean; columns?: number };
  return tty.isTTY === true && typeof tty.columns === 'number' && tty.columns > 0 ? tty.columns : undefined;
}

/**
 * A question's message wrapped as messages are: between words, continuation lines under the text
 * after the prompt's symbol ("? " or "✔ ", two columns), leaving room for `suffixWidth` more
 * columns after its last word (the " (Y/n)" or the answer that follows). A prompt library wraps
 * what is still too wide wherever the terminal's edge falls, with no indent.
 */
export function wrapQuestion(message: string, columns: number | undefined, suffixWidth = 0): string {
  if (columns === undefined || columns <= QUESTION_INDENT + 10) return message;
  // The symbol is wrapped with the text, so the first line has two columns fewer; the suffix's
  // stand-in is glued to the last word, so the two go to the next line together.
  const standIn = suffixWidth > 0 ? `${GLUE}${'x'.repeat(suffixWidth)}` : '';
  const wrapped = wrapToWidth(`? ${message}${standIn}`, columns, QUESTION_INDENT).slice(QUESTION_INDENT);
  return wrapped.slice(0, wrapped.length - standIn.length);
}

/** "? " and "✔ ": the columns a question's symbol takes before its text. */
const QUESTION_INDENT = 2;
/** One column that is not a space, so wrapToWidth keeps the word and the suffix's stand-in together. */
const GLUE = '_';
