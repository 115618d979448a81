/**
 * Vitest global setup: makes a real PostgreSQL server available to the tests that need one.
 *
 * - SPARKIFY_TEST_POSTGRES_URL set (as .ci/run does): use that server.
 * - Otherwise start a throwaway server from the installed PostgreSQL binaries in a temporary
 *   folder on a free port (src/bench/postgres-server.ts, shared with the benchmark), and stop it
 *   afterwards. As root (CI machines) it runs as `postgres`, since PostgreSQL refuses root.
 * - Neither possible: the PostgreSQL tests fail with a message that says how to fix it; they are
 *   never silently skipped.
 */
import type { TestProject } from 'vitest/node';
import { findPostgresBinDir, startThrowawayPostgres } from '../../src/bench/postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    postgresProblem: string;
  }
}

let stopServer: (() => void) | undefined;

export async function setup(project: TestProject): Promise<void> {
  const given = process.env.SPARKIFY_TEST_POSTGRES_URL;
  if (given) {
    project.provide('postgresUrl', given);
    project.provide('postgresProblem', '');
    return;
  }
  if (!findPostgresBinDir()) {
    project.provide('postgresUrl', '');
    project.provide(
      'postgresProblem',
      'no PostgreSQL server binaries found: install PostgreSQL (Debian: apt-get install postgresql) or set SPARKIFY_TEST_POSTGRES_URL',
    );
    return;
  }
  const server = await startThrowawayPostgres({ maxConnections: 200 });
  stopServer = server.stop;
  project.provide('postgresUrl', server.url);
  project.provide('postgresProblem', '');
}

export async function teardown(): Promise<void> {
  stopServer?.();
}
