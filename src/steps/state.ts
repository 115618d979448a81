/**
 * What the warehouse holds right now: which of our tables exist and how many rows each has.
 * The menu's live status and the steps' preconditions both read it from here.
 */
import type { ClusterInfo } from '../aws/redshift.js';
import type { Context } from '../context.js';
import { existingTablesSql, rowCountsSql } from '../sql/status.js';
import { ALL_TABLES, STAR_TABLES, STAGING_TABLES } from '../sql/tables.js';
import { UserError } from '../errors.js';
import { withCancel } from '../warehouse/rows.js';
import { LockWaitTimeoutError, watchLockWaits } from '../warehouse/lock-watch.js';
import type { LockWaitState } from '../warehouse/types.js';
import { formatWhen } from '../ui/menu.js';
import type { StepStatus } from '../ui/types.js';
import { readLastRuns, sameTables, type LastRuns, type RunKind } from './last-run.js';

export interface WarehouseState {
  tables: Set<string>;
  /** Row counts of the tables that exist. */
  rows: Map<string, number>;
}

/**
 * What one menu drawing knows of the warehouse, handed to every step's `status`. The tables,
 * load, check and analytics statuses all show the warehouse state; read through one snapshot they
 * cost one pair of queries between them instead of a pair each, which matters on Redshift where
 * each is a round trip. Nothing is read until a step asks, so a drawing whose steps need only AWS
 * or dwh.cfg never queries the warehouse.
 */
export interface StatusSnapshot {
  /** Our tables and their row counts, read on the first call; rejects when the warehouse cannot be reached. */
  warehouse(): Promise<WarehouseState>;
  /** What `check` and `analytics` did last on this warehouse (src/steps/last-run.ts), read on the first call. */
  lastRuns(): Promise<LastRuns>;
  /**
   * The configured Redshift cluster as DescribeClusters says (undefined: there is none), read on
   * the first call: the cluster step's status and the header's cost line share one call.
   */
  cluster(): Promise<ClusterInfo | undefined>;
}

export interface StatusSnapshotOptions {
  /**
   * A count that meets another session's lock is given up at once, and the snapshot's warehouse()
   * rejects saying who holds the lock ("locked by another session (pid 4242, psql)"): the menu's
   * statuses never freeze the menu (docs/safety.md, Never wait in silence).
   */
  lockedNotWaited?: boolean;
}

/** How soon, and how often, a status read looks whether it waits for a lock. */
export const STATUS_LOCK_LOOK_MS = 300;

/** A fresh snapshot: take one per drawing (or per decision), never keep one across a step's run. */
export function statusSnapshot(ctx: Context, options: StatusSnapshotOptions = {}): StatusSnapshot {
  let state: Promise<WarehouseState> | undefined;
  let runs: Promise<LastRuns> | undefined;
  let cluster: Promise<ClusterInfo | undefined> | undefined;
  return {
    warehouse: () => (state ??= options.lockedNotWaited === true ? readStateNotWaiting(ctx) : readWarehouseState(ctx)),
    lastRuns: () => (runs ??= readLastRuns(ctx)),
    cluster: () => (cluster ??= readCluster(ctx)),
  };
}

async function readCluster(ctx: Context): Promise<ClusterInfo | undefined> {
  // Imported here: the local targets never load anything of AWS.
  const [{ describeCluster }, { clusterIdentifierOf }] = await Promise.all([
    import('../aws/redshift.js'),
    import('../aws/naming.js'),
  ]);
  const clients = await ctx.aws();
  return describeCluster(clients.redshift, clusterIdentifierOf(ctx.config.values()), clients.region);
}

/**
 * The menu status of a step that records its runs, once the tables are loaded: done (or failed)
 * with when it ran; stale when the tables changed since; undefined when it never ran here.
 */
export async function lastRunStatus(
  ctx: Context,
  snapshot: StatusSnapshot,
  kind: RunKind,
): Promise<StepStatus | undefined> {
  const [state, runs] = await Promise.all([snapshot.warehouse(), snapshot.lastRuns()]);
  const run = runs[kind];
  if (run === undefined) return undefined;
  const when = formatWhen(run.at, ctx.clock.now());
  if (!sameTables(run, state)) return { state: 'stale', detail: `tables changed since the ${kind} at ${when}` };
  if (run.failed > 0) return { state: 'failed', detail: `${run.failed} of ${run.passed + run.failed} failed ${when}` };
  const what = kind === 'check' ? 'passed' : `quer${run.passed === 1 ? 'y' : 'ies'}`;
  return { state: 'done', detail: `${run.passed} ${what} ${when}` };
}

/** The warehouse state as it is now: what a step checks before it runs. */
export async function readWarehouseState(ctx: Context): Promise<WarehouseState> {
  const warehouse = await ctx.warehouse();
  // A count waits for a table another session has locked: Ctrl-C must end that wait on the server.
  const query = <Row>(sql: string) => withCancel(warehouse, ctx.signal, () => warehouse.query<Row>(sql));
  const tables = await readWarehouseTables(ctx);
  const rows = new Map<string, number>();
  const present = ALL_TABLES.filter((table) => tables.has(table));
  if (present.length > 0) {
    const counts = await query<{ table_name: string; row_count: number | string }>(rowCountsSql(present));
    for (const row of counts.rows) rows.set(row.table_name, Number(row.row_count));
  }
  return { tables, rows };
}

/**
 * The warehouse state, or at once a UserError naming the session whose lock a count met: the
 * count is cancelled as soon as a look sees it wait (by cancelling, not a lock timeout, so the
 * session's settings stay as the steps expect them).
 */
async function readStateNotWaiting(ctx: Context): Promise<WarehouseState> {
  const warehouse = await ctx.warehouse();
  try {
    return await watchLockWaits(
      warehouse,
      {
        signal: ctx.signal,
        giveUpAfterMs: 0,
        giveUpBy: 'cancel',
        onWaiting: () => undefined,
        onWaitOver: () => undefined,
        firstCheckMs: STATUS_LOCK_LOOK_MS,
        checkEveryMs: STATUS_LOCK_LOOK_MS,
      },
      () => readWarehouseState(ctx),
    );
  } catch (error) {
    if (error instanceof LockWaitTimeoutError) throw new UserError(lockedBy(error.wait), { cause: error });
    throw error;
  }
}

/** `locked by another session (pid 4242, psql)`: short, for beside a menu entry. */
export function lockedBy(wait: LockWaitState | undefined): string {
  const holder = wait?.holders[0];
  if (holder === undefined) return 'locked by another session';
  const who = holder.application === undefined || holder.application === '' ? holder.user : holder.application;
  return `locked by another session (pid ${holder.pid}${who === undefined ? '' : `, ${who}`})`;
}

/**
 * Which of our tables exist, without counting their rows: all that a step needs that replaces
 * the rows anyway (`load`). Counting every table of a loaded warehouse reads all of it, and on a
 * small load it is a round trip the load would wait for.
 */
export async function readWarehouseTables(ctx: Context): Promise<Set<string>> {
  const warehouse = await ctx.warehouse();
  const existing = await withCancel(warehouse, ctx.signal, () =>
    warehouse.query<{ table_name: string }>(existingTablesSql()),
  );
  return new Set(existing.rows.map((row) => row.table_name));
}

export function allTablesExist(state: WarehouseState): boolean {
  return ALL_TABLES.every((table) => state.tables.has(table));
}

export function isLoaded(state: WarehouseState): boolean {
  return allTablesExist(state) && STAR_TABLES.every((table) => (state.rows.get(table) ?? 0) > 0);
}

/** Fail with the next action when the tables a step needs are not there yet. */
export function requireTables(state: Pick<WarehouseState, 'tables'>, which: 'all' | 'star' = 'all'): void {
  const needed = which === 'all' ? [...STAGING_TABLES, ...STAR_TABLES] : [...STAR_TABLES];
  const missing = needed.filter((table) => !state.tables.has(table));
  if (missing.length > 0) {
    throw new UserError(`the warehouse has no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''}`, {
      hint: 'run `sparkify-dwh tables create` first',
    });
  }
}

export function requireLoaded(state: WarehouseState): void {
  requireTables(state, 'star');
  const empty = STAR_TABLES.filter((table) => (state.rows.get(table) ?? 0) === 0);
  if (empty.length === STAR_TABLES.length) {
    throw new UserError('the star schema is empty', { hint: 'run `sparkify-dwh load` first' });
  }
}
