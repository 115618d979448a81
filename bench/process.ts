/**
 * Child processes for the benchmark: wall-clock time from spawn to exit, the peak resident
 * memory, and the CPU time the child used (user + system), which a busy machine inflates far
 * less than wall time.
 *
 * Peak memory is the kernel's own count for the whole process, threads included (a PGlite worker
 * thread counts), whatever the program does inside: GNU time's %M (the child's ru_maxrss, exact
 * at exit) where /usr/bin/time is GNU time, else VmHWM polled from /proc/<pid>/status every 50 ms
 * (a high-water mark, so polling misses only the last few milliseconds of the process's life).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childrenCpuMs } from './cpu.js';

const GNU_TIME = '/usr/bin/time';
let gnuTime: boolean | undefined;

/** True when /usr/bin/time is GNU time (BSD's and busybox's have no -f/-o with %M). */
function hasGnuTime(): boolean {
  if (gnuTime === undefined) {
    gnuTime =
      process.env.BENCH_GNU_TIME !== 'off' &&
      existsSync(GNU_TIME) &&
      /GNU/.test(spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' }).stderr ?? '');
  }
  return gnuTime;
}

/** GNU time's maximum resident set size (KiB) from its -o file, in bytes. */
async function readTimeFile(path: string): Promise<number | undefined> {
  try {
    const kib = Number((await readFile(path, 'utf8')).trim().split('\n').at(-1));
    return Number.isFinite(kib) && kib > 0 ? kib * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface ChildRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set size in bytes; undefined where /proc is not available. */
  peakRssBytes: number | undefined;
  /** CPU time (user + system) of the child, in ms (10 ms resolution); undefined without /proc. */
  cpuMs: number | undefined;
}

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Poll VmHWM while the child runs (default true). */
  sampleMemory?: boolean;
}

const MEMORY_POLL_MS = 50;

async function readPeakRssBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined; // the process has just exited, or no /proc on this system
  }
}

export async function runChild(
  command: string,
  args: readonly string[],
  options: ChildOptions = {},
): Promise<ChildRun> {
  if (options.sampleMemory === false || !hasGnuTime()) return spawnChild(command, args, options);
  const dir = await mkdtemp(join(tmpdir(), 'sparkify-bench-time-'));
  try {
    const out = join(dir, 'maxrss');
    const run = await spawnChild(GNU_TIME, ['-f', '%M', '-o', out, command, ...args], {
      ...options,
      sampleMemory: false,
    });
    return { ...run, peakRssBytes: await readTimeFile(out) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function spawnChild(command: string, args: readonly string[], options: ChildOptions): Promise<ChildRun> {
  return new Promise((resolveRun, reject) => {
    // The children's CPU time of this process grows by the child's once it has been reaped, which
    // has happened when 'exit' is emitted; one child runs at a time, so the difference is its own.
    const cpuBefore = childrenCpuMs();
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    let peak: number | undefined;
    let polling: Promise<void> = Promise.resolve();
    const poll = (): void => {
      const pid = child.pid;
      if (pid === undefined) return;
      polling = readPeakRssBytes(pid).then((bytes) => {
        if (bytes !== undefined) peak = Math.max(peak ?? 0, bytes);
      });
    };
    const timer = options.sampleMemory === false ? undefined : setInterval(poll, MEMORY_POLL_MS);
    if (options.sampleMemory !== false) poll();
    child.once('error', (error) => {
      if (timer) clearInterval(timer);
      reject(error);
    });
    child.once('exit', (exitCode, signal) => {
      const wallMs = performance.now() - started;
      const cpuAfter = childrenCpuMs();
      const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
      if (timer) clearInterval(timer);
      child.once('close', () => {
        void polling.then(() => resolveRun({ exitCode, signal, stdout, stderr, wallMs, peakRssBytes: peak, cpuMs }));
      });
    });
  });
}
