/**
 * A throwaway PostgreSQL server for the benchmark when none is given: initdb in a temporary
 * folder, pg_ctl start on a free port, stopped and deleted afterwards. As root it runs as
 * `postgres` (PostgreSQL refuses to run as root). The test suite's global setup
 * (test/support/global-postgres.ts) starts its server with this too.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface ThrowawayPostgres {
  /** Superuser URL of the `postgres` database (the benchmark creates its own databases on it). */
  url: string;
  /** `postgres --version` of the binaries used. */
  version: string;
  stop(): void;
}

/** The folder with initdb/pg_ctl/postgres: pg_config's, else the newest under /usr/lib/postgresql. */
export function findPostgresBinDir(): string | undefined {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  } catch {
    // pg_config missing: look where Debian puts server binaries.
  }
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = join(base, version, 'bin');
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitUntilAccepting(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`throwaway PostgreSQL did not start: ${String(error)}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
  }
}

/**
 * Start a server tuned like the test server (no fsync: the benchmark compares two ways of loading
 * into the same server, and durability costs would only add the same constant to both).
 */
export async function startThrowawayPostgres(options: { maxConnections?: number } = {}): Promise<ThrowawayPostgres> {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error('no PostgreSQL server binaries found: install PostgreSQL or set BENCH_POSTGRES_URL');
  const asRoot = process.getuid?.() === 0;
  const runAs = (cmd: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const dataRoot = mkdtempSync(join(tmpdir(), 'sparkify-bench-pg-'));
  chmodSync(dataRoot, 0o777);
  const dataDir = join(dataRoot, 'data');
  const [initCmd, initArgs] = runAs(join(binDir, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dataRoot} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=${options.maxConnections ?? 50}`;
  const [startCmd, startArgs] = runAs(join(binDir, 'pg_ctl'), [
    '-D',
    dataDir,
    '-o',
    serverOptions,
    '-l',
    join(dataRoot, 'server.log'),
    '-w',
    'start',
  ]);
  execFileSync(startCmd, startArgs, { stdio: 'ignore' });
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    const [stopCmd, stopArgs] = runAs(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    try {
      execFileSync(stopCmd, stopArgs, { stdio: 'ignore' });
    } finally {
      rmSync(dataRoot, { recursive: true, force: true });
    }
  };
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitUntilAccepting(url, 30_000);
  } catch (error) {
    stop();
    throw error;
  }
  const version = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
  return { url, version, stop };
}
