import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { ANALYTICS_QUERIES, findAnalyticsQuery, type AnalyticsQuery } from '../sql/analytics.js';
import { jsonText, rowObject, showRows, uniqueKeys, type OutputFormat } from '../ui/results.js';
import { allRows, readRows, rowsInMemory } from '../warehouse/rows.js';
import type { Warehouse } from '../warehouse/types.js';
import { lockWatch } from './lock-wait.js';
import { isLoaded, readWarehouseState, requireLoaded } from './state.js';
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
  const results = await lockWatch(ctx, warehouse).run(() => readResults(ctx, warehouse, queries));
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
  return { ok: true, summary: `${results.length} analytics quer${results.length === 1 ? 'y' : 'ies'}` };
}

async function readResults(
  ctx: Context,
  warehouse: Warehouse,
  queries: readonly AnalyticsQuery[],
): Promise<QueryRows[]> {
  requireLoaded(await readWarehouseState(ctx));
  const results: QueryRows[] = [];
  for (const query of queries) {
    // Each result is a few dozen rows at most: read whole, then shown.
    const stream = await readRows(warehouse, query.sql, ctx.signal);
    results.push({ query, fields: stream.fields, rows: await allRows(stream) });
  }
  return results;
}

export async function analyticsStatus(_ctx: Context, snapshot: StatusSnapshot): Promise<StepStatus> {
  const state = await snapshot.warehouse();
  return isLoaded(state)
    ? { state: 'todo', detail: `${ANALYTICS_QUERIES.length} queries` }
    : { state: 'unavailable', detail: 'load first' };
}

export const analyticsStep: MenuStep = {
  id: 'analytics',
  title: 'Analytics',
  applies: () => true,
  status: analyticsStatus,
  run: (ctx) => runAnalytics(ctx),
};
