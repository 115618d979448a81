/**
 * Messages printed before string-width has loaded (src/ui/wrap.ts loads it after the menu's first
 * drawing, docs/performance.md) are wrapped on an over-estimate of their width: a line may break
 * a little early, but never runs past the terminal's edge.
 */
import stringWidth from 'string-width';
import { expect, test, vi } from 'vitest';

test('before string-width loads, no wrapped line is wider than the terminal', async () => {
  vi.resetModules();
  const fresh = await import('../../src/ui/wrap.js');
  const text = [
    '✔ Loaded 8,056 events — 6,820 songplays matched the catalog (84.7 %) in 1.2 s',
    '中文歌曲 日本語の曲名 한국어 노래 제목 are titles that take two columns for each character',
    '👩‍👩‍👧 🎶🎸 emoji 🇫🇷 flags and families are two columns each, whatever their length in code units',
    `\u001b[32mcoloured\u001b[39m text is wrapped too ${'word '.repeat(12)}`,
  ].join('\n');
  for (const columns of [20, 33, 40, 80]) {
    const lines = fresh.wrapToWidth(text, columns, 2).split('\n');
    // Words wider than the terminal keep a line of their own; every other line fits.
    for (const line of lines) if (line.trim().includes(' ')) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
  }
  // Once loaded, the widths are exact: the same text wraps at least as late.
  const before = fresh.wrapToWidth(text, 40, 2).split('\n').length;
  await fresh.loadStringWidth();
  expect(fresh.wrapToWidth(text, 40, 2).split('\n').length).toBeLessThanOrEqual(before);
});

test('the characters counted without string-width are one column each to string-width too', async () => {
  const { displayWidth } = await import('../../src/ui/wrap.js');
  const ranges: Array<[number, number]> = [
    [0x20, 0x7e],
    [0xa0, 0xac],
    [0xae, 0xff],
    [0x2500, 0x257f],
  ];
  const singles = [
    0x2013, 0x2014, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2026, 0x2192, 0x26a0, 0x2714, 0x2716, 0x276f,
  ];
  const characters = [
    ...ranges.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i))),
    ...singles.map((code) => String.fromCodePoint(code)),
  ];
  for (const character of characters) expect([character, stringWidth(character)]).toEqual([character, 1]);
  const menuLine = '╭─ Sparkify · “data” – warehouse … ✔ ⚠ ✖ ❯ → • café ─╮';
  expect(displayWidth(menuLine)).toBe(stringWidth(menuLine));
});
