/**
 * No step drops data it did not put there without asking (docs/safety.md). Before a step replaces
 * the tables, it reads what they hold and where that came from (the load history), and:
 * - in a terminal it says so and asks, default No;
 * - without one it refuses, saying what it would have replaced and how to go ahead;
 * - under --yes it goes ahead, and says what it replaces.
 * The demo skips the question for its own data (its load recorded from its own folder).
 */
import type { Context } from '../context.js';
import { latestLoad, type LoadRecord } from '../load/history.js';
import { UserError } from '../errors.js';
import { formatCount } from '../ui/format.js';
import { NoTerminalError } from '../ui/prompts.js';
import { displayPath } from './config.js';
import { readWarehouseState, type WarehouseState } from './state.js';

/** Rows in our tables, and the load that put them there when the history knows it. */
export interface Holding {
  /** Where the warehouse is (its description). */
  where: string;
  rows: number;
  songplays: number;
  load: LoadRecord | undefined;
}

/** What the tables hold now, or undefined when they hold no rows (nothing to lose). */
export async function readHolding(ctx: Context, state?: WarehouseState): Promise<Holding | undefined> {
  const current = state ?? (await readWarehouseState(ctx));
  const rows = [...current.rows.values()].reduce((sum, n) => sum + n, 0);
  if (rows === 0) return undefined;
  const warehouse = await ctx.warehouse();
  return {
    where: warehouse.description,
    rows,
    songplays: current.rows.get('songplays') ?? 0,
    load: await latestLoad(warehouse),
  };
}

/** `2024-05-01 10:32:05.123` (UTC, as stored) → `2024-05-01 10:32 UTC`. */
function loadedOn(loadedAt: string): string {
  const minute = /^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d)/.exec(loadedAt)?.[1];
  return `${(minute ?? loadedAt).replace('T', ' ')} UTC`;
}

/** "25,632 songplays loaded on 2024-05-01 10:32 UTC from data/song_data and data/log_data" */
function describeContents(ctx: Context, holding: Holding): string {
  const what =
    holding.songplays > 0 ? `${formatCount(holding.songplays)} songplays` : `${formatCount(holding.rows)} rows`;
  const { load } = holding;
  let origin: string;
  if (load === undefined) {
    origin = 'with no record of where they came from';
  } else {
    const shown = (path: string): string => (load.kind === 's3' ? path : displayPath(ctx, path));
    const from =
      load.kind === 'demo'
        ? `the demo's data in ${shown(load.songData).replace(/[\\/]song_data$/, '')}`
        : `${shown(load.songData)} and ${shown(load.logData)}`;
    origin = `loaded on ${loadedOn(load.loadedAt)} from ${from}`;
  }
  return `${what} ${origin}`;
}

/** "embedded (PGlite) at … holds 25,632 songplays loaded on … from data/song_data and data/log_data" */
export function describeHolding(ctx: Context, holding: Holding): string {
  return `${holding.where} holds ${describeContents(ctx, holding)}`;
}

export interface ReplaceWording {
  /** The question after the holding: "drop them and create empty tables?" */
  question: string;
  /** Without a terminal, what the step would have done: "tables create would drop them". */
  wouldHave: string;
  /** How to go ahead anyway: "pass --yes to drop them anyway". */
  hint: string;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Whether to go ahead and replace `holding`: --yes says yes (and it is said what goes); a person
 * is asked, default No; without a terminal it is a UserError saying what and how to go ahead.
 */
export async function confirmReplacing(ctx: Context, holding: Holding, wording: ReplaceWording): Promise<boolean> {
  const held = describeHolding(ctx, holding);
  if (ctx.prompts.unattended) {
    ctx.ui.warn(`--yes: replacing ${describeContents(ctx, holding)} in ${holding.where}`);
    return true;
  }
  try {
    return await ctx.prompts.confirm({ message: `${capitalized(held)}: ${wording.question}`, default: false });
  } catch (error) {
    if (!(error instanceof NoTerminalError)) throw error;
    throw new UserError(`${held}; ${wording.wouldHave}, so nothing was changed`, { hint: wording.hint, cause: error });
  }
}
