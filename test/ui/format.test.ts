import { describe, expect, test } from 'vitest';
import {
  formatAge,
  formatBytes,
  formatCount,
  formatDuration,
  formatMoney,
  formatNumber,
  formatRate,
  showControls,
  showControlsInMessage,
} from '../../src/ui/format.js';

describe('formatDuration', () => {
  test.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [999.4, '999 ms'],
    [999.6, '1.0 s'],
    [1000, '1.0 s'],
    [12_345, '12.3 s'],
    [59_949, '59.9 s'],
    [59_960, '1 min 00 s'],
    [245_000, '4 min 05 s'],
    [3_599_400, '59 min 59 s'],
    [3_599_600, '1 h 00 min'],
    [3_720_000, '1 h 02 min'],
    [90_000_000, '25 h 00 min'],
    [-5, '0 ms'],
    [Number.NaN, '0 ms'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('numbers', () => {
  test('formatCount groups thousands and keeps every digit of a BigInt', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-4321)).toBe('-4,321');
    expect(formatCount(1234.6)).toBe('1,235');
    expect(formatCount(9007199254740993n)).toBe('9,007,199,254,740,993');
    expect(formatCount(Number.NaN)).toBe('NaN');
  });

  test('formatNumber keeps up to five decimals by default', () => {
    expect(formatNumber(218.93179)).toBe('218.93179');
    expect(formatNumber(1234.5)).toBe('1,234.5');
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(2.345, 1)).toBe('2.3');
  });

  test('formatRate', () => {
    expect(formatRate(123_456, 1000)).toBe('123,456 rows/s');
    expect(formatRate(500, 2000)).toBe('250 rows/s');
    expect(formatRate(10, 3000)).toBe('3 rows/s');
    expect(formatRate(10, 0)).toBe('– rows/s');
  });

  test('formatBytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5_000_000)).toBe('4.8 MiB');
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
    expect(formatBytes(2 * 1024 ** 6)).toBe('2,048.0 PiB');
  });

  test('formatMoney', () => {
    expect(formatMoney(0.25)).toBe('$0.25');
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(1234.5)).toBe('$1,234.50');
    expect(formatMoney(0.004)).toBe('< $0.01');
    expect(formatMoney(0.006)).toBe('$0.01');
  });
});

describe('formatAge', () => {
  const now = Date.UTC(2024, 0, 10, 12, 0, 0);
  test.each([
    [now, 'just now'],
    [now + 5_000, 'just now'],
    [now - 9_000, 'just now'],
    [now - 42_000, '42 s ago'],
    [now - 5 * 60_000, '5 min ago'],
    [now - 3 * 3_600_000 - 59 * 60_000, '3 h ago'],
    [now - 25 * 3_600_000, '1 day ago'],
    [now - 1_500 * 86_400_000, '1,500 days ago'],
  ])('%d → %s', (from, expected) => {
    expect(formatAge(from, now)).toBe(expected);
  });
});

describe('showControls', () => {
  test('every C0 control, DEL and C1 control as an escape; other text unchanged', () => {
    expect(showControls('a\u001b[2Jb\u0007c\td\ne\rf\u0000g\u007fh\u009bi')).toBe(
      'a\\x1b[2Jb\\x07c\\td\\ne\\rf\\x00g\\x7fh\\x9bi',
    );
    expect(showControls('Björk – «Jóga» 中文 🎵 \\x1b')).toBe('Björk – «Jóga» 中文 🎵 \\x1b');
  });

  test('in messages, line breaks and tabs stay', () => {
    expect(showControlsInMessage('one\n\ttwo\u001b]0;t\u0007\r')).toBe('one\n\ttwo\\x1b]0;t\\x07\\r');
  });
});
