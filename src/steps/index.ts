/** The menu's entries in walkthrough order. AWS steps apply only to the redshift target. */
import type { Context } from '../context.js';
import { analyticsStep } from './analytics.js';
import { checkStep } from './check.js';
import { loadStep } from './load.js';
import { tablesStep } from './tables.js';
import type { MenuStep } from './types.js';

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
  steps.push(tablesStep, loadStep, checkStep, analyticsStep);
  return steps.filter((step) => step.applies(ctx));
}
