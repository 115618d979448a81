/**
 * The things the benchmark times:
 * - the project's `load` as users run it: `node dist/cli.js load --yes` in a child process,
 *   against a fresh database (tables created beforehand with `tables create --yes`, untimed);
 * - the physical baseline: the same staging rows from ready COPY text files, loaded with the
 *   database's own COPY, then the very same transform SQL (src/sql/transform.ts), in one
 *   transaction, with COPY and transform timed separately.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BEGIN_SQL, COMMIT_SQL, ROLLBACK_SQL, copyFromStdinSql } from '../src/sql/session.js';
import { STAGING_EVENTS_COLUMNS, STAGING_SONGS_COLUMNS } from '../src/sql/tables.js';
import { rebuildStarStatements } from '../src/load/statements.js';
import { clearStagingSql } from '../src/sql/transform.js';
import type { Transaction } from '../src/warehouse/types.js';
import type { BenchDataset } from './dataset.js';
import { childrenCpuMs, postmasterPid, processCpuMs } from './cpu.js';
import { runChild } from './process.js';
import {
  BACKEND_PID_SQL,
  OTHER_CONNECTIONS_SQL,
  STAR_COUNTS_SQL,
  createDatabaseSql,
  dropDatabaseSql,
  noAutovacuumSql,
} from './sql.js';

export type Engine = 'postgres' | 'embedded';

/** Rows per table after a load, and an MD5 of each star table's content (equal tables, equal digests). */
export interface StarCounts {
  stagingEvents: number;
  stagingSongs: number;
  songplays: number;
  users: number;
  time: number;
  digest: string;
}

export interface LoadRun {
  wallMs: number;
  peakRssBytes: number | undefined;
  clientCpuMs: number | undefined;
  serverCpuMs: number | undefined;
  counts: StarCounts | undefined;
}

export interface BaselineRun {
  wallMs: number;
  clientCpuMs: number | undefined;
  serverCpuMs: number | undefined;
  copyMs: number;
  transformMs: number;
  /** Time per star table, in load order. */
  transformByTable: Record<string, number>;
  counts: StarCounts | undefined;
}

/** A fresh database (postgres) or folder (embedded) for one run, and its dwh.cfg. */
interface Target {
  engine: Engine;
  dir: string;
  configPath: string;
  /** postgres: the database URL; embedded: undefined. */
  url: string | undefined;
  embeddedDir: string;
  dispose(): Promise<void>;
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function makeTarget(engine: Engine, adminUrl: string | undefined, dataset: BenchDataset): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), `sparkify-bench-${engine}-`));
  const embeddedDir = join(dir, 'warehouse');
  let url: string | undefined;
  let database: string | undefined;
  if (engine === 'postgres') {
    if (adminUrl === undefined) throw new Error('the postgres variants need a server URL');
    database = `sparkify_bench_${randomBytes(5).toString('hex')}`;
    await adminQuery(adminUrl, createDatabaseSql(database));
    const parsed = new URL(adminUrl);
    parsed.pathname = `/${database}`;
    url = parsed.toString();
  }
  const configPath = join(dir, 'dwh.cfg');
  const config = [
    '[WAREHOUSE]',
    `TARGET = ${engine}`,
    `EMBEDDED_DIR = ${embeddedDir}`,
    `POSTGRES_URL = ${url ?? ''}`,
    '',
    '[LOCAL]',
    `SONG_DATA = ${dataset.songData}`,
    `LOG_DATA = ${dataset.logData}`,
    '',
  ].join('\n');
  await writeFile(configPath, config, { mode: 0o600 });
  return {
    engine,
    dir,
    configPath,
    url,
    embeddedDir,
    async dispose() {
      if (database !== undefined && adminUrl !== undefined) await adminQuery(adminUrl, dropDatabaseSql(database));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function cli(cliPath: string, target: Target, args: string[]) {
  const run = await runChild(process.execPath, [cliPath, '--config', target.configPath, '--no-color', ...args], {
    cwd: target.dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (run.exitCode !== 0) {
    const output = `${run.stderr}\n${run.stdout}`.trim().split('\n').slice(-5).join(' | ');
    throw new Error(`sparkify-dwh ${args.join(' ')} failed (exit ${run.exitCode ?? run.signal}): ${output}`);
  }
  return run;
}

async function postgresCounts(url: string): Promise<StarCounts> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string>>(STAR_COUNTS_SQL);
    return toCounts(rows[0] ?? {});
  } finally {
    await client.end();
  }
}

function toCounts(row: Record<string, unknown>): StarCounts {
  return {
    stagingEvents: Number(row.staging_events),
    stagingSongs: Number(row.staging_songs),
    songplays: Number(row.songplays),
    users: Number(row.users),
    time: Number(row.time_rows),
    digest: String(row.digest),
  };
}

/** (a) The project's load, as a user runs it. */
export async function runProjectLoad(options: {
  cliPath: string;
  engine: Engine;
  adminUrl: string | undefined;
  dataset: BenchDataset;
}): Promise<LoadRun> {
  const target = await makeTarget(options.engine, options.adminUrl, options.dataset);
  try {
    await cli(options.cliPath, target, ['tables', 'create', '--yes']);
    const server = target.url === undefined ? undefined : await serverWatch(target.url);
    const serverBefore = await server?.idleCpuMs();
    const load = await cli(options.cliPath, target, ['load', '--yes']);
    const serverAfter = await server?.idleCpuMs();
    await server?.close();
    const counts = target.url !== undefined ? await postgresCounts(target.url) : undefined;
    return {
      wallMs: load.wallMs,
      peakRssBytes: load.peakRssBytes,
      clientCpuMs: load.cpuMs,
      serverCpuMs: serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore,
      counts,
    };
  } finally {
    await target.dispose();
  }
}

/**
 * The CPU time the server's finished connections used, read from the server's process once no
 * other connection to the benchmark's database is left (so the load's own has ended and been
 * counted). Undefined when the server is not on this machine or its files cannot be read.
 */
async function serverWatch(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // The benchmark's tables must not be vacuumed in the background in the middle of a measurement.
  for (const statement of noAutovacuumSql()) await client.query(statement);
  const pid = await postmasterPid(client);
  return {
    async idleCpuMs(): Promise<number | undefined> {
      if (pid === undefined) return undefined;
      for (let attempt = 0; attempt < 100; attempt++) {
        const { rows } = await client.query<{ others: string }>(OTHER_CONNECTIONS_SQL);
        if (Number(rows[0]?.others ?? 0) === 0) break;
        await new Promise((resolveWait) => setTimeout(resolveWait, 20));
      }
      // A connection leaves the server's list a moment before its process is reaped.
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
      return childrenCpuMs(pid);
    },
    close: () => client.end(),
  };
}

/**
 * Exactly the star statements the load runs (src/load/statements.ts), timed one by one: the
 * inserts per table, the clearing and the setting aside of keys under their own names.
 */
async function transformTimed(run: (sql: string) => Promise<unknown>): Promise<Record<string, number>> {
  const byTable: Record<string, number> = {};
  for (const statement of rebuildStarStatements('postgres')) {
    const started = performance.now();
    await run(statement.sql);
    const name = statement.step === 'transform' ? statement.table : statement.step;
    byTable[name] = (byTable[name] ?? 0) + performance.now() - started;
  }
  return byTable;
}

const sum = (values: Record<string, number>): number =>
  Object.values(values).reduce((total, value) => total + value, 0);

/** (b) PostgreSQL: COPY … FROM STDIN of the ready files through pg-copy-streams, then the transforms. */
async function postgresBaseline(url: string, dataset: BenchDataset): Promise<Omit<BaselineRun, 'counts'>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(BACKEND_PID_SQL);
    const backend = rows[0]?.pid;
    const serverBefore = backend === undefined ? undefined : processCpuMs(backend);
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    await client.query(BEGIN_SQL);
    try {
      for (const statement of clearStagingSql('postgres')) await client.query(statement);
      const copyStarted = performance.now();
      await pipeline(
        createReadStream(dataset.songsCopyFile),
        client.query(copyFrom(copyFromStdinSql('staging_songs', STAGING_SONGS_COLUMNS))),
      );
      await pipeline(
        createReadStream(dataset.eventsCopyFile),
        client.query(copyFrom(copyFromStdinSql('staging_events', STAGING_EVENTS_COLUMNS))),
      );
      const copyMs = performance.now() - copyStarted;
      const transformByTable = await transformTimed((sql) => client.query(sql));
      await client.query(COMMIT_SQL);
      const wallMs = performance.now() - started;
      const clientUsed = process.cpuUsage(clientBefore);
      const serverAfter = backend === undefined ? undefined : processCpuMs(backend);
      return {
        wallMs,
        clientCpuMs: (clientUsed.user + clientUsed.system) / 1000,
        serverCpuMs: serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore,
        copyMs,
        transformMs: sum(transformByTable),
        transformByTable,
      };
    } catch (error) {
      await client.query(ROLLBACK_SQL).catch(() => undefined);
      throw error;
    }
  } finally {
    await client.end();
  }
}

/** Read a ready COPY file as text chunks of `chunkBytes`. */
async function* fileChunks(path: string, chunkBytes: number): AsyncGenerator<string> {
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes }))
    yield chunk as string;
}

/** (b) PGlite: the same ready text through PGlite's COPY (the embedded warehouse's copyIn), then the transforms. */
async function embeddedBaseline(
  embeddedDir: string,
  dataset: BenchDataset,
  cliPath: string,
): Promise<Omit<BaselineRun, 'counts'> & { counts: StarCounts }> {
  const [{ openEmbedded, setEmbeddedTemplateDir }, { setEmbeddedWorkerEntry }] = await Promise.all([
    import('../src/warehouse/embedded.js'),
    import('../src/warehouse/embedded-host.js'),
  ]);
  // The worker and the template are what `npm run build` put beside the CLI (dist/warehouse): the
  // compiled benchmark has neither beside its own copy of the sources, and the load uses these.
  const built = join(dirname(cliPath), 'warehouse');
  setEmbeddedWorkerEntry(pathToFileURL(join(built, 'embedded-worker.js')));
  setEmbeddedTemplateDir(join(built, 'pglite-template'));
  const warehouse = await openEmbedded(embeddedDir);
  try {
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    let copyMs = 0;
    let transformByTable: Record<string, number> = {};
    const copy = warehouse.capabilities.copyFromStdin;
    if (copy === undefined) throw new Error('the embedded warehouse has no COPY FROM STDIN');
    await warehouse.transaction(async (tx: Transaction) => {
      for (const statement of clearStagingSql('postgres')) await tx.query(statement);
      const copyStarted = performance.now();
      await copy.copyIn(tx, 'staging_songs', STAGING_SONGS_COLUMNS, fileChunks(dataset.songsCopyFile, 256 * 1024));
      await copy.copyIn(tx, 'staging_events', STAGING_EVENTS_COLUMNS, fileChunks(dataset.eventsCopyFile, 256 * 1024));
      copyMs = performance.now() - copyStarted;
      transformByTable = await transformTimed((sql) => tx.query(sql));
    });
    const wallMs = performance.now() - started;
    // PGlite runs in this process: its CPU time is the benchmark's own.
    const used = process.cpuUsage(clientBefore);
    const { rows } = await warehouse.query(STAR_COUNTS_SQL);
    return {
      wallMs,
      clientCpuMs: (used.user + used.system) / 1000,
      serverCpuMs: undefined,
      copyMs,
      transformMs: sum(transformByTable),
      transformByTable,
      counts: toCounts(rows[0] ?? {}),
    };
  } finally {
    await warehouse.close();
  }
}

export async function runBaseline(options: {
  cliPath: string;
  engine: Engine;
  adminUrl: string | undefined;
  dataset: BenchDataset;
}): Promise<BaselineRun> {
  const target = await makeTarget(options.engine, options.adminUrl, options.dataset);
  try {
    await cli(options.cliPath, target, ['tables', 'create', '--yes']);
    if (target.url !== undefined) {
      const server = await serverWatch(target.url);
      await server.close();
      const timed = await postgresBaseline(target.url, options.dataset);
      return { ...timed, counts: await postgresCounts(target.url) };
    }
    return await embeddedBaseline(target.embeddedDir, options.dataset, options.cliPath);
  } finally {
    await target.dispose();
  }
}
