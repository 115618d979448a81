import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { assertReadOnlyQuery } from '../sql/read-only.js';
import { printResult, type OutputFormat } from '../ui/results.js';
import type { MenuStep, StepResult, StepStatus } from './types.js';

export interface SqlOptions {
  query: string;
  format?: OutputFormat | undefined;
}

/**
 * One query, checked by PostgreSQL's own parser (src/sql/read-only.ts) for what a READ ONLY
 * transaction does not stop (COPY to files and programs, functions acting outside the
 * transaction), then run in a READ ONLY transaction, where the database itself refuses writes.
 */
export async function runSql(ctx: Context, options: SqlOptions): Promise<StepResult> {
  const text = options.query.trim();
  if (text === '')
    throw new UsageError('the query is empty', { hint: 'sparkify-dwh sql "SELECT count(*) FROM songplays"' });
  // Checked before connecting: a refused statement never reaches the warehouse (docs/safety.md).
  await assertReadOnlyQuery(text, ctx.target() === 'redshift' ? 'redshift' : 'postgres');
  const warehouse = await ctx.warehouse();
  const result = await warehouse.readOnlyQuery(text);
  printResult(ctx.ui, result, { format: options.format ?? 'table' });
  return { ok: true, summary: `${result.rows.length} rows` };
}

/** The menu's SQL prompt: ask for queries until an empty line. Errors are shown, not fatal. */
export async function runSqlPrompt(ctx: Context): Promise<StepResult> {
  ctx.ui.note('Read-only SQL on the warehouse. An empty line goes back to the menu.');
  for (;;) {
    const query = await ctx.prompts.input({ message: 'SQL>', default: '' });
    if (query.trim() === '') return { ok: true };
    try {
      await runSql(ctx, { query });
    } catch (error) {
      const { printError } = await import('../ui/errors.js');
      printError(ctx.ui, error, { debug: Boolean(process.env.DEBUG) });
    }
  }
}

export const sqlStep: MenuStep = {
  id: 'sql',
  title: 'Run SQL (read-only)',
  applies: () => true,
  status: (): Promise<StepStatus> => Promise.resolve({ state: 'todo', detail: 'any SELECT' }),
  run: runSqlPrompt,
};
