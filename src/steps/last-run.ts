/**
 * What `check` and `analytics` did last, per warehouse: when, the result, and the row counts of
 * the tables they ran on, so the menu can show "✔ done (8 passed 12:03)" instead of "not yet",
 * and "stale" once the tables have changed since (a reload, or new tables).
 *
 * Kept in .sparkify/runs.json beside dwh.cfg, written atomically, rather than in a table beside
 * the load history (sparkify_load_history, src/sql/tables.ts). The load writes its history inside
 * its own transaction because it changes the tables anyway; `check` and `analytics` only read
 * (read-only transactions, no dwh.cfg lock, allowed for a user who may only SELECT), and a write
 * would change that, cost a Data API round trip on Redshift, and be lost with `tables create`. The
 * file works the same on every target, also when the warehouse is down, and says nothing secret
 * (warehouses are named by folder, server and database, never with a password). What the run saw
 * (row counts) is kept with it, so a reload shows the record as stale rather than wrong. The store
 * sits behind RunStore, so it can move without touching the steps that record.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../config/atomic.js';
import type { DwhConfig, Target } from '../config/types.js';
import type { Context } from '../context.js';
import { errnoText } from '../error-text.js';
import type { WarehouseState } from './state.js';

export type RunKind = 'check' | 'analytics';

export interface LastRun {
  /** When it finished, in milliseconds since the epoch. */
  at: number;
  /** Checks that passed (analytics: queries shown). */
  passed: number;
  /** Checks that failed (analytics: 0). */
  failed: number;
  /** Row counts of our tables when it ran. */
  rows: Record<string, number>;
}

export type LastRuns = Partial<Record<RunKind, LastRun>>;

/** Where the last runs are kept, for one warehouse at a time (named by `warehouseKey`). */
export interface RunStore {
  read(warehouse: string): Promise<LastRuns>;
  write(warehouse: string, kind: RunKind, run: LastRun): Promise<void>;
}

/** The store for a context: .sparkify/runs.json in the folder of its dwh.cfg. */
export function runStoreFor(ctx: Context): RunStore {
  return fileRunStore(join(dirname(ctx.config.path), '.sparkify', 'runs.json'));
}

interface RunsFile {
  version: 1;
  warehouses: Record<string, LastRuns>;
}

export function fileRunStore(path: string): RunStore {
  const load = async (): Promise<RunsFile> => {
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<RunsFile>;
      if (parsed.version === 1 && typeof parsed.warehouses === 'object' && parsed.warehouses !== null)
        return { version: 1, warehouses: parsed.warehouses };
    } catch {
      // Missing or unreadable: nothing recorded yet (the next run writes it afresh).
    }
    return { version: 1, warehouses: {} };
  };
  return {
    read: async (warehouse) => (await load()).warehouses[warehouse] ?? {},
    write: async (warehouse, kind, run) => {
      const file = await load();
      file.warehouses[warehouse] = { ...file.warehouses[warehouse], [kind]: run };
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
    },
  };
}

/**
 * The warehouse a context's runs belong to: the embedded folder, the server and database, or the
 * Redshift endpoint; never a password. Undefined when dwh.cfg does not say enough to name it.
 */
export function warehouseKey(target: Target, config: DwhConfig): string | undefined {
  switch (target) {
    case 'embedded':
      return `embedded:${config.warehouse.embeddedDir}`;
    case 'postgres': {
      if (config.warehouse.postgresUrl === undefined) return undefined;
      try {
        const url = new URL(config.warehouse.postgresUrl);
        return `postgres:${url.username}@${url.host}${url.pathname}`;
      } catch {
        return undefined;
      }
    }
    case 'redshift':
    case 'redshift-serverless': {
      const host = config.cluster.host ?? config.dwh.clusterIdentifier;
      if (host === undefined) return undefined;
      return `${target}:${host}/${config.cluster.dbName ?? config.dwh.db ?? ''}`;
    }
  }
}

/** Record a finished run. A store that cannot be written costs a note, never the step's result. */
export async function recordLastRun(
  ctx: Context,
  kind: RunKind,
  state: WarehouseState,
  result: { passed: number; failed: number },
  store: RunStore = runStoreFor(ctx),
): Promise<void> {
  // A dry run ran nothing on the warehouse: there is no run to remember (docs/commands.md, --dry-run).
  if (ctx.options.dryRun === true) return;
  const key = warehouseKey(ctx.target(), ctx.config.values());
  if (key === undefined) return;
  const run: LastRun = { at: ctx.clock.now(), ...result, rows: Object.fromEntries(state.rows) };
  try {
    await store.write(key, kind, run);
  } catch (error) {
    const why = errnoText(error) ?? (error instanceof Error ? error.message : String(error));
    ctx.ui.note(`This ${kind} run was not recorded for the menu (${why}).`);
  }
}

/** The last runs on the context's warehouse; none when there is nothing to read. */
export async function readLastRuns(ctx: Context, store: RunStore = runStoreFor(ctx)): Promise<LastRuns> {
  const key = warehouseKey(ctx.target(), ctx.config.values());
  return key === undefined ? {} : store.read(key);
}

/** Whether the tables a run saw are the tables there now (same tables, same row counts). */
export function sameTables(run: LastRun, state: WarehouseState): boolean {
  const then = Object.entries(run.rows);
  return then.length === state.rows.size && then.every(([table, count]) => state.rows.get(table) === count);
}
