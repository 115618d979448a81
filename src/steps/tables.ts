import type { Context } from '../context.js';
import { createTablesSql, dropTablesSql } from '../sql/ddl.js';
import { ALL_TABLES } from '../sql/tables.js';
import { formatDuration } from '../ui/format.js';
import { withCancel } from '../warehouse/rows.js';
import { lockWatch } from './lock-wait.js';
import { confirmReplacing, readHolding } from './replace-guard.js';
import { allTablesExist } from './state.js';
import type { MenuStep, StatusSnapshot, StepResult, StepStatus } from './types.js';

/**
 * Drop and create the staging and star-schema tables (and the load history), in one transaction.
 * Tables that hold rows are dropped only when the user agrees (replace-guard.ts); `confirmDrop:
 * false` is for a caller that has already asked (the demo).
 */
export async function runTablesCreate(ctx: Context, options: { confirmDrop?: boolean } = {}): Promise<StepResult> {
  const warehouse = await ctx.warehouse();
  // Another session's lock is said, not waited on in silence (lock-wait.ts).
  const locks = lockWatch(ctx, warehouse);
  if (options.confirmDrop !== false) {
    const holding = await locks.run(() => readHolding(ctx));
    const go =
      holding === undefined ||
      (await confirmReplacing(ctx, holding, {
        question: 'drop them and create empty tables?',
        wouldHave: 'tables create would drop them',
        hint: 'pass --yes to drop them anyway',
      }));
    if (!go) return { ok: true, summary: 'tables left as they were' };
  }
  const text = `Creating ${ALL_TABLES.length} tables on ${warehouse.description}`;
  const spinner = ctx.ui.spinner(text);
  const started = ctx.clock.now();
  try {
    await locks.run(() => {
      locks.display.follow(spinner, text);
      // Ctrl-C cancels the statement running on the server (docs/safety.md): on the Data API the
      // whole drop-and-create is one batch that may queue or run for a while.
      return withCancel(warehouse, ctx.signal, () =>
        warehouse.transaction(
          async (tx) => {
            for (const statement of [...dropTablesSql(), ...createTablesSql(warehouse.dialect)])
              await tx.query(statement);
          },
          // A cancel request can miss its statement (sent between two): then the step has already
          // said "interrupted", and the transaction rolls back at the next boundary instead of committing.
          { signal: ctx.signal },
        ),
      );
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
