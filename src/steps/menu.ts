/**
 * The main menu: a header with the target and its state, every step with a live status, the
 * guided walkthrough first. Ctrl-C inside a step returns here; Ctrl-C at the menu exits (130).
 */
import type { AppContext } from '../app.js';
import { isInterrupted } from '../errors.js';
import { printError } from '../ui/errors.js';
import { menuChoiceLabel, renderHeader } from '../ui/menu.js';
import { ensureConfig } from './config.js';
import { walkthroughSteps } from './index.js';
import { runSetup } from './setup.js';
import { sqlStep } from './sql.js';
import type { MenuStep, StepStatus } from './types.js';

type MenuAction = { kind: 'setup' } | { kind: 'step'; step: MenuStep } | { kind: 'quit' };

export async function runMenu(ctx: AppContext): Promise<boolean> {
  await ensureConfig(ctx);
  for (;;) {
    const steps = await menuSteps(ctx);
    const statuses = await Promise.all(steps.map((step) => safeStatus(ctx, step)));
    const description = await warehouseDescription(ctx);
    ctx.ui.print(
      renderHeader({
        target: ctx.target(),
        description,
        configPath: ctx.config.displayPath,
        lines: [],
        color: ctx.ui.color,
      }),
    );
    const todo = steps.filter((step, i) => step.id !== 'sql' && statuses[i]?.state !== 'done').length;
    const action = await ctx.prompts.select<MenuAction>({
      message: 'What next?',
      choices: [
        { name: `Guided setup${todo > 0 ? ` (${todo} step${todo === 1 ? '' : 's'} to do)` : ' (all done)'}`, value: { kind: 'setup' } },
        ...steps.map((step, i) => ({ name: menuChoiceLabel(step.title, statuses[i] ?? { state: 'todo' }, ctx.ui.color), value: { kind: 'step' as const, step } })),
        { name: 'Quit', value: { kind: 'quit' } },
      ],
    });
    if (action.kind === 'quit') return true;
    try {
      if (action.kind === 'setup') await runSetup(ctx);
      else {
        const result = await action.step.run(ctx);
        if (result.summary && !result.ok) ctx.ui.warn(result.summary);
      }
    } catch (error) {
      if (isInterrupted(error)) ctx.ui.note('Stopped; back to the menu.');
      else printError(ctx.ui, error, { debug: Boolean(process.env.DEBUG) });
    } finally {
      // A Ctrl-C during the step aborted it; the menu itself goes on with a fresh signal.
      ctx.resetInterrupt();
    }
  }
}

async function menuSteps(ctx: AppContext): Promise<MenuStep[]> {
  const steps = [...(await walkthroughSteps(ctx)), sqlStep];
  if (ctx.target() === 'redshift') {
    const [{ teardownStep }, cluster] = await Promise.all([import('./teardown.js'), import('./cluster.js')]);
    // Cluster housekeeping: their live state is the cluster step's, so no extra AWS call per redraw.
    const action = (id: string, title: string, detail: string, run: MenuStep['run']): MenuStep => ({
      id,
      title,
      applies: () => true,
      status: async () => ({ state: 'todo', detail }),
      run,
    });
    steps.push(
      action('cluster-status', 'Cluster status and cost', 'endpoint, size, age, cost so far', (c) => cluster.runClusterStatus(c)),
      action('cluster-pause', 'Pause cluster', 'compute billing stops', (c) => cluster.runClusterPause(c)),
      action('cluster-resume', 'Resume cluster', 'back to available', (c) => cluster.runClusterResume(c)),
      teardownStep,
    );
  }
  return steps;
}

async function safeStatus(ctx: AppContext, step: MenuStep): Promise<StepStatus> {
  try {
    return await step.status(ctx);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { state: 'unavailable', detail: message.length > 60 ? `${message.slice(0, 57)}…` : message };
  }
}

async function warehouseDescription(ctx: AppContext): Promise<string> {
  try {
    return (await ctx.warehouse()).description;
  } catch (error) {
    return `not reachable: ${error instanceof Error ? error.message : String(error)}`;
  }
}
