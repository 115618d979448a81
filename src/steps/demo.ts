/**
 * `demo`: zero setup, no AWS. Generated data → tables → load → checks → analytics on the
 * embedded warehouse ([WAREHOUSE] EMBEDDED_DIR), which it rebuilds: at once when it holds nothing
 * or this folder's demo data, after a yes when it holds anything else (replace-guard.ts). Without a dwh.cfg it creates
 * one from the example, so the menu and `sql` afterwards work on the same warehouse. The generated files are
 * kept under .sparkify/demo-data and reused when the sizes match.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { runAnalytics } from './analytics.js';
import { runCheck } from './check.js';
import { createConfigFromExample } from './config.js';
import { runGenerate } from './generate.js';
import { runLoad } from './load.js';
import { SAMPLE_SET } from './sample-data.js';
import { confirmReplacing, readHolding, type Holding } from './replace-guard.js';
import { runTablesCreate } from './tables.js';
import type { StepResult } from './types.js';

/** The tables hold what this folder's demo loaded (the history names its generated song data). */
function isDemoData(holding: Holding, dataDir: string): boolean {
  return holding.load?.kind === 'demo' && holding.load.songData === join(dataDir, 'song_data');
}

export interface DemoOptions {
  songs?: number | undefined;
  events?: number | undefined;
}

/** The demo loads the sample set that setup and `load` offer to generate. */
const DEMO_DEFAULTS = SAMPLE_SET;

export async function runDemo(ctx: Context, options: DemoOptions = {}): Promise<StepResult> {
  const wanted = {
    songs: options.songs ?? DEMO_DEFAULTS.songs,
    events: options.events ?? DEMO_DEFAULTS.events,
    seed: DEMO_DEFAULTS.seed,
  };
  const base = dirname(ctx.config.path);
  const dataDir = resolve(base, '.sparkify', 'demo-data');
  const shown = relative(ctx.cwd, dataDir) || '.';
  ctx.ui.heading('Sparkify demo on the embedded warehouse (no AWS needed)');
  if (!ctx.config.exists()) {
    // So that the commands suggested at the end (menu, sql, analytics) find the same warehouse.
    await createConfigFromExample(ctx);
    ctx.ui.note('The embedded warehouse is its default target.');
  }

  // Its own earlier run's data is replaced without a question; anything else only when agreed.
  const holding = await readHolding(ctx);
  if (holding !== undefined && !isDemoData(holding, dataDir)) {
    const go = await confirmReplacing(ctx, holding, {
      question: 'replace them with the demo data?',
      wouldHave: 'the demo would replace them',
      hint:
        'pass --yes to replace them, or run the demo in a fresh folder ' +
        '(or with [WAREHOUSE] EMBEDDED_DIR set to another folder)',
    });
    if (!go) {
      ctx.ui.info('Nothing changed.');
      return { ok: false, summary: 'demo not run: the warehouse was left as it was' };
    }
  }

  const marker = join(dataDir, 'dataset.json');
  const have = existsSync(marker) ? await readFile(marker, 'utf8').catch(() => '') : '';
  // A dry run only plans the data (runGenerate says what it would write): no folder removed or made.
  const dryRun = ctx.options.dryRun === true;
  if (have !== JSON.stringify(wanted)) {
    if (!dryRun) {
      await rm(dataDir, { recursive: true, force: true });
      await mkdir(dataDir, { recursive: true });
    }
    const generated = await runGenerate(ctx, { out: shown, ...wanted });
    if (!generated.ok) return generated;
    // Written last: a half-generated folder is regenerated next time.
    if (!dryRun) await writeFile(marker, JSON.stringify(wanted));
  } else {
    ctx.ui.note(`Reusing the generated data in ${shown}`);
  }

  // Asked above: whatever the tables hold now is the demo's own, or agreed to go.
  const tables = await runTablesCreate(ctx, { confirmDrop: false });
  if (!tables.ok) return tables;
  const loaded = await runLoad(ctx, {
    folders: { songData: join(dataDir, 'song_data'), logData: join(dataDir, 'log_data') },
  });
  if (!loaded.ok) return loaded;
  const checked = await runCheck(ctx);
  const analytics = await runAnalytics(ctx, { all: true, format: 'table' });
  ctx.ui.note(
    'Next: `sparkify-dwh` for the menu, `sparkify-dwh sql "SELECT …"` to explore, ' +
      'or `sparkify-dwh setup` for your own data.',
  );
  if (!checked.ok) return checked;
  if (!analytics.ok) return analytics;
  return { ok: true, summary: 'demo complete: loaded, checked and analysed' };
}
