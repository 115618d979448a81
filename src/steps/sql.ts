import type { Context } from '../context.js';
import { isInterrupted, UsageError } from '../errors.js';
import { assertReadOnlyQuery } from '../sql/read-only.js';
import { showRows, type OutputFormat } from '../ui/results.js';
import { readRows } from '../warehouse/rows.js';
import { lockWatch } from './lock-wait.js';
import type { MenuStep, StepResult, StepStatus } from './types.js';

export interface SqlOptions {
  query: string;
  format?: OutputFormat | undefined;
  /** Rows the table view shows (default 1,000); csv and json write every row. */
  limit?: number | undefined;
}

/**
 * One query, checked by PostgreSQL's own parser (src/sql/read-only.ts) for what a READ ONLY
 * transaction does not stop (COPY to files and programs, functions acting outside the
 * transaction), then run in a READ ONLY transaction, where the database itself refuses writes.
 * Its rows stream to the output as they arrive (docs/commands.md): csv and json write every row
 * in bounded memory, the table view shows the first `limit`. Ctrl-C cancels the statement on the
 * server (docs/safety.md).
 */
export async function runSql(ctx: Context, options: SqlOptions): Promise<StepResult> {
  const text = options.query.trim();
  if (text === '')
    throw new UsageError('the query is empty', { hint: 'sparkify-dwh sql "SELECT count(*) FROM songplays"' });
  // Checked before connecting: a refused statement never reaches the warehouse (docs/safety.md).
  await assertReadOnlyQuery(text, ctx.target().startsWith('redshift') ? 'redshift' : 'postgres');
  const warehouse = await ctx.warehouse();
  // Another session's lock (a load elsewhere) is said, not waited on in silence (lock-wait.ts).
  const rows = await lockWatch(ctx, warehouse).run(() => readRows(warehouse, text, ctx.signal));
  // No thousands separators: `sql` integers are as often ids and epoch milliseconds as counts.
  const shown = await showRows(ctx.ui, rows, { format: options.format ?? 'table', limit: options.limit, group: false });
  return { ok: true, summary: `${shown.rowCount} rows` };
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
      // Ctrl-C during a query ends the prompt too (the menu says so and carries on); staying here
      // would leave every later query refused as interrupted.
      if (isInterrupted(error)) throw error;
      const { debugRequested, printError } = await import('../ui/errors.js');
      printError(ctx.ui, error, { debug: debugRequested(ctx.env) });
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
