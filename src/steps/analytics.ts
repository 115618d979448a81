import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { ANALYTICS_QUERIES, findAnalyticsQuery, type AnalyticsQuery } from '../sql/analytics.js';
import { jsonText, rowObject, showRows, uniqueKeys, type OutputFormat } from '../ui/results.js';
import { allRows, readRows, rowsInMemory } from '../warehouse/rows.js';
import type { Warehouse } from '../warehouse/types.js';
import { lockWatch } from './lock-wait.js';
import { recordLastRun } from './last-run.js';
import { isLoaded, lastRunStatus, readWarehouseState, requireLoaded, type WarehouseState } from './state.js';
import type { MenuStep, StatusSnapshot, StepResult, StepStatus } from './types.js';

export interface AnalyticsOptions {
  query?: string | undefined;
  format?: OutputFormat | undefined;
  /** Show every query without asking which (the demo). */
  all?: boolean | undefined;
}

interface QueryRows {
  query: AnalyticsQuery;
  fields: readonly string[];
  rows: (readonly unknown[])[];
}

/**
 * The sample analytics (docs/commands.md): every named query, or one, as tables and bar charts, CSV
 * or JSON. The results are the user's data: shown exactly, never redacted (docs/safety.md).
 */
export async function runAnalytics(ctx: Context, options: AnalyticsOptions = {}): Promise<StepResult> {
  const format = options.format ?? 'table';
  let queries: readonly AnalyticsQuery[] = ANALYTICS_QUERIES;
  if (options.query !== undefined) {
    const found = findAnalyticsQuery(options.query);
    if (!found) {
      throw new UsageError(`unknown query "${options.query}"`, {
        hint: `choose one of: ${ANALYTICS_QUERIES.map((q) => q.name).join(', ')}`,
      });
    }
    queries = [found];
  } else if (!options.all && !ctx.prompts.unattended && format === 'table' && ctx.ui.interactive) {
    const choice = await ctx.prompts.select<string>({
      message: 'Which analytics?',
      choices: [
        { name: 'All of them', value: '*' },
        ...ANALYTICS_QUERIES.map((q) => ({ name: q.title, value: q.name, description: q.description })),
      ],
      default: '*',
    });
    if (choice !== '*') queries = ANALYTICS_QUERIES.filter((q) => q.name === choice);
  }
  const warehouse = await ctx.warehouse();
  // Another session's lock (a load elsewhere) is said, not waited on in silence (lock-wait.ts).
  const { results, state } = await lockWatch(ctx, warehouse).run(() => readResults(ctx, warehouse, queries));
  if (format === 'json') {
    const objects = ({ fields, rows }: QueryRows): Record<string, unknown>[] => {
      const keys = uniqueKeys(fields);
      return rows.map((row) => rowObject(keys, row));
    };
    const payload = Object.fromEntries(results.map((result) => [result.query.name, objects(result)]));
    const only = results.length === 1 ? results[0] : undefined;
    await ctx.ui.data(`${jsonText(only === undefined ? payload : objects(only))}\n`);
  } else {
    for (const { query, fields, rows } of results) {
      await showRows(ctx.ui, rowsInMemory(fields, rows), {
        format,
        title: query.title,
        chart: query.chart,
        showTitle: queries.length > 1 || format === 'table',
        // Counts and durations are measures here: grouped, "1,234".
        group: true,
      });
    }
  }
  // For the menu's "✔ done (4 queries 14:05)" (src/steps/last-run.ts).
  await recordLastRun(ctx, 'analytics', state, { passed: results.length, failed: 0 });
  return { ok: true, summary: `${results.length} analytics quer${results.length === 1 ? 'y' : 'ies'}` };
}

async function readResults(
  ctx: Context,
  warehouse: Warehouse,
  queries: readonly AnalyticsQuery[],
): Promise<{ results: QueryRows[]; state: WarehouseState }> {
  const state = await readWarehouseState(ctx);
  requireLoaded(state);
  const results: QueryRows[] = [];
  for (const query of queries) {
    // Each result is a few dozen rows at most: read whole, then shown.
    const stream = await readRows(warehouse, query.sql, ctx.signal);
    results.push({ query, fields: stream.fields, rows: await allRows(stream) });
  }
  return { results, state };
}

export async function analyticsStatus(ctx: Context, snapshot: StatusSnapshot): Promise<StepStatus> {
  const state = await snapshot.warehouse();
  if (!isLoaded(state)) return { state: 'unavailable', detail: 'load first' };
  return (
    (await lastRunStatus(ctx, snapshot, 'analytics')) ?? {
      state: 'todo',
      detail: `${ANALYTICS_QUERIES.length} queries`,
    }
  );
}

export const analyticsStep: MenuStep = {
  id: 'analytics',
  title: 'Analytics',
  applies: () => true,
  status: analyticsStatus,
  run: (ctx) => runAnalytics(ctx),
};
