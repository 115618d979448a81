/**
 * retryWhileRoleNotUsable: the one wait for a new IAM role that CreateCluster and CreateNamespace
 * share. The request here is a plain function (the two callers' AWS answers are in provision.test.ts
 * and serverless.test.ts); the clock is fake, so a minute of waiting takes none.
 */
import { describe, expect, test } from 'vitest';
import { isRoleNotYetUsable } from '../../src/aws/provision-cluster.js';
import { retryWhileRoleNotUsable, ROLE_PROPAGATION } from '../../src/aws/role-propagation.js';
import { fakeClock, roleNotValid } from './fakes.js';

/** A request that fails with each of `failures` in turn, then answers 'made'; counts its calls. */
function request(failures: Error[]) {
  const calls = { count: 0 };
  const send = (): Promise<string> => {
    const failure = failures[calls.count];
    calls.count += 1;
    return failure ? Promise.reject(failure) : Promise.resolve('made');
  };
  return { send, calls };
}

function wait(clock = fakeClock(), signal = new AbortController().signal) {
  const waits: Array<[number, number]> = [];
  return {
    clock,
    waits,
    propagation: {
      clock,
      signal,
      ...ROLE_PROPAGATION,
      onWait: (elapsed: number, next: number) => waits.push([elapsed, next]),
    },
  };
}

describe('retryWhileRoleNotUsable', () => {
  test('asks again every interval while the role is refused, counting down each second, until it answers', async () => {
    const { send, calls } = request([roleNotValid(), roleNotValid()]);
    const { clock, waits, propagation } = wait();
    expect(await retryWhileRoleNotUsable(send, isRoleNotYetUsable, propagation)).toEqual({
      kind: 'done',
      value: 'made',
    });
    expect(calls.count).toBe(3);
    expect(clock.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(2 * ROLE_PROPAGATION.intervalMs);
    expect(waits.slice(0, 5)).toEqual([
      [0, 5000],
      [1000, 4000],
      [2000, 3000],
      [3000, 2000],
      [4000, 1000],
    ]);
  });

  test('still refused when the time is up: role-not-usable, with how long it waited', async () => {
    const { send, calls } = request(Array.from({ length: 100 }, roleNotValid));
    const { propagation } = wait();
    expect(await retryWhileRoleNotUsable(send, isRoleNotYetUsable, propagation)).toEqual({
      kind: 'role-not-usable',
      elapsedMs: ROLE_PROPAGATION.timeoutMs,
    });
    expect(calls.count).toBe(ROLE_PROPAGATION.timeoutMs / ROLE_PROPAGATION.intervalMs + 1);
  });

  test('any other error is thrown at once, and a role that is not new is asked once', async () => {
    const other = new Error('The request would exceed the allowed number of clusters.');
    const first = request([other]);
    await expect(retryWhileRoleNotUsable(first.send, isRoleNotYetUsable, wait().propagation)).rejects.toBe(other);
    expect(first.calls.count).toBe(1);

    const old = request([roleNotValid()]);
    await expect(retryWhileRoleNotUsable(old.send, isRoleNotYetUsable, undefined)).rejects.toThrow(/is not valid/);
    expect(old.calls.count).toBe(1);
  });

  test('Ctrl-C while waiting: aborted, nothing more is asked', async () => {
    const { send, calls } = request(Array.from({ length: 100 }, roleNotValid));
    const controller = new AbortController();
    const clock = fakeClock();
    clock.onSleep = (count) => {
      if (count === 2) controller.abort();
    };
    const { propagation } = wait(clock, controller.signal);
    expect(await retryWhileRoleNotUsable(send, isRoleNotYetUsable, propagation)).toEqual({ kind: 'aborted' });
    expect(calls.count).toBe(1);
  });
});
