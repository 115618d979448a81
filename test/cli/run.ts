/**
 * Runs the BUILT program as a user would: `node dist/cli.js …` as a child process, in a folder of
 * the test's choosing, with no terminal, no stdin, no colour and no DEBUG (unless asked for).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const cli = join(root, 'dist', 'cli.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Build dist/ when it is missing or older than src/ (npm test builds first anyway). */
export function ensureBuilt(): void {
  if (existsSync(cli) && statSync(cli).mtimeMs >= newestMtime(join(root, 'src'))) return;
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** The environment a user's shell would give, minus DEBUG, plus CI=true and NO_COLOR=1. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1' };
  delete env.DEBUG;
  delete env.FORCE_COLOR;
  // Never reach real AWS from a test, whatever the machine has configured.
  env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
  env.AWS_EC2_METADATA_DISABLED = 'true';
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Start the program; the caller decides when to signal it. */
export function startCli(args: string[], options: RunOptions): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000);
  const done = new Promise<CliResult>((resolveDone, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timeout);
      resolveDone({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export function runCli(args: string[], options: RunOptions): Promise<CliResult> {
  return startCli(args, options).done;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `sparkify-${prefix}-`));
}

/** A dwh.cfg from section → key → value, written 0600. */
export async function writeConfig(path: string, sections: Record<string, Record<string, string>>): Promise<void> {
  const text = Object.entries(sections)
    .map(([section, keys]) =>
      [`[${section}]`, ...Object.entries(keys).map(([key, value]) => `${key} = ${value}`), ''].join('\n'),
    )
    .join('\n');
  await writeFile(path, text, { mode: 0o600 });
}

/** `sql QUERY --format json` parsed; throws with the program's stderr when it fails. */
export async function sqlJson<T = Record<string, unknown>>(
  query: string,
  options: RunOptions & { args?: string[] },
): Promise<T[]> {
  const result = await runCli([...(options.args ?? []), 'sql', query, '--format', 'json'], options);
  if (result.code !== 0) throw new Error(`sql ${query} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T[];
}

/**
 * The lines the program wrote to stderr as its failure: the last ✖ line (or commander's
 * `error:` line for usage errors) and its optional → hint.
 */
export function failureMessage(stderr: string): string[] {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  const last = lines.findLastIndex((line) => line.startsWith('✖') || line.startsWith('error:'));
  if (last < 0) return [];
  const message = [lines[last]!];
  if (lines[last + 1]?.startsWith('  →')) message.push(lines[last + 1]!);
  return message;
}

export const STAR_TABLES = ['songplays', 'users', 'songs', 'artists', 'time'] as const;

/**
 * Every star table's full contents in a fixed order, in ONE query (one process start: PGlite takes
 * a second to open), as JSON: compare two of these to compare states.
 */
export async function starSnapshot(options: RunOptions & { args?: string[] }): Promise<Record<string, unknown[]>> {
  const orderBy: Record<(typeof STAR_TABLES)[number], string> = {
    songplays: 'songplay_id',
    users: 'user_id',
    songs: 'song_id',
    artists: 'artist_id',
    time: 'start_time',
  };
  // Every column, songplay_id included: the transform numbers plays deterministically.
  const columns = STAR_TABLES.map(
    (table) =>
      `(SELECT coalesce(json_agg(t ORDER BY t.${orderBy[table]}), '[]'::json) FROM ${table} t)::text AS ${table}`,
  );
  const [row] = await sqlJson<Record<string, string>>(`SELECT ${columns.join(', ')}`, options);
  return Object.fromEntries(STAR_TABLES.map((table) => [table, JSON.parse(row![table]!) as unknown[]]));
}
