import { existsSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { UserError } from '../errors.js';

/**
 * The wizard's first question when dwh.cfg is missing: create it from dwh.cfg.example.
 * Under --yes it is created (every value then has a working default for the embedded target).
 */
export async function ensureConfig(ctx: Context): Promise<void> {
  if (ctx.config.exists()) return;
  const create = await ctx.prompts.confirm({
    message: `${ctx.config.displayPath} does not exist. Create it from dwh.cfg.example?`,
    default: true,
  });
  if (!create) {
    throw new UserError(`${ctx.config.displayPath} does not exist`, {
      hint: 'copy dwh.cfg.example to dwh.cfg and edit it, or let the wizard create it',
    });
  }
  await createConfigFromExample(ctx);
}

/**
 * dwh.cfg from dwh.cfg.example, and say where git was told to leave it out. A dry run has shown
 * its plan line instead and writes nothing, so it says nothing more.
 */
export async function createConfigFromExample(ctx: Context): Promise<void> {
  const ignored = await ctx.config.createFromExample();
  if (ignored === undefined) return;
  // Named beside dwh.cfg as the user knows it, even when it is a symlink to somewhere else.
  const gitignore = `${dirname(ctx.config.displayPath)}/.gitignore`;
  const alreadyIgnored = ignored.added.length === 0 && ignored.problem === undefined;
  ctx.ui.success(
    `Created ${ctx.config.displayPath} (mode 0600${alreadyIgnored ? ', git-ignored' : ''}) from dwh.cfg.example`,
  );
  if (ignored.problem !== undefined) {
    ctx.ui.warn(
      `Could not add ${basename(ctx.config.path)} to ${gitignore} (${ignored.problem}): ` +
        'add it yourself before you commit this folder, it will hold credentials',
    );
  } else if (ignored.added.length > 0) {
    ctx.ui.note(`${gitignore} now lists ${ignored.added.join(' and ')}, so git leaves them out`);
  }
}

/** Whether the [LOCAL] data folders are there (the walkthrough offers to generate them). */
export function localDataPresent(ctx: Context): { songData: string; logData: string; present: boolean } {
  const { local } = ctx.config.values();
  const base = dirname(ctx.config.path);
  const songData = resolve(base, local.songData);
  const logData = resolve(base, local.logData);
  const present = existsSync(songData) && existsSync(logData);
  return { songData: displayPath(ctx, songData), logData: displayPath(ctx, logData), present };
}

/** A path as the user would type it from where they are: relative to the working folder when inside it. */
export function displayPath(ctx: Context, path: string): string {
  const rel = relative(ctx.cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}
