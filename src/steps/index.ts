/** The menu's entries in walkthrough order. AWS steps apply only to the redshift target. */
import type { Context } from '../context.js';
import type { MenuStep, StatusSnapshot, StepResult, StepStatus } from './types.js';

/**
 * A step known by its id and title at once, its module imported when its status is first read or
 * it first runs. The menu draws these titles before any status is read, and the steps' modules
 * bring in the loader, the source readers and most of the SQL: loading them first would delay the
 * first drawing by tens of milliseconds (docs/performance.md). test/steps/deferred-steps.test.ts
 * checks that each id and title is the module's own.
 */
export function deferredStep(
  id: string,
  title: string,
  load: () => Promise<MenuStep>,
  /** A status that needs nothing of the module (nor any I/O): the first drawing shows it at once. */
  knownStatus?: StepStatus,
): MenuStep {
  let loaded: Promise<MenuStep> | undefined;
  const step = (): Promise<MenuStep> => {
    loaded ??= load();
    return loaded;
  };
  return {
    id,
    title,
    // Every deferred step belongs on every target; a step that depends on it is not deferred.
    applies: () => true,
    status: async (ctx: Context, snapshot: StatusSnapshot): Promise<StepStatus> =>
      knownStatus ?? (await step()).status(ctx, snapshot),
    run: async (ctx: Context): Promise<StepResult> => (await step()).run(ctx),
  };
}

export const deferredTablesStep = deferredStep(
  'tables',
  'Create tables',
  async () => (await import('./tables.js')).tablesStep,
);
export const deferredLoadStep = deferredStep('load', 'Load data', async () => (await import('./load.js')).loadStep);
export const deferredCheckStep = deferredStep(
  'check',
  'Check data quality',
  async () => (await import('./check.js')).checkStep,
);
export const deferredAnalyticsStep = deferredStep(
  'analytics',
  'Analytics',
  async () => (await import('./analytics.js')).analyticsStep,
);

/** The menu's "Run SQL" entry: the query checker and the result tables load when it is chosen. */
export const deferredSqlStep = deferredStep(
  'sql',
  'Run SQL (read-only)',
  async () => (await import('./sql.js')).sqlStep,
  {
    state: 'todo',
    detail: 'any SELECT',
  },
);

/** Steps of the guided walkthrough, in order, for the context's target. */
export async function walkthroughSteps(ctx: Context): Promise<MenuStep[]> {
  const steps: MenuStep[] = [];
  if (ctx.target() === 'redshift') {
    // Loaded only for Redshift so the local path never imports anything of AWS.
    const [{ credentialsStep }, { clusterStep }] = await Promise.all([
      import('./credentials.js'),
      import('./cluster.js'),
    ]);
    steps.push(credentialsStep, clusterStep);
  }
  if (ctx.target() === 'redshift-serverless')
    steps.push(...(await import('./serverless.js')).serverlessWalkthroughSteps);
  steps.push(deferredTablesStep, deferredLoadStep, deferredCheckStep, deferredAnalyticsStep);
  return steps.filter((step) => step.applies(ctx));
}
