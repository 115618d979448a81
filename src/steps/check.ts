import type { Context } from '../context.js';
import { DATA_CHECKS, matchRateSql } from '../sql/checks.js';
import { formatCount } from '../ui/format.js';
import { withCancel } from '../warehouse/rows.js';
import type { Warehouse } from '../warehouse/types.js';
import { lockWatch } from './lock-wait.js';
import { recordLastRun } from './last-run.js';
import { isLoaded, lastRunStatus, readWarehouseState, requireLoaded } from './state.js';
import type { MenuStep, StatusSnapshot, StepResult, StepStatus } from './types.js';

export interface CheckOutcome {
  name: string;
  table: string;
  failures: number;
  detail: string | null;
}

/** Run every data-quality check; show a table; fail (exit 1) when any check finds a problem. */
export async function runCheck(ctx: Context): Promise<StepResult> {
  const warehouse = await ctx.warehouse();
  // Another session's lock (a load elsewhere) is said, not waited on in silence (lock-wait.ts).
  const { outcomes, rate, state } = await lockWatch(ctx, warehouse).run(() => runChecks(ctx, warehouse));
  ctx.ui.table(
    outcomes.map((o) => ({
      check: o.name,
      table: o.table,
      result: o.failures === 0 ? 'pass' : `FAIL (${formatCount(o.failures)})`,
      detail: o.detail ?? '',
    })),
    { title: 'Data-quality checks' },
  );
  if (rate) {
    const matched = Number(rate.matched);
    const total = Number(rate.total);
    const percent = total === 0 ? 0 : (100 * matched) / total;
    ctx.ui.note(
      `Catalog match rate: ${formatCount(matched)} of ${formatCount(total)} songplays ` +
        `(${percent.toFixed(1)} %) have a song_id.`,
    );
  }
  const failed = outcomes.filter((o) => o.failures > 0);
  // For the menu's "✔ done (8 passed 14:05)" (src/steps/last-run.ts).
  await recordLastRun(ctx, 'check', state, { passed: outcomes.length - failed.length, failed: failed.length });
  if (failed.length > 0) {
    ctx.ui.error(`${failed.length} of ${outcomes.length} checks failed: ${failed.map((o) => o.name).join(', ')}`);
    return { ok: false, summary: `${failed.length} checks failed` };
  }
  ctx.ui.success(`All ${outcomes.length} checks passed`);
  return { ok: true, summary: `all ${outcomes.length} checks passed` };
}

/** Every check, then the catalog match rate, on the server. */
async function runChecks(ctx: Context, warehouse: Warehouse) {
  const state = await readWarehouseState(ctx);
  requireLoaded(state);
  const outcomes: CheckOutcome[] = [];
  for (const check of DATA_CHECKS) {
    // Ctrl-C cancels the check running on the server (docs/safety.md).
    const result = await withCancel(warehouse, ctx.signal, () =>
      warehouse.readOnlyQuery<{ failures: number | string; detail?: string | null }>(check.sql),
    );
    const row = result.rows[0];
    outcomes.push({
      name: check.name,
      table: check.table,
      failures: Number(row?.failures ?? 0),
      detail: row?.detail ?? null,
    });
  }
  const rate = (
    await withCancel(warehouse, ctx.signal, () =>
      warehouse.readOnlyQuery<{ matched: number | string; total: number | string; rate: number | string | null }>(
        matchRateSql(),
      ),
    )
  ).rows[0];
  return { outcomes, rate, state };
}

export async function checkStatus(ctx: Context, snapshot: StatusSnapshot): Promise<StepStatus> {
  const state = await snapshot.warehouse();
  if (!isLoaded(state)) return { state: 'unavailable', detail: 'load first' };
  return (
    (await lastRunStatus(ctx, snapshot, 'check')) ?? { state: 'todo', detail: `${DATA_CHECKS.length} checks ready` }
  );
}

export const checkStep: MenuStep = {
  id: 'check',
  title: 'Check data quality',
  applies: () => true,
  status: checkStatus,
  run: runCheck,
};
