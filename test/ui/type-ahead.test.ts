/**
 * The type-ahead guard on a stand-in terminal (a stream with setRawMode): what it does with each
 * key between questions. The real terminal is in test/e2e/type-ahead-pty.test.ts.
 */
import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { guardTypeAhead } from '../../src/ui/type-ahead.js';

function terminal(isTTY = true) {
  const stream = new PassThrough();
  const modes: boolean[] = [];
  const input = Object.assign(stream, {
    isTTY,
    setRawMode: (mode: boolean) => {
      modes.push(mode);
      return input;
    },
  });
  return { input, modes };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('between questions keys are dropped unechoed; Ctrl-C is raised as SIGINT, Ctrl-backslash as SIGQUIT', async () => {
  const { input, modes } = terminal();
  const raised: string[] = [];
  const guard = guardTypeAhead(input, (signal) => raised.push(signal));
  guard.hold();
  expect(modes).toEqual([true]);
  input.write('a\r');
  input.write('\u0003');
  input.write('\u001c');
  await turn();
  expect(raised).toEqual(['SIGINT', 'SIGQUIT']);
  guard.release();
  // Nothing typed while held is left for the question.
  expect(input.read()).toBeNull();
  // Keys typed once the question is there reach it.
  input.write('b');
  await turn();
  expect(String(input.read())).toBe('b');
  expect(raised).toEqual(['SIGINT', 'SIGQUIT']);
});

test('what arrived just before the question is dropped, not handed to it', () => {
  const { input } = terminal();
  const guard = guardTypeAhead(input, () => undefined);
  guard.hold();
  input.pause();
  input.write('typed during the step\r');
  guard.release();
  expect(input.read()).toBeNull();
});

test('not a terminal: nothing is read, nothing dropped', async () => {
  const { input, modes } = terminal(false);
  const guard = guardTypeAhead(input, () => undefined);
  guard.hold();
  input.write('answer\n');
  await turn();
  guard.release();
  expect(modes).toEqual([]);
  expect(String(input.read())).toBe('answer\n');
});
