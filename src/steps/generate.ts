import { resolve } from 'node:path';
import type { Context } from '../context.js';
import { generateDataset } from '../source/generate.js';
import { formatCount, formatDuration } from '../ui/format.js';
import type { StepResult } from './types.js';

export interface GenerateOptions {
  out: string;
  songs: number;
  events: number;
  seed: number;
}

/**
 * The `generate` command: the files, then where dwh.cfg must point to load them. Demo and setup
 * call runGenerate itself, because they load what they generate and point dwh.cfg at it already.
 */
export async function runGenerateCommand(ctx: Context, options: GenerateOptions): Promise<StepResult> {
  const generated = await runGenerate(ctx, options);
  if (generated.ok && !ctx.options.dryRun) {
    ctx.ui.note(
      `Point [LOCAL] SONG_DATA at ${options.out}/song_data and LOG_DATA at ${options.out}/log_data to load it.`,
    );
  }
  return generated;
}

/**
 * The files `generate`, `demo` and setup make: a deterministic synthetic data set in the real
 * source layout (docs/data.md, Generated data).
 */
export async function runGenerate(ctx: Context, options: GenerateOptions): Promise<StepResult> {
  const out = resolve(ctx.cwd, options.out);
  if (ctx.options.dryRun) {
    // Files are not one of the seams a dry run swaps (docs/commands.md, --dry-run): say, don't write.
    const summary = `would write ${formatCount(options.songs)} songs and ${formatCount(options.events)} events`;
    ctx.ui.print(`plan  files: ${summary} into ${options.out}/song_data and ${options.out}/log_data`);
    return { ok: true, summary };
  }
  const spinner = ctx.ui.spinner(
    `Generating ${formatCount(options.songs)} songs and ${formatCount(options.events)} events into ${options.out}`,
  );
  const started = ctx.clock.now();
  try {
    const result = await generateDataset({
      out,
      songs: options.songs,
      events: options.events,
      seed: options.seed,
      onProgress: (written) =>
        spinner.update(`Generating events: ${formatCount(written)} of ${formatCount(options.events)}`),
    });
    const summary =
      `${formatCount(result.songFiles)} song files and ${formatCount(result.events)} events ` +
      `in ${formatCount(result.eventFiles)} log files ` +
      `(${formatCount(result.matchedPlays)} plays match the catalog) in ${formatDuration(ctx.clock.now() - started)}`;
    spinner.succeed(`Generated ${summary}`);
    return { ok: true, summary };
  } catch (error) {
    spinner.fail('Generating stopped');
    throw error;
  }
}
