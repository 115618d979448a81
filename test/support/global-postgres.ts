/**
 * Vitest global setup: makes a real PostgreSQL server available to the tests that need one.
 *
 * - SPARKIFY_TEST_POSTGRES_URL set (as .ci/run does): use that server.
 * - Otherwise start a throwaway server from the installed PostgreSQL binaries in a temporary
 *   folder on a free port, and stop it afterwards. As root (CI machines) it runs as `postgres`,
 *   since PostgreSQL refuses to run as root.
 * - Neither possible: the PostgreSQL tests fail with a message that says how to fix it; they are
 *   never silently skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    postgresProblem: string;
  }
}

function findBinDir(): string | undefined {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let stopServer: (() => void) | undefined;
let dataRoot: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const given = process.env.SPARKIFY_TEST_POSTGRES_URL;
  if (given) {
    project.provide('postgresUrl', given);
    project.provide('postgresProblem', '');
    return;
  }
  const binDir = findBinDir();
  if (!binDir) {
    project.provide('postgresUrl', '');
    project.provide('postgresProblem', 'no PostgreSQL server binaries found: install PostgreSQL (Debian: apt-get install postgresql) or set SPARKIFY_TEST_POSTGRES_URL');
    return;
  }
  const asRoot = process.getuid?.() === 0;
  const runAs = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  dataRoot = mkdtempSync(join(tmpdir(), 'sparkify-pg-'));
  chmodSync(dataRoot, 0o777);
  const dataDir = join(dataRoot, 'data');
  const [initCmd, initArgs] = runAs(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dataRoot} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const [startCmd, startArgs] = runAs(join(binDir, 'pg_ctl'), ['-D', dataDir, '-o', serverOptions, '-l', join(dataRoot, 'server.log'), '-w', 'start']);
  execFileSync(startCmd, startArgs, { stdio: 'ignore' });
  stopServer = () => {
    const [stopCmd, stopArgs] = runAs(join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    execFileSync(stopCmd, stopArgs, { stdio: 'ignore' });
  };
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const { default: pg } = await import('pg');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`test PostgreSQL did not start: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  project.provide('postgresUrl', url);
  project.provide('postgresProblem', '');
}

export async function teardown(): Promise<void> {
  stopServer?.();
  if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
}
