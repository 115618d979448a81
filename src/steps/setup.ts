import { basename, dirname, resolve } from 'node:path';
import type { Context } from '../context.js';
import { DEMO_DEFAULTS } from './demo.js';
import { ensureConfig, localDataPresent } from './config.js';
import { runGenerate } from './generate.js';
import { walkthroughSteps } from './index.js';
import { statusSnapshot } from './state.js';
import { chooseTarget } from './target.js';
import type { StepResult, StepStatus } from './types.js';

/**
 * `setup`: first where the warehouse lives (asked, unless --target or --yes says; recorded either
 * way), then every step not yet done, in order, stopping at the first that fails. Rerunning it
 * after a half-finished setup finishes the job, since each step's status is read live. Each step's
 * title heads its output here; the steps themselves print no heading of their own.
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
    if (step.id === 'load' && (ctx.target() === 'embedded' || ctx.target() === 'postgres')) {
      const offered = await offerSampleData(ctx);
      if (!offered) return { ok: false, summary: 'no data to load' };
    }
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

/** No local data yet: offer to generate a synthetic data set into the [LOCAL] folders. */
async function offerSampleData(ctx: Context): Promise<boolean> {
  const local = localDataPresent(ctx);
  if (local.present) return true;
  const generate = await ctx.prompts.confirm({
    message: `No data at ${local.songData} / ${local.logData}. Generate a synthetic Sparkify data set there?`,
    default: true,
  });
  if (!generate) {
    ctx.ui.error(
      'Nothing to load: put song_data and log_data folders there, ' +
        `or set [LOCAL] SONG_DATA and LOG_DATA in ${ctx.config.displayPath}.`,
    );
    return false;
  }
  // The generator writes song_data/ and log_data/ under one folder: that of SONG_DATA.
  const base = dirname(ctx.config.path);
  const songDir = resolve(base, local.songData);
  const logDir = resolve(base, local.logData);
  if (dirname(songDir) !== dirname(logDir) || basename(songDir) !== 'song_data' || basename(logDir) !== 'log_data') {
    ctx.ui.error(
      'The generator writes DIR/song_data and DIR/log_data: generate with `sparkify-dwh generate --out DIR` ' +
        'and point [LOCAL] SONG_DATA and LOG_DATA there.',
    );
    return false;
  }
  const generated = await runGenerate(ctx, { out: dirname(songDir), ...DEMO_DEFAULTS });
  return generated.ok;
}
