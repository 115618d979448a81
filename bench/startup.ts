/**
 * Start-up: how long until the user sees something. `node -e 0` is the floor (Node itself);
 * `--version` is the CLI's import cost; the menu is timed in a real pseudo-terminal (node-pty)
 * until its question "What next?" is drawn.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as NodePty from 'node-pty';
import { runChild } from './process.js';

export const MENU_QUESTION = 'What next?';

export interface StartupSamples {
  nodeMs: number[];
  versionMs: number[];
  /** Empty when node-pty could not be loaded. */
  menuMs: number[];
  menuProblem: string | undefined;
}

async function timeCommand(args: string[], times: number, cwd: string): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < times; index++) {
    const run = await runChild(process.execPath, args, { cwd, sampleMemory: false });
    if (run.exitCode !== 0)
      throw new Error(`node ${args.join(' ')} failed (exit ${run.exitCode}): ${run.stderr.trim()}`);
    samples.push(run.wallMs);
  }
  return samples;
}

type PtyModule = typeof NodePty;

/** Time from spawning the menu in a pty until the question is on screen; the process is then killed. */
function timeMenuOnce(
  pty: PtyModule,
  cliPath: string,
  configPath: string,
  cwd: string,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolveTime, reject) => {
    const started = performance.now();
    const child = pty.spawn(process.execPath, [cliPath, '--config', configPath], {
      name: 'xterm-256color',
      cols: 120,
      rows: 40,
      cwd,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let screen = '';
    let settled = false;
    let exited = false;
    let outcome: (() => void) | undefined;
    const finish = (error: Error | undefined, ms?: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome = error ? () => reject(error) : () => resolveTime(ms!);
      // Settled once the child has gone: the next start would otherwise find its dwh.cfg lock
      // still held ("in use by another sparkify-dwh") on a busy machine.
      if (exited) outcome();
      else
        try {
          child.kill();
          // A menu that outlives the hang-up (seen once in ~60 runs, its statuses still being read)
          // is killed outright: the runs that follow need its lock free.
          setTimeout(() => {
            if (!exited) child.kill('SIGKILL');
          }, 3_000).unref();
        } catch {
          outcome(); // already gone
        }
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(`the menu did not appear within ${timeoutMs} ms; it showed: ${JSON.stringify(screen.slice(-300))}`),
        ),
      timeoutMs,
    );
    child.onData((data) => {
      screen += data;
      if (screen.includes(MENU_QUESTION)) finish(undefined, performance.now() - started);
    });
    child.onExit(({ exitCode }) => {
      exited = true;
      if (settled) outcome?.();
      else
        finish(
          new Error(
            `the menu exited (code ${exitCode}) before asking; it showed: ${JSON.stringify(screen.slice(-300))}`,
          ),
        );
    });
  });
}

export async function measureStartup(options: {
  cliPath: string;
  times: number;
  menuTimes: number;
}): Promise<StartupSamples> {
  const dir = await mkdtemp(join(tmpdir(), 'sparkify-bench-startup-'));
  try {
    const nodeMs: number[] = [];
    const versionMs: number[] = [];
    // Interleaved, so a burst of noise from other work on the machine hits both alike.
    for (let index = 0; index < options.times; index++) {
      nodeMs.push(...(await timeCommand(['-e', '0'], 1, dir)));
      versionMs.push(...(await timeCommand([options.cliPath, '--version'], 1, dir)));
    }
    const configPath = join(dir, 'dwh.cfg');
    await writeFile(
      configPath,
      [
        '[WAREHOUSE]',
        'TARGET = embedded',
        `EMBEDDED_DIR = ${join(dir, 'warehouse')}`,
        '',
        '[LOCAL]',
        `SONG_DATA = ${join(dir, 'song_data')}`,
        `LOG_DATA = ${join(dir, 'log_data')}`,
        '',
      ].join('\n'),
      {
        mode: 0o600,
      },
    );
    let pty: PtyModule;
    try {
      pty = (await import('node-pty')).default;
    } catch (error) {
      return {
        nodeMs,
        versionMs,
        menuMs: [],
        menuProblem: `node-pty unavailable: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const menuMs: number[] = [];
    // The first start may create the embedded warehouse folder; that one-off is not start-up.
    await timeMenuOnce(pty, options.cliPath, configPath, dir, 60_000);
    for (let index = 0; index < options.menuTimes; index++)
      menuMs.push(await timeMenuOnce(pty, options.cliPath, configPath, dir, 60_000));
    return { nodeMs, versionMs, menuMs, menuProblem: undefined };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
