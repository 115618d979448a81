/**
 * A comment-preserving INI document that reads files the way Python's `configparser` does (the
 * seed dwh.cfg was written for it) and writes them back changing only the lines it must.
 *
 * What it follows from configparser's defaults:
 * - `[SECTION]` headers; `key = value` or `key: value` (the first `=` or `:` splits the line);
 *   whitespace around key and value is not part of them.
 * - Full-line comments start with `#` or `;` (after optional indentation). There are NO inline
 *   comments: `KEY = a # b` has the value `a # b`.
 * - An indented line after a key continues that key's value (joined with a newline); blank lines
 *   in between become empty lines of the value, and trailing empty lines are dropped.
 * - Keys are case-insensitive; duplicate sections and duplicate keys in a section are errors
 *   (configparser's `strict` mode); a key before any section is an error; a line with neither
 *   `=` nor `:` is an error (`allow_no_value` is off).
 * - Keys missing from a section are looked up in `[DEFAULT]`.
 *
 * Where it differs, on purpose:
 * - Section names are case-insensitive too (`[aws]` and `[AWS]` are the same section, so having
 *   both is a duplicate), because the wizard looks sections up by their documented spelling.
 * - A value wrapped in one pair of matching single or double quotes is read without them (the
 *   Udacity dwh.cfg writes `ARN='arn:aws:…'`; the Python scripts pasted such values into SQL).
 * - No `%(name)s` interpolation: values are read literally.
 * - A UTF-8 byte order mark is accepted and kept.
 *
 * `serialize(parse(text)) === text` for every text that parses: each line keeps its own text and
 * line ending (LF, CRLF or lone CR), and a missing final newline stays missing.
 */
import { ConfigError } from '../errors.js';

const BOM = '\uFEFF';
/** configparser's default section, whose keys every other section inherits. */
const DEFAULT_SECTION = 'default';

/** A line that does not parse, as the `mayHoldSecret` rule sees it. */
export interface UnparsedLine {
  /** The line's text without surrounding whitespace. */
  text: string;
  /** The section it is in, as written; undefined before the first header. */
  section: string | undefined;
  /** The key of the closest key line above it (its value may have been wrapped onto this line). */
  previousKey: string | undefined;
}

export interface ParseOptions {
  /**
   * Whether a line that does not parse may hold (part of) a secret, so the error must not quote it.
   * The parser knows nothing about which keys are secret: without a rule, no line is quoted.
   */
  mayHoldSecret?: (line: UnparsedLine) => boolean;
}

/** A syntax problem in an INI file: the message names file and line (`dwh.cfg line 7: …`). */
export class IniSyntaxError extends ConfigError {
  readonly line: number;
  constructor(file: string, line: number, problem: string) {
    super(file, undefined, undefined, problem);
    this.message = `${file} line ${line}: ${problem}`;
    this.line = line;
  }
}

interface Line {
  text: string;
  /** '\n', '\r\n', '\r', or '' for a last line without a line ending. */
  eol: string;
}

/** The pieces of a `key = value` line, so an edit can keep everything but the value. */
interface EntryParts {
  indent: string;
  key: string;
  beforeDelimiter: string;
  delimiter: string;
  afterDelimiter: string;
  /** The value as written on the key's own line, quotes included. */
  rawValue: string;
  trailing: string;
}

interface Entry {
  parts: EntryParts;
  /** Index of the key's line in `lines`. */
  line: number;
  /** Indices of the indented lines that continue the value. */
  continuation: number[];
  /** The value as configparser reads it (continuations joined with '\n'), quotes removed. */
  value: string;
  /** The quote character that wrapped the value, if any. */
  quote: '' | "'" | '"';
}

interface Section {
  /** As written between the brackets, trimmed. */
  name: string;
  /** Index of the `[NAME]` line. */
  header: number;
  /** By lower-cased key. */
  entries: Map<string, Entry>;
  /** Keys in file order. */
  order: Entry[];
}

/** A located value: which section and key spelling it came from (for messages). */
export interface IniValue {
  section: string;
  key: string;
  value: string;
  /** 1-based line number of the key. */
  line: number;
}

const ENTRY_PATTERN = /^(\s*)(.*?)(\s*)([=:])(\s*)(.*?)(\s*)$/s;
const SECTION_PATTERN = /^\[(.*)\](.*)$/s;

export class IniDocument {
  private readonly bom: boolean;
  private readonly lines: Line[];
  private sections = new Map<string, Section>();
  private readonly fileName: string;
  private readonly mayHoldSecret: (line: UnparsedLine) => boolean;

  private constructor(bom: boolean, lines: Line[], fileName: string, options: ParseOptions) {
    this.bom = bom;
    this.lines = lines;
    this.fileName = fileName;
    this.mayHoldSecret = options.mayHoldSecret ?? (() => true);
    this.reindex();
  }

  /** Parses `text`; throws IniSyntaxError naming `fileName` and the line. */
  static parse(text: string, fileName = 'dwh.cfg', options: ParseOptions = {}): IniDocument {
    const bom = text.startsWith(BOM);
    const body = bom ? text.slice(BOM.length) : text;
    if (body.includes('\0')) {
      const line = body.slice(0, body.indexOf('\0')).split(/\r\n|\n|\r/).length;
      throw new IniSyntaxError(fileName, line, 'contains a NUL byte; is this a text file?');
    }
    return new IniDocument(bom, splitLines(body), fileName, options);
  }

  /** The exact text: `serialize(parse(text)) === text`. */
  serialize(): string {
    return (this.bom ? BOM : '') + this.lines.map((line) => line.text + line.eol).join('');
  }

  /** Section names as written, in file order. */
  sectionNames(): string[] {
    return [...this.sections.values()].map((section) => section.name);
  }

  /** Key spellings as written in `section`, in file order (not including inherited DEFAULT keys). */
  keys(section: string): string[] {
    return this.sections.get(section.toLowerCase())?.order.map((entry) => entry.parts.key) ?? [];
  }

  /** The value of `key` in `section` (quotes removed), falling back to [DEFAULT]; case-insensitive. */
  get(section: string, key: string): string | undefined {
    return this.lookup(section, key)?.value;
  }

  /** Like `get`, with where the value was found. */
  lookup(section: string, key: string): IniValue | undefined {
    const lowerKey = key.toLowerCase();
    for (const name of [section.toLowerCase(), DEFAULT_SECTION]) {
      const found = this.sections.get(name);
      const entry = found?.entries.get(lowerKey);
      if (found && entry)
        return { section: found.name, key: entry.parts.key, value: entry.value, line: entry.line + 1 };
    }
    return undefined;
  }

  /**
   * Sets `key` in `section`, editing as little as possible:
   * - an existing key keeps its spelling, indentation, spacing around the delimiter and quotes;
   * - a missing key goes right after the last key of its section, spaced and quoted like it;
   * - a missing section is appended at the end of the file.
   * `undefined` writes an empty value (`KEY =`).
   */
  set(section: string, key: string, value: string | undefined): void {
    if (value !== undefined && /[\r\n]/.test(value)) {
      throw new TypeError(`A value for ${key} contains a line break; dwh.cfg values are single lines`);
    }
    const eol = this.lineEnding();
    const found = this.sections.get(section.toLowerCase());
    if (!found) {
      this.appendSection(section, key, value, eol);
    } else {
      const existing = found.entries.get(key.toLowerCase());
      if (existing) {
        this.lines[existing.line] = {
          text: renderEntry(existing.parts, existing.quote, value),
          eol: this.lines[existing.line]!.eol,
        };
        // Continuation lines belonged to the old value; dropping them from the end keeps indices valid.
        for (const index of [...existing.continuation].reverse()) this.lines.splice(index, 1);
      } else {
        const last = found.order.at(-1);
        const after = last ? (last.continuation.at(-1) ?? last.line) : found.header;
        const style = last ? last.parts : defaultParts(key);
        const text = renderEntry({ ...style, key, rawValue: style.rawValue, trailing: '' }, last?.quote ?? '', value);
        this.insertAfter(after, text, eol);
      }
    }
    this.reindex();
  }

  private appendSection(section: string, key: string, value: string | undefined, eol: string): void {
    const endedWithoutNewline = this.lines.length > 0 && this.lines.at(-1)!.eol === '';
    const last = this.lines.at(-1);
    if (last && last.eol === '') last.eol = eol;
    if (last && last.text.trim() !== '') this.lines.push({ text: '', eol });
    this.lines.push({ text: `[${section}]`, eol });
    this.lines.push({ text: renderEntry(defaultParts(key), '', value), eol: endedWithoutNewline ? '' : eol });
  }

  private insertAfter(index: number, text: string, eol: string): void {
    const previous = this.lines[index]!;
    // The new line takes over the previous line's ending so a file without a final newline keeps it that way.
    const inserted = { text, eol: previous.eol };
    if (previous.eol === '') previous.eol = eol;
    this.lines.splice(index + 1, 0, inserted);
  }

  /** The file's line ending: the first one used, LF for a file that has none yet. */
  private lineEnding(): string {
    return this.lines.find((line) => line.eol !== '')?.eol ?? '\n';
  }

  /** Builds the section/key index from `lines`, validating as configparser does. */
  private reindex(): void {
    const sections = new Map<string, Section>();
    let current: Section | undefined;
    let entry: Entry | undefined;
    let entryIndent = 0;
    let valueParts: string[] = [];
    let pendingBlankLines = 0;
    const fail = (index: number, problem: string): never => {
      throw new IniSyntaxError(this.fileName, index + 1, problem);
    };
    const finishEntry = (): void => {
      if (entry) setEntryValue(entry, valueParts.join('\n').trimEnd());
      entry = undefined;
      valueParts = [];
      pendingBlankLines = 0;
    };

    this.lines.forEach((line, index) => {
      const stripped = line.text.trim();
      if (stripped === '') {
        if (entry) pendingBlankLines += 1;
        return;
      }
      if (stripped.startsWith('#') || stripped.startsWith(';')) return;
      const indent = line.text.length - line.text.trimStart().length;
      if (entry && indent > entryIndent) {
        for (; pendingBlankLines > 0; pendingBlankLines -= 1) valueParts.push('');
        valueParts.push(stripped);
        entry.continuation.push(index);
        return;
      }
      finishEntry();

      const header = isSectionHeader(stripped) ? SECTION_PATTERN.exec(stripped) : null;
      if (header) {
        const name = header[1]!.trim();
        const rest = header[2]!.trim();
        if (name === '') fail(index, 'a section header has no name between "[" and "]"');
        if (rest !== '' && !rest.startsWith('#') && !rest.startsWith(';')) {
          fail(index, `unexpected text after the section header [${name}]`);
        }
        const previous = sections.get(name.toLowerCase());
        if (previous) {
          fail(index, `duplicate section [${name}] (first on line ${previous.header + 1}); merge the two`);
        }
        current = { name, header: index, entries: new Map(), order: [] };
        sections.set(name.toLowerCase(), current);
        return;
      }

      const match = ENTRY_PATTERN.exec(line.text);
      if (!match) {
        const unparsed = { text: stripped, section: current?.name, previousKey: this.lastKeyBefore(index, sections) };
        fail(index, missingDelimiterProblem(stripped, this.mayHoldSecret(unparsed)));
      }
      const parts: EntryParts = {
        indent: match![1]!,
        key: match![2]!,
        beforeDelimiter: match![3]!,
        delimiter: match![4]!,
        afterDelimiter: match![5]!,
        rawValue: match![6]!,
        trailing: match![7]!,
      };
      if (parts.key === '') fail(index, `a line starts with "${parts.delimiter}" but has no key before it`);
      if (!current) {
        fail(index, `key "${parts.key}" comes before any [SECTION] header; move it under its section, e.g. [AWS]`);
      }
      const section = current!;
      const duplicate = section.entries.get(parts.key.toLowerCase());
      if (duplicate) {
        fail(
          index,
          `duplicate key "${parts.key}" in [${section.name}] (first on line ${duplicate.line + 1}); keep only one`,
        );
      }
      entry = { parts, line: index, continuation: [], value: '', quote: '' };
      entryIndent = indent;
      valueParts = [parts.rawValue];
      section.entries.set(parts.key.toLowerCase(), entry);
      section.order.push(entry);
    });
    finishEntry();
    this.sections = sections;
  }

  /** The key of the closest key line above `index`, to judge whether a broken line may hold a secret. */
  private lastKeyBefore(index: number, sections: Map<string, Section>): string | undefined {
    let best: Entry | undefined;
    for (const section of sections.values()) {
      for (const entry of section.order) if (entry.line < index && (!best || entry.line > best.line)) best = entry;
    }
    return best?.parts.key;
  }
}

/** Parses INI text (see IniDocument). */
export function parse(text: string, fileName = 'dwh.cfg', options: ParseOptions = {}): IniDocument {
  return IniDocument.parse(text, fileName, options);
}

/** The text of a document, byte for byte what was parsed plus any edits. */
export function serialize(document: IniDocument): string {
  return document.serialize();
}

/**
 * Decodes file bytes as UTF-8, refusing invalid sequences (a fatal decoder, so a Latin-1 file is
 * reported rather than silently mangled on the next write-back). The BOM is kept in the text.
 */
export function decodeIniBytes(bytes: Uint8Array, fileName = 'dwh.cfg'): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new IniSyntaxError(fileName, 1, 'is saved as UTF-16; save it as UTF-8 and try again');
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    throw new IniSyntaxError(fileName, lineOfOffset(bytes, nul), 'contains a NUL byte; is this a text file?');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new IniSyntaxError(
      fileName,
      firstInvalidUtf8Line(bytes),
      'is not valid UTF-8; save the file as UTF-8 and try again',
    );
  }
}

/** Decodes and parses file bytes. */
export function parseBytes(bytes: Uint8Array, fileName = 'dwh.cfg', options: ParseOptions = {}): IniDocument {
  return IniDocument.parse(decodeIniBytes(bytes, fileName), fileName, options);
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start < text.length) {
    let end = start;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end += 1;
    let eol = '';
    if (end < text.length) eol = text[end] === '\r' && text[end + 1] === '\n' ? '\r\n' : text[end]!;
    lines.push({ text: text.slice(start, end), eol });
    start = end + eol.length;
  }
  return lines;
}

/** configparser treats `[…]` as a header only when a `]` follows; `[x = 1` is a key line. */
function isSectionHeader(stripped: string): boolean {
  return stripped.startsWith('[') && stripped.includes(']');
}

function setEntryValue(entry: Entry, joined: string): void {
  const first = joined[0];
  if (joined.length >= 2 && (first === "'" || first === '"') && joined.endsWith(first)) {
    entry.value = joined.slice(1, -1);
    entry.quote = first;
  } else {
    entry.value = joined;
    entry.quote = '';
  }
}

function defaultParts(key: string): EntryParts {
  return { indent: '', key, beforeDelimiter: ' ', delimiter: '=', afterDelimiter: ' ', rawValue: '', trailing: '' };
}

function renderEntry(parts: EntryParts, quote: '' | "'" | '"', value: string | undefined): string {
  const head = parts.indent + parts.key + parts.beforeDelimiter + parts.delimiter;
  if (value === undefined) return head;
  // `KEY =` has no space after "="; give the new value the same spacing as before the "=".
  const gap = parts.afterDelimiter === '' && parts.rawValue === '' ? parts.beforeDelimiter : parts.afterDelimiter;
  return head + gap + quoteValue(value, quote) + parts.trailing;
}

/**
 * Wraps `value` in the entry's quotes; an unquoted style still gets quotes when reading the value
 * back would otherwise change it (surrounding spaces, or surrounding quotes that would be stripped).
 */
function quoteValue(value: string, quote: '' | "'" | '"'): string {
  if (quote !== '') return quote + value + quote;
  const first = value[0];
  const wrappedInQuotes = value.length >= 2 && (first === "'" || first === '"') && value.endsWith(first);
  if (wrappedInQuotes) return (first === "'" ? '"' : "'") + value + (first === "'" ? '"' : "'");
  if (value !== value.trim()) return `'${value}'`;
  return value;
}

/** The problem for a line with neither "=" nor ":", quoting it to make it easy to find unless it may be secret. */
function missingDelimiterProblem(stripped: string, mayHoldSecret: boolean): string {
  if (mayHoldSecret) return 'missing "=" (the line is not shown because it may hold a secret); write it as KEY = value';
  return `missing "=" in ${JSON.stringify(stripped)}; write it as KEY = value`;
}

function lineOfOffset(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset; index += 1) if (bytes[index] === 0x0a) line += 1;
  return line;
}

function firstInvalidUtf8Line(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let line = 1;
  for (let index = 0; index <= bytes.length; index += 1) {
    if (index === bytes.length || bytes[index] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, index));
      } catch {
        return line;
      }
      start = index + 1;
      line += 1;
    }
  }
  return line;
}
