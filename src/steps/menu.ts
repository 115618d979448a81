/**
 * The main menu: a header with the target and its state, every step with a live status, the
 * guided walkthrough first. Ctrl-C inside a step returns here; Ctrl-C at the menu exits (130).
 * It is drawn at once, before the statuses are read (opening PGlite alone takes ~0.4 s), and
 * drawn again in place when they arrive.
 */
import type { AppContext, Context, StepResult } from '../context.js';
import { ConfigError, isInterrupted } from '../errors.js';
import { isCredentialsMissing } from '../aws/errors.js';
import { debugRequested, printError } from '../ui/errors.js';
import { CHECKING, checkingChoiceLabel, eraseAbove, preloadTerminalPrompts, terminalColumns } from '../ui/live-menu.js';
import {
  actionChoiceLabel,
  menuChoiceLabel,
  menuLayout,
  renderHeader,
  warehouseChoiceLabel,
  type MenuLayout,
} from '../ui/menu.js';
import { isSelectAborted } from '../ui/prompts.js';
import { NoWorkgroupYetError } from '../warehouse/errors.js';
import { SIGN_IN_FIRST } from './aws-status.js';
import { ensureConfig } from './config.js';
import { deferredSqlStep, walkthroughSteps } from './index.js';
import { statusSnapshot } from './state.js';
import { targetStep } from './target.js';
import type { MenuStep, StatusSnapshot, StepStatus } from './types.js';

type MenuAction = { kind: 'setup' } | { kind: 'step'; step: MenuStep } | { kind: 'quit' };

/**
 * How long a drawing after a step waits at most for the statuses: on a warehouse that is open
 * they arrive within it and are drawn exact, with no redraw a moment later; slower ones show
 * "checking…" until they arrive. The first drawing waits only for what needs no I/O.
 */
export const STATUS_GRACE_MS = 50;

export async function runMenu(ctx: AppContext): Promise<StepResult> {
  // At a terminal the prompt library is the largest thing left to load: load it meanwhile.
  const promptsLoaded = ctx.ui.interactive && !ctx.prompts.unattended ? preloadTerminalPrompts() : Promise.resolve();
  await ensureConfig(ctx);
  for (let first = true; ; first = false) {
    const { steps, walkthrough } = await menuSteps(ctx);
    // The reads start only once the menu can be drawn: opening PGlite parses half a megabyte
    // of JavaScript and compiles WebAssembly on this thread, which would delay the drawing.
    if (first) await promptsLoaded;
    const live = readLiveState(ctx, steps);
    await settledWithin(live.ready, first ? 0 : STATUS_GRACE_MS);
    const action = await chooseAction(ctx, steps, walkthrough, live, first);
    if (action.kind === 'quit') return { ok: true };
    // The steps' tables and charts: loaded after the first drawing (src/ui/terminal.ts).
    await ctx.ui.ready?.();
    try {
      if (action.kind === 'setup') await (await import('./setup.js')).runSetup(ctx);
      else {
        const result = await action.step.run(ctx);
        if (result.summary && !result.ok) ctx.ui.warn(result.summary);
      }
    } catch (error) {
      if (isInterrupted(error)) ctx.ui.note('Stopped; back to the menu.');
      else printError(ctx.ui, error, { debug: debugRequested(ctx.env) });
    } finally {
      // A Ctrl-C during the step aborted it; the menu itself goes on with a fresh signal.
      ctx.resetInterrupt();
    }
  }
}

/** Wait until `work` settles or `ms` have passed (0: until the next turn of the event loop). */
async function settledWithin(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolveTimer) => (timer = setTimeout(resolveTimer, ms)))]);
  clearTimeout(timer);
}

/**
 * The header and the question, drawn at once with what is known; when the rest of the statuses
 * arrive, the question is withdrawn and both are drawn again in place, the cursor on the same
 * entry. A choice made before that is simply run (the statuses still being read are dropped).
 */
async function chooseAction(
  ctx: AppContext,
  steps: MenuStep[],
  walkthrough: ReadonlySet<MenuStep>,
  live: LiveState,
  first: boolean,
): Promise<MenuAction> {
  // The same value objects on every drawing, so the highlighted one is found again by identity.
  const setup: MenuAction = { kind: 'setup' };
  const quit: MenuAction = { kind: 'quit' };
  const stepActions: MenuAction[] = steps.map((step) => ({ kind: 'step', step }));
  let highlighted: MenuAction | undefined;
  for (;;) {
    const complete = live.complete;
    // After a step, a blank line keeps its last line apart from the menu (erased and redrawn with it).
    const header =
      (first ? '' : '\n') +
      renderHeader({
        target: ctx.target(),
        description: live.description ?? CHECKING,
        configPath: ctx.config.displayPath,
        lines: [],
        cost: live.cost,
        color: ctx.ui.color,
        width: terminalColumns(),
      });
    ctx.ui.print(header);
    const refresh = complete ? undefined : new AbortController();
    if (refresh) void live.ready.then(() => refresh.abort());
    // This drawing will be erased and drawn again: a line printed under it meanwhile (the AWS SDK's
    // notice or a Node warning while a status is read) would shift it, and the erase would leave
    // its top behind. Held back, it is printed once the drawing is gone, above the next one.
    const release = refresh ? ctx.ui.hold?.() : undefined;
    // The badge column after the longest title, every entry kept to one line of the terminal.
    const layout = menuLayout(
      steps.map((step) => step.title),
      terminalColumns(),
    );
    try {
      const choice = ctx.prompts.select<MenuAction>({
        message: 'What next?',
        choices: [
          { name: setupLabel(steps, walkthrough, live.statuses), short: 'Guided setup', value: setup },
          ...steps.map((step, i) => ({
            name: choiceLabel(ctx, step, live.statuses[i], layout),
            // The answer line names the step; its status was for choosing.
            short: step.title,
            value: stepActions[i]!,
          })),
          { name: 'Quit', value: quit },
        ],
        ...(highlighted === undefined ? {} : { default: highlighted }),
        ...(refresh ? { signal: refresh.signal } : {}),
      });
      // Drawn: what the steps need to show their results loads while the user chooses.
      void ctx.ui.ready?.();
      return await choice;
    } catch (error) {
      if (!isSelectAborted(error)) throw error;
      // The prompt erased itself; the header above it goes too, and both are drawn again.
      highlighted = error.highlighted as MenuAction | undefined;
      eraseAbove(header);
    } finally {
      release?.();
    }
  }
}

/** Entries that are actions rather than steps with progress: they say what they do, not a badge. */
const ACTIONS = new Set(['sql', 'cluster-status', 'cluster-pause', 'cluster-resume']);

function choiceLabel(ctx: Context, step: MenuStep, status: StepStatus | undefined, layout: MenuLayout): string {
  const { color } = ctx.ui;
  if (step === targetStep && status?.detail) return warehouseChoiceLabel(step.title, status.detail, color, layout);
  if (ACTIONS.has(step.id) && status?.state === 'todo')
    return actionChoiceLabel(step.title, status.detail, color, layout);
  return status ? menuChoiceLabel(step.title, status, color, layout) : checkingChoiceLabel(step.title, color, layout);
}

/** "Guided setup (2 steps to do)": the steps the walkthrough runs on this target that are not done. */
export function setupLabel(
  steps: MenuStep[],
  walkthrough: ReadonlySet<MenuStep>,
  statuses: ReadonlyArray<StepStatus | undefined>,
): string {
  const counted = steps.map((step, i) => ({ step, status: statuses[i] })).filter(({ step }) => walkthrough.has(step));
  if (counted.some(({ status }) => status === undefined)) return `Guided setup (${CHECKING})`;
  const todo = counted.filter(({ status }) => status?.state !== 'done').length;
  return `Guided setup${todo > 0 ? ` (${todo} step${todo === 1 ? '' : 's'} to do)` : ' (all done)'}`;
}

/** What the menu shows, filled in as the reads finish; `ready` settles (never rejects) when all have. */
interface LiveState {
  /** The warehouse's description, or "not reachable: …"; undefined while it is being opened. */
  description: string | undefined;
  /** Each step's status, undefined while it is being read. */
  statuses: Array<StepStatus | undefined>;
  /** A provisioned cluster's run time and cost so far, with the cost guard's warning; undefined without one. */
  cost: { text: string; warn: boolean } | undefined;
  complete: boolean;
  ready: Promise<void>;
}

/** Start reading every status and the warehouse's description, all at once. */
function readLiveState(ctx: Context, steps: MenuStep[]): LiveState {
  // Another session's lock is said beside the steps, never waited for (docs/safety.md).
  const snapshot = statusSnapshot(ctx, { lockedNotWaited: true });
  const live: LiveState = {
    description: undefined,
    statuses: steps.map(() => undefined),
    cost: undefined,
    complete: false,
    ready: Promise.resolve(),
  };
  const reads = steps.map(async (step, i) => {
    live.statuses[i] = await safeStatus(ctx, step, snapshot);
  });
  reads.push(
    (async () => {
      live.description = await warehouseDescription(ctx);
    })(),
  );
  if (ctx.target() === 'redshift') {
    reads.push(
      (async () => {
        // clusterCostHeader never rejects; it reads the cluster through the snapshot, with the cluster step.
        const { clusterCostHeader } = await import('./cluster-cost.js');
        live.cost = await clusterCostHeader(ctx, () => snapshot.cluster());
      })(),
    );
  }
  // safeStatus and warehouseDescription never reject, so neither does this.
  live.ready = Promise.all(reads).then(() => {
    live.complete = true;
  });
  return live;
}

/** The menu's steps in order, and which of them the guided setup walks through. */
async function menuSteps(ctx: AppContext): Promise<{ steps: MenuStep[]; walkthrough: ReadonlySet<MenuStep> }> {
  const walkthrough = await walkthroughSteps(ctx);
  const steps = [targetStep, ...walkthrough, deferredSqlStep];
  if (ctx.target() === 'redshift') {
    const [{ teardownStep }, cluster] = await Promise.all([import('./teardown.js'), import('./cluster.js')]);
    // Cluster housekeeping: their live state is the cluster step's, so no extra AWS call per redraw.
    const action = (id: string, title: string, detail: string, run: MenuStep['run']): MenuStep => ({
      id,
      title,
      applies: () => true,
      status: () => Promise.resolve({ state: 'todo', detail }),
      run,
    });
    steps.push(
      action('cluster-status', 'Cluster status and cost', 'endpoint, size, age, cost so far', (c) =>
        cluster.runClusterStatus(c),
      ),
      action('cluster-pause', 'Pause cluster', 'compute billing stops', (c) => cluster.runClusterPause(c)),
      action('cluster-resume', 'Resume cluster', 'back to available', (c) => cluster.runClusterResume(c)),
      teardownStep,
    );
  }
  if (ctx.target() === 'redshift-serverless') steps.push(...(await import('./serverless.js')).serverlessMenuSteps());
  return { steps, walkthrough: new Set(walkthrough) };
}

/** A Redshift target whose cluster was never made: nothing is wrong, the cluster step comes first. */
function noClusterYet(error: unknown): boolean {
  return error instanceof ConfigError && error.section === 'CLUSTER' && error.key === 'HOST';
}

async function safeStatus(ctx: Context, step: MenuStep, snapshot: StatusSnapshot): Promise<StepStatus> {
  try {
    return await step.status(ctx, snapshot);
  } catch (error) {
    if (noClusterYet(error)) return { state: 'unavailable', detail: 'create the cluster first' };
    if (error instanceof NoWorkgroupYetError) return { state: 'unavailable', detail: 'create the workgroup first' };
    if (isCredentialsMissing(error)) return SIGN_IN_FIRST;
    // Whole: the menu's layout cuts it to the terminal's width (src/ui/menu.ts).
    return { state: 'unavailable', detail: error instanceof Error ? error.message : String(error) };
  }
}

async function warehouseDescription(ctx: Context): Promise<string> {
  try {
    return (await ctx.warehouse()).description;
  } catch (error) {
    if (noClusterYet(error)) return 'no cluster yet (the Redshift cluster step makes it)';
    if (error instanceof NoWorkgroupYetError) {
      return `no workgroup ${error.workgroupName} yet (the Redshift Serverless workgroup step makes it)`;
    }
    if (isCredentialsMissing(error)) return 'not reachable yet: no AWS credentials (the AWS credentials step)';
    return `not reachable: ${error instanceof Error ? error.message : String(error)}`;
  }
}
