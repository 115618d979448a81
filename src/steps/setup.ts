import type { Context } from '../context.js';
import { ensureConfig } from './config.js';
import { walkthroughSteps } from './index.js';
import { statusSnapshot } from './state.js';
import { chooseTarget } from './target.js';
import type { StepResult, StepStatus } from './types.js';

/**
 * `setup`: first where the warehouse lives (asked, unless --target or --yes says; recorded either
 * way), then every step not yet done, in order, stopping at the first that fails. Rerunning it
 * after a half-finished setup finishes the job, since each step's status is read live. Each step's
 * title heads its output here; the steps themselves print no heading of their own. With no local
 * data, the load step offers to generate the sample set (src/steps/sample-data.ts).
 */
export async function runSetup(ctx: Context): Promise<StepResult> {
  await ensureConfig(ctx);
  ctx.ui.heading('Guided setup');
  const where = await chooseTarget(ctx, { ask: ctx.options.target === undefined });
  if (!where.ok) return where;
  const steps = await walkthroughSteps(ctx);
  ctx.ui.note(`Steps: ${steps.map((s) => s.title).join(' → ')}`);
  for (const step of steps) {
    let status: StepStatus;
    try {
      // Fresh for each step: the steps run before it changed the warehouse.
      status = await step.status(ctx, statusSnapshot(ctx));
    } catch {
      status = { state: 'todo' };
    }
    if (status.state === 'done') {
      ctx.ui.note(`✔ ${step.title}: already done${status.detail ? ` (${status.detail})` : ''}`);
      continue;
    }
    ctx.ui.heading(step.title);
    const result = await step.run(ctx);
    if (!result.ok) {
      ctx.ui.error(
        `Setup stopped at “${step.title}”${result.summary ? `: ${result.summary}` : ''}. ` +
          'Fix it and run `sparkify-dwh setup` again: finished steps are skipped.',
      );
      return { ok: false, summary: `stopped at ${step.title}` };
    }
  }
  ctx.ui.success('Setup complete: the warehouse is loaded and checked.');
  return { ok: true, summary: 'the warehouse is loaded and checked' };
}
