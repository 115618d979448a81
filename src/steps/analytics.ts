import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { ANALYTICS_QUERIES, findAnalyticsQuery, type AnalyticsQuery } from '../sql/analytics.js';
import { printResult, type OutputFormat } from '../ui/results.js';
import { isLoaded, readWarehouseState, requireLoaded } from './state.js';
import type { MenuStep, StatusSnapshot, StepResult, StepStatus } from './types.js';

export interface AnalyticsOptions {
  query?: string | undefined;
  format?: OutputFormat | undefined;
  /** Show every query without asking which (the demo). */
  all?: boolean | undefined;
}

/** The sample analytics (docs/commands.md): every named query, or one, as tables and bar charts, CSV or JSON. */
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
  requireLoaded(await readWarehouseState(ctx));
  const results = [];
  for (const query of queries) {
    const result = await warehouse.readOnlyQuery(query.sql);
    results.push({ query, result });
  }
  if (format === 'json') {
    const payload = Object.fromEntries(results.map(({ query, result }) => [query.name, result.rows]));
    ctx.ui.print(JSON.stringify(queries.length === 1 ? results[0]?.result.rows : payload, null, 2));
  } else {
    for (const { query, result } of results) {
      printResult(ctx.ui, result, {
        format,
        title: query.title,
        chart: query.chart,
        showTitle: queries.length > 1 || format === 'table',
      });
    }
  }
  return { ok: true, summary: `${results.length} analytics quer${results.length === 1 ? 'y' : 'ies'}` };
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
