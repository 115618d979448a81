/** The generic poller: it sleeps on the given clock and leaves every decision to the check. */
import { describe, expect, test } from 'vitest';
import { poll, type CheckState } from '../../src/aws/poll.js';
import { fakeClock } from './fakes.js';

type Answer = { state: 'SUCCESS'; value: string } | { state: 'FAILURE'; why: string } | { state: 'RETRY'; n: number };

/** A check that answers RETRY `retries` times, then `final`. */
function scripted(retries: number, final: Answer) {
  let calls = 0;
  return {
    calls: () => calls,
    check: async (): Promise<Answer> => {
      calls += 1;
      await Promise.resolve();
      return calls > retries ? final : { state: 'RETRY', n: calls };
    },
  };
}

describe('poll', () => {
  test('a first SUCCESS returns at once, without sleeping or progress', async () => {
    const clock = fakeClock();
    const progress: number[] = [];
    const result = await poll(scripted(0, { state: 'SUCCESS', value: 'ok' }).check, {
      clock,
      signal: new AbortController().signal,
      intervalMs: 10_000,
      timeoutMs: 60_000,
      onProgress: ({ elapsedMs }) => progress.push(elapsedMs),
    });
    expect(result).toEqual({ state: 'SUCCESS', value: 'ok', elapsedMs: 0 });
    expect(clock.sleeps).toEqual([]);
    expect(progress).toEqual([]);
  });

  test('without tickMs it sleeps the whole interval once per RETRY; a FAILURE ends it', async () => {
    const clock = fakeClock();
    const script = scripted(2, { state: 'FAILURE', why: 'broken' });
    const progress: Array<[number, number, number]> = [];
    const result = await poll(script.check, {
      clock,
      signal: new AbortController().signal,
      intervalMs: 4000,
      timeoutMs: 60_000,
      onProgress: ({ last, elapsedMs, nextCheckInMs }) => progress.push([last.n, elapsedMs, nextCheckInMs]),
    });
    expect(result).toEqual({ state: 'FAILURE', why: 'broken', elapsedMs: 8000 });
    expect(clock.sleeps).toEqual([4000, 4000]);
    expect(progress).toEqual([
      [1, 0, 4000],
      [2, 4000, 4000],
    ]);
  });

  test('with tickMs the last tick is only what is left of the interval', async () => {
    const clock = fakeClock();
    await poll(scripted(1, { state: 'SUCCESS', value: 'ok' }).check, {
      clock,
      signal: new AbortController().signal,
      intervalMs: 2500,
      timeoutMs: 60_000,
      tickMs: 1000,
    });
    expect(clock.sleeps).toEqual([1000, 1000, 500]);
  });

  test('TIMEOUT once a RETRY comes at or after the time limit, carrying that RETRY', async () => {
    const clock = fakeClock();
    const script = scripted(99, { state: 'SUCCESS', value: 'never' });
    const result = await poll(script.check, {
      clock,
      signal: new AbortController().signal,
      intervalMs: 1000,
      timeoutMs: 3000,
    });
    expect(result).toEqual({ state: 'TIMEOUT', last: { state: 'RETRY', n: 4 }, elapsedMs: 3000 });
    expect(script.calls()).toBe(4);
  });

  test('an abort during a sleep ends with ABORTED; an aborted signal checks nothing', async () => {
    const controller = new AbortController();
    const clock = fakeClock();
    clock.onSleep = () => controller.abort();
    const script = scripted(99, { state: 'SUCCESS', value: 'never' });
    const options = { clock, signal: controller.signal, intervalMs: 1000, timeoutMs: 60_000 };
    expect(await poll(script.check, options)).toEqual({ state: 'ABORTED', elapsedMs: 0 });
    expect(script.calls()).toBe(1);
    expect(await poll(script.check, options)).toEqual({ state: 'ABORTED', elapsedMs: 0 });
    expect(script.calls()).toBe(1);
  });

  test("a check's own error is thrown as it is, unless the signal fired", async () => {
    const failing = async (): Promise<{ state: CheckState }> => {
      await Promise.resolve();
      throw new Error('AWS is down');
    };
    const controller = new AbortController();
    const options = { clock: fakeClock(), signal: controller.signal, intervalMs: 1000, timeoutMs: 60_000 };
    await expect(poll(failing, options)).rejects.toThrow('AWS is down');
    const abortingCheck = async (): Promise<{ state: CheckState }> => {
      controller.abort();
      return failing();
    };
    expect(await poll(abortingCheck, options)).toEqual({ state: 'ABORTED', elapsedMs: 0 });
  });
});
