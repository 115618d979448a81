import { basename, dirname, resolve } from 'node:path';
import type { Context } from '../context.js';
import { NoTerminalError } from '../ui/prompts.js';
import { localDataPresent } from './config.js';
import { runGenerate } from './generate.js';

/** How much the sample set holds: the demo's size, a load of seconds on this machine. */
export const SAMPLE_SET = { songs: 1_000, events: 10_000, seed: 42 } as const;

/**
 * No local data yet: offer to generate the synthetic sample set into the [LOCAL] folders
 * (docs/data.md, Generated data). Asked by setup before its load step and by the menu's "Load
 * data". Unattended, only a walkthrough generates it (`generateUnattended`: setup --yes). The
 * `load` command under --yes, and any run without a terminal, go on to the load, which names the
 * missing folder and its dwh.cfg key: there, the data is required, and synthetic rows in place of
 * a mistyped path would replace the user's tables with made-up ones. Says whether the load goes on
 * ('load': data there, or the load names what is missing; 'generated', or planned by a dry run) or stops.
 */
export async function offerSampleData(
  ctx: Context,
  options: { generateUnattended: boolean },
): Promise<'load' | 'generated' | 'stop'> {
  const local = localDataPresent(ctx);
  if (local.present) return 'load';
  if (ctx.prompts.unattended && !options.generateUnattended) return 'load';
  let generate: boolean;
  try {
    generate = await ctx.prompts.confirm({
      message: `No data at ${local.songData} / ${local.logData}: generate the sample set there?`,
      default: true,
    });
  } catch (error) {
    if (!(error instanceof NoTerminalError)) throw error;
    return 'load';
  }
  if (!generate) {
    ctx.ui.error(
      'Nothing to load: put song_data and log_data folders there, ' +
        `or set [LOCAL] SONG_DATA and LOG_DATA in ${ctx.config.displayPath}.`,
    );
    return 'stop';
  }
  // The generator writes song_data/ and log_data/ under one folder: that of SONG_DATA. The
  // settings are relative to dwh.cfg's folder (the displayed paths, to the working folder).
  const base = dirname(ctx.config.path);
  const songDir = resolve(base, ctx.config.values().local.songData);
  const logDir = resolve(base, ctx.config.values().local.logData);
  if (dirname(songDir) !== dirname(logDir) || basename(songDir) !== 'song_data' || basename(logDir) !== 'log_data') {
    ctx.ui.error(
      'The generator writes DIR/song_data and DIR/log_data: generate with `sparkify-dwh generate --out DIR` ' +
        'and point [LOCAL] SONG_DATA and LOG_DATA there.',
    );
    return 'stop';
  }
  const generated = await runGenerate(ctx, { out: dirname(songDir), ...SAMPLE_SET });
  return generated.ok ? 'generated' : 'stop';
}
