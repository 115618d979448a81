/**
 * The context the command line runs with (src/app.ts): which prompts and spinners it picks for
 * the terminal it finds, that it reads the environment it was given (not process.env), and that
 * once closed it opens nothing again.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createContext, runCommand, type AppIo } from '../../src/app.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sparkify-context-'));
  await writeFile(join(dir, 'dwh.cfg'), '[WAREHOUSE]\nTARGET = embedded\n', { mode: 0o600 });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Streams that say they are (or are not) a terminal, and what was written to them. */
function io(env: NodeJS.ProcessEnv, tty = true) {
  const written = { stdout: '', stderr: '' };
  const stream = (name: 'stdout' | 'stderr') => {
    const out = Object.assign(new PassThrough(), { isTTY: tty });
    out.on('data', (chunk: Buffer) => (written[name] += chunk.toString('utf8')));
    return out as unknown as NodeJS.WriteStream;
  };
  const appIo: AppIo = {
    stdin: { isTTY: tty } as NodeJS.ReadStream,
    stdout: stream('stdout'),
    stderr: stream('stderr'),
    env,
    cwd: dir,
  };
  return { io: appIo, written };
}

const options = { configPath: 'dwh.cfg', yes: false, color: false };
const withdrawn = () => {
  const controller = new AbortController();
  controller.abort();
  return { message: 'Which?', choices: [{ name: 'one', value: 1 }], signal: controller.signal };
};

test('at a terminal a person is asked; with CI set to any value (CI=1 too) nobody is', async () => {
  const atTerminal = await createContext(options, io({ TERM: 'xterm' }).io);
  expect(atTerminal.ui.interactive).toBe(true);
  // The terminal prompts: a withdrawn question is withdrawn, not refused for want of a terminal.
  await expect(atTerminal.prompts.select(withdrawn())).rejects.toThrow(/withdrawn/);
  await atTerminal.close();

  for (const ci of ['1', 'true', '']) {
    const inCi = await createContext(options, io({ TERM: 'xterm', CI: ci }).io);
    expect(inCi.ui.interactive, `CI=${ci}`).toBe(false);
    await expect(inCi.prompts.select(withdrawn()), `CI=${ci}`).rejects.toThrow(/there is no terminal to ask in/);
    await inCi.close();
  }
});

test('TERM=dumb or a pipe: no terminal prompts and no animated spinners', async () => {
  for (const [env, tty] of [
    [{ TERM: 'dumb' }, true],
    [{}, false],
  ] as const) {
    const ctx = await createContext(options, io(env, tty).io);
    expect(ctx.ui.interactive).toBe(false);
    await expect(ctx.prompts.select(withdrawn())).rejects.toThrow(/there is no terminal to ask in/);
    await ctx.close();
  }
});

test('DEBUG comes from the environment the context was given, not from process.env', async () => {
  const before = process.env.DEBUG;
  delete process.env.DEBUG;
  try {
    const failing = (): Promise<never> => Promise.reject(new Error('boom'));
    const quiet = io({});
    const status = await runCommand(await createContext(options, quiet.io), 'check', failing, {
      config: 'required',
      lock: 'none',
    });
    expect(status).toBe(1);
    expect(quiet.written.stderr).toMatch(/unexpected error: boom \(set DEBUG=1 for details\)/);
    expect(quiet.written.stderr).not.toMatch(/\n\s+at /);

    const debug = io({ DEBUG: '1' });
    await runCommand(await createContext(options, debug.io), 'check', failing, { config: 'required', lock: 'none' });
    expect(debug.written.stderr).toMatch(/unexpected error: boom\n/);
    expect(debug.written.stderr).toMatch(/\n\s+at /);
  } finally {
    if (before !== undefined) process.env.DEBUG = before;
  }
});

test('a closed context opens neither the warehouse nor the AWS clients again', async () => {
  // Were it opened, this warehouse would fail otherwise: nothing listens on port 9.
  await writeFile(
    join(dir, 'dwh.cfg'),
    '[WAREHOUSE]\nTARGET = postgres\nPOSTGRES_URL = postgres://dwh@127.0.0.1:9/dwh\n',
    { mode: 0o600 },
  );
  const ctx = await createContext(options, io({}, false).io);
  await ctx.close();
  await expect(ctx.warehouse()).rejects.toThrow(/the program is ending/);
  await expect(ctx.aws()).rejects.toThrow(/the program is ending/);
});

test('other warehouse settings in dwh.cfg (the menu switched) open that warehouse; the old one is closed', async () => {
  const ctx = await createContext(options, io({}, false).io);
  try {
    const embedded = await ctx.warehouse();
    expect(embedded.description).toMatch(/^embedded \(PGlite\)/);
    expect(await ctx.warehouse()).toBe(embedded); // the same settings: the same warehouse
    await ctx.config.update([{ section: 'WAREHOUSE', key: 'EMBEDDED_DIR', value: 'other' }]);
    const other = await ctx.warehouse();
    expect(other).not.toBe(embedded);
    expect(other.description).toMatch(/other/);
    // The first folder's lock was let go: another process (here, another context) may open it.
    await ctx.config.update([{ section: 'WAREHOUSE', key: 'EMBEDDED_DIR', value: '.sparkify/warehouse' }]);
    const again = await ctx.warehouse();
    expect(again.description).toMatch(/\.sparkify\/warehouse/);
  } finally {
    await ctx.close();
  }
}, 60_000);
