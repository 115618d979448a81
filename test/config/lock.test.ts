import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { acquireLock, isProcessAlive, processStartTime } from '../../src/config/lock.js';

let dir: string;
let lockPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkify-lock-'));
  lockPath = join(dir, 'dwh.cfg.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The lock file's content, as written by acquireLock. */
async function readLock(): Promise<Record<string, unknown> & { pid: number; command: string; started: string }> {
  return JSON.parse(await readFile(lockPath, 'utf8')) as Record<string, unknown> & {
    pid: number;
    command: string;
    started: string;
  };
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(isProcessAlive(child.pid)).toBe(false);
  return child.pid;
}

/** A live process that is not a sparkify-dwh: what a reused pid points at. Stopped after the test. */
const children: ChildProcess[] = [];
async function unrelatedLiveProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  expect(isProcessAlive(child.pid!)).toBe(true);
  return child.pid!;
}
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

/** The start time of processes can be read here (Linux /proc): the exact pid-reuse check applies. */
const startTimesKnown = processStartTime(process.pid) !== undefined;

function localTime(iso: string): string {
  const date = new Date(iso);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

async function lockError(action: () => Promise<unknown>): Promise<UserError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}

describe('acquireLock', () => {
  it('writes who holds the lock, private to the user', async () => {
    const release = await acquireLock(lockPath, 'load');
    const info = await readLock();
    // processStart tells a later run whether the pid still belongs to this process (where it can be read).
    expect(Object.keys(info)).toEqual(
      startTimesKnown
        ? ['pid', 'command', 'started', 'hostname', 'processStart']
        : ['pid', 'command', 'started', 'hostname'],
    );
    if (startTimesKnown) expect(info.processStart).toBe(processStartTime(process.pid));
    expect(info.pid).toBe(process.pid);
    expect(info.command).toBe('load');
    expect(info.hostname).toBe(hostname());
    expect(Math.abs(Date.parse(info.started) - Date.now())).toBeLessThan(10_000);
    expect((await stat(lockPath)).mode & 0o777).toBe(0o600);
    await release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('refuses a second holder while the first is alive, naming its pid, command and start time', async () => {
    const release = await acquireLock(lockPath, 'load');
    const { started } = await readLock();
    const error = await lockError(() => acquireLock(lockPath, 'tables create'));
    expect(error.message).toBe(
      `dwh.cfg is in use by another sparkify-dwh (pid ${process.pid}, "load", since ${localTime(started)}); ` +
        'wait for it to finish or stop it',
    );
    await release();
    const again = await acquireLock(lockPath, 'tables create');
    await again();
  });

  it('respects a lock held by another live process', async () => {
    const started = new Date().toISOString();
    const holder = { pid: process.ppid, command: 'cluster create', started, hostname: hostname() };
    await writeFile(lockPath, JSON.stringify(holder));
    const error = await lockError(() => acquireLock(lockPath, 'load'));
    expect(error.message).toBe(
      `dwh.cfg is in use by another sparkify-dwh (pid ${process.ppid}, "cluster create", ` +
        `since ${localTime(started)}); wait for it to finish or stop it`,
    );
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toEqual(holder);
  });

  // Only where start times are known: elsewhere a lock from before the last boot is stale (see below).
  it.runIf(startTimesKnown)('shows the date of a lock taken on another day', async () => {
    const holder = {
      pid: process.ppid,
      command: 'load',
      started: '2024-03-05T10:11:12.000Z',
      hostname: hostname(),
      processStart: processStartTime(process.ppid),
    };
    await writeFile(lockPath, JSON.stringify(holder));
    const date = new Date(holder.started);
    const pad = (value: number): string => String(value).padStart(2, '0');
    const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
    expect((await lockError(() => acquireLock(lockPath, 'load'))).message).toContain(
      `since ${day} ${localTime(holder.started)})`,
    );
  });

  it('takes over a stale lock whose process is gone', async () => {
    const pid = deadPid();
    await writeFile(
      lockPath,
      JSON.stringify({ pid, command: 'load', started: new Date().toISOString(), hostname: hostname() }),
    );
    const release = await acquireLock(lockPath, 'check');
    const info = await readLock();
    expect([info.pid, info.command]).toEqual([process.pid, 'check']);
    await release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('takes over an old unreadable lock but not one that is still being written', async () => {
    await writeFile(lockPath, '');
    expect((await lockError(() => acquireLock(lockPath, 'load'))).message).toBe(
      'dwh.cfg is in use by another sparkify-dwh (it is just starting); wait for it to finish',
    );
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(lockPath, minuteAgo, minuteAgo);
    const release = await acquireLock(lockPath, 'load');
    expect((await readLock()).pid).toBe(process.pid);
    await release();
  });

  it('respects a lock from another host, which it cannot check', async () => {
    const started = new Date().toISOString();
    await writeFile(lockPath, JSON.stringify({ pid: deadPid(), command: 'load', started, hostname: 'build-box-7' }));
    const error = await lockError(() => acquireLock(lockPath, 'load'));
    expect(error.message).toMatch(
      new RegExp(
        '^dwh\\.cfg is in use by sparkify-dwh on build-box-7 \\(pid \\d+, "load", since \\d\\d:\\d\\d:\\d\\d\\); ' +
          'wait for it to finish, or delete .*dwh\\.cfg\\.lock if that run is gone$',
      ),
    );
  });

  it.runIf(startTimesKnown)(
    'takes over, with a note, a lock whose pid now belongs to a process started later (a reused pid)',
    async () => {
      const pid = await unrelatedLiveProcess();
      const started = new Date().toISOString();
      const holder = { pid, command: 'load', started, hostname: hostname(), processStart: '1' };
      await writeFile(lockPath, JSON.stringify(holder));
      const notes: string[] = [];
      const release = await acquireLock(lockPath, 'check', { onNote: (note) => notes.push(note) });
      expect((await readLock()).pid).toBe(process.pid);
      expect(notes).toEqual([
        `Took over the lock on dwh.cfg from sparkify-dwh (pid ${pid}, "load", since ${localTime(started)}): ` +
          `that run is gone, and pid ${pid} now belongs to another program`,
      ]);
      await release();
    },
  );

  it.runIf(startTimesKnown)('respects a lock whose pid still belongs to the process that took it', async () => {
    const pid = await unrelatedLiveProcess();
    const holder = {
      pid,
      command: 'load',
      started: new Date().toISOString(),
      hostname: hostname(),
      processStart: processStartTime(pid),
    };
    await writeFile(lockPath, JSON.stringify(holder));
    expect((await lockError(() => acquireLock(lockPath, 'check'))).message).toMatch(
      new RegExp(`^dwh\\.cfg is in use by another sparkify-dwh \\(pid ${pid}, "load"`),
    );
  });

  it('takes over, with a note, a lock taken before the machine last started, whatever its pid is now', async () => {
    const pid = await unrelatedLiveProcess();
    // Written by a version that did not record start times; any process now alive started after the boot.
    const holder = { pid, command: 'load', started: '2001-02-03T04:05:06.000Z', hostname: hostname() };
    await writeFile(lockPath, JSON.stringify(holder));
    const notes: string[] = [];
    const release = await acquireLock(lockPath, 'check', { onNote: (note) => notes.push(note) });
    expect((await readLock()).pid).toBe(process.pid);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      new RegExp(`^Took over the lock on dwh\\.cfg from sparkify-dwh \\(pid ${pid}, "load", since 2001-02-0[23] `),
    );
    await release();
  });

  it('release leaves a lock alone that is no longer ours', async () => {
    const release = await acquireLock(lockPath, 'load');
    const theirs = JSON.stringify({
      pid: process.ppid,
      command: 'demo',
      started: new Date().toISOString(),
      hostname: hostname(),
    });
    await writeFile(lockPath, theirs);
    await release();
    expect(await readFile(lockPath, 'utf8')).toBe(theirs);
  });

  it('release twice is harmless', async () => {
    const release = await acquireLock(lockPath, 'load');
    await release();
    await release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('names what is locked after the lock file, and creates its folder', async () => {
    const warehouseLock = join(dir, '.sparkify', 'warehouse.lock');
    const release = await acquireLock(warehouseLock, 'demo');
    expect((await lockError(() => acquireLock(warehouseLock, 'load'))).message).toMatch(
      /^warehouse is in use by another sparkify-dwh \(pid \d+, "demo"/,
    );
    await release();
  });

  it('is released synchronously on process exit, as a safety net', async () => {
    const before = new Set(process.listeners('exit'));
    const release = await acquireLock(lockPath, 'load');
    const added = process.listeners('exit').filter((listener) => !before.has(listener));
    expect(added).toHaveLength(1);
    (added[0] as (code: number) => void)(0);
    expect(existsSync(lockPath)).toBe(false);
    await release();
    expect(process.listeners('exit').filter((listener) => !before.has(listener))).toHaveLength(0);
  });
});
