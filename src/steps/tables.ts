import type { Context } from '../context.js';
import { createTablesSql, dropTablesSql } from '../sql/ddl.js';
import { ALL_TABLES } from '../sql/tables.js';
import { formatCount, formatDuration } from '../ui/format.js';
import { allTablesExist, readWarehouseState } from './state.js';
import type { MenuStep, StatusSnapshot, StepResult, StepStatus } from './types.js';

/** Drop and create the staging and star-schema tables, in one transaction. */
export async function runTablesCreate(ctx: Context, options: { confirmDrop?: boolean } = {}): Promise<StepResult> {
  const warehouse = await ctx.warehouse();
  const state = await readWarehouseState(ctx);
  const rowsLost = [...state.rows.values()].reduce((sum, n) => sum + n, 0);
  if (rowsLost > 0 && options.confirmDrop !== false) {
    const go = await ctx.prompts.confirm({
      message: `The tables hold ${formatCount(rowsLost)} rows; drop and create them anyway?`,
      default: true,
    });
    if (!go) return { ok: true, summary: 'tables left as they were' };
  }
  const spinner = ctx.ui.spinner(`Creating ${ALL_TABLES.length} tables on ${warehouse.description}`);
  const started = ctx.clock.now();
  try {
    await warehouse.transaction(async (tx) => {
      for (const statement of dropTablesSql()) await tx.query(statement);
      for (const statement of createTablesSql(warehouse.dialect)) await tx.query(statement);
    });
  } catch (error) {
    spinner.fail('Creating tables failed; the tables are as they were');
    throw error;
  }
  const summary = `created ${ALL_TABLES.length} tables in ${formatDuration(ctx.clock.now() - started)}`;
  spinner.succeed(`Tables: ${summary}`);
  return { ok: true, summary };
}

export async function tablesStatus(_ctx: Context, snapshot: StatusSnapshot): Promise<StepStatus> {
  const state = await snapshot.warehouse();
  if (allTablesExist(state)) return { state: 'done', detail: `${ALL_TABLES.length} tables` };
  if (state.tables.size > 0) return { state: 'stale', detail: `${state.tables.size} of ${ALL_TABLES.length} tables` };
  return { state: 'todo', detail: 'no tables yet' };
}

export const tablesStep: MenuStep = {
  id: 'tables',
  title: 'Create tables',
  applies: () => true,
  status: tablesStatus,
  run: (ctx) => runTablesCreate(ctx),
};
