import { describe, expect, test } from 'vitest';
import { isCapableTerminal, isInteractive } from '../../src/ui/interactive.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('isInteractive: a person at the terminal', () => {
  test.each([
    ['stdin and stdout TTYs', {}, [tty, tty], true],
    ['stdin piped', {}, [pipe, tty], false],
    ['stdout piped', {}, [tty, pipe], false],
    ['a stream without isTTY', {}, [tty, {}], false],
    ['no stream at all', {}, [], false],
    ['TERM=dumb', { TERM: 'dumb' }, [tty, tty], false],
    ['TERM=xterm-256color', { TERM: 'xterm-256color' }, [tty, tty], true],
    ['CI=true', { CI: 'true' }, [tty, tty], false],
    // Any value of CI counts: CI=1 (and an empty CI) used to count as interactive.
    ['CI=1', { CI: '1' }, [tty, tty], false],
    ['CI empty', { CI: '' }, [tty, tty], false],
    ['CI=false still means a CI runner set it', { CI: 'false' }, [tty, tty], false],
  ] as const)('%s', (_name, env, streams, expected) => {
    expect(isInteractive(env as NodeJS.ProcessEnv, ...streams)).toBe(expected);
  });
});

describe('isCapableTerminal: colour and cursor movement, CI or not', () => {
  test.each([
    ['a TTY', {}, tty, true],
    ['a TTY under CI', { CI: '1' }, tty, true],
    ['a TTY with TERM=dumb', { TERM: 'dumb' }, tty, false],
    ['a pipe', {}, pipe, false],
  ] as const)('%s', (_name, env, stream, expected) => {
    expect(isCapableTerminal(env as NodeJS.ProcessEnv, stream)).toBe(expected);
  });
});
