/**
 * Child processes for the benchmark: wall-clock time from spawn to exit, and the peak resident
 * memory, read from /proc/<pid>/status (VmHWM is the kernel's own high-water mark, so polling it
 * every 50 ms misses nothing but the last few milliseconds of a process's life).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface ChildRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set size in bytes; undefined where /proc is not available. */
  peakRssBytes: number | undefined;
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

export function runChild(command: string, args: readonly string[], options: ChildOptions = {}): Promise<ChildRun> {
  return new Promise((resolveRun, reject) => {
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
      if (timer) clearInterval(timer);
      child.once('close', () => {
        void polling.then(() => resolveRun({ exitCode, signal, stdout, stderr, wallMs, peakRssBytes: peak }));
      });
    });
  });
}
