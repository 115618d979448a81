/** The one way failures are put on one line, and errno codes put into words. */
import { describe, expect, test } from 'vitest';
import { errnoCode, errnoText, firstLine, oneLine, squeezeSpaces } from '../src/error-text.js';

function systemError(code: string, message = `${code}: something`): Error {
  return Object.assign(new Error(message), { code });
}

describe('oneLine', () => {
  test('joins the lines of a message, dropping the blanks around each break', () => {
    expect(oneLine('relation "x" does not exist\n  LINE 1: SELECT * FROM x\n')).toBe(
      'relation "x" does not exist LINE 1: SELECT * FROM x',
    );
    expect(oneLine("Load into table 'e' failed.  Check 'stl_load_errors'")).toBe(
      "Load into table 'e' failed.  Check 'stl_load_errors'",
    );
  });
});

describe('squeezeSpaces', () => {
  test('makes every whitespace run one space, inside a line too (AWS prose, wrapped anyhow)', () => {
    expect(squeezeSpaces('  Access denied\n\tfor  user dev.  ')).toBe('Access denied for user dev.');
  });
});

describe('firstLine', () => {
  test('keeps the summary line of a message and drops the rest', () => {
    expect(firstLine('  Cluster dwhcluster not found.\nmore text\n')).toBe('Cluster dwhcluster not found.');
    expect(firstLine('')).toBe('');
  });
});

describe('errnoCode and errnoText', () => {
  test('read the code of a system error, or of the first error of an AggregateError', () => {
    expect(errnoCode(systemError('EACCES'))).toBe('EACCES');
    const aggregate = new AggregateError([systemError('ECONNREFUSED'), systemError('EHOSTUNREACH')], 'connect');
    expect(errnoCode(aggregate)).toBe('ECONNREFUSED');
    expect(errnoText(aggregate)).toBe('connection refused');
    expect(errnoCode(new Error('no code'))).toBeUndefined();
    expect(errnoCode('a string')).toBeUndefined();
  });

  test('word the codes people meet, let the caller word one for its situation, and know nothing else', () => {
    expect(errnoText(systemError('EPERM'))).toBe('permission denied');
    expect(errnoText(systemError('ENOSPC'))).toBe('the disk is full');
    expect(errnoText(systemError('ENOENT'))).toBe('no such file or folder');
    expect(errnoText(systemError('ENOENT'), { ENOENT: 'the file disappeared while loading' })).toBe(
      'the file disappeared while loading',
    );
    expect(errnoText(systemError('EIO'))).toBeUndefined();
    expect(errnoText(new Error('no code'))).toBeUndefined();
  });
});
