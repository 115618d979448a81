/**
 * Redshift Serverless in the menu and the guided walkthrough: its own entries beside the
 * provisioned cluster's (src/steps/cluster.ts), chosen by target in src/steps/index.ts and
 * src/steps/menu.ts, so neither target's steps know of the other's.
 */
import type { Context } from '../context.js';
import { credentialsStep } from './credentials.js';
import { planThenApply } from './plan-first.js';
import { runServerlessCreate } from './serverless-create.js';
import { runServerlessStatus, serverlessStatus } from './serverless-status.js';
import { runServerlessTeardown, serverlessTeardownStatus } from './serverless-teardown.js';
import type { MenuStep } from './types.js';

const isServerless = (ctx: Context): boolean => ctx.target() === 'redshift-serverless';

/** `credentials`, as for a cluster: the same AWS identity makes the workgroup and runs the SQL. */
export const serverlessCredentialsStep: MenuStep = { ...credentialsStep, applies: isServerless };

export const serverlessStep: MenuStep = {
  id: 'cluster',
  title: 'Redshift Serverless workgroup',
  applies: isServerless,
  status: serverlessStatus,
  run: (ctx) => planThenApply(ctx, (context) => runServerlessCreate(context)),
};

export const serverlessTeardownStep: MenuStep = {
  id: 'teardown',
  title: 'Tear down AWS resources',
  applies: isServerless,
  status: serverlessTeardownStatus,
  run: (ctx) => planThenApply(ctx, (context) => runServerlessTeardown(context)),
};

/** The walkthrough's AWS steps, before tables → load → checks → analytics. */
export const serverlessWalkthroughSteps: readonly MenuStep[] = [serverlessCredentialsStep, serverlessStep];

/**
 * The menu's housekeeping after the walkthrough: status and teardown. Pause and resume stay out of
 * the menu (idle time is free); on the command line they say so.
 */
export function serverlessMenuSteps(): MenuStep[] {
  const action = (id: string, title: string, detail: string, run: MenuStep['run']): MenuStep => ({
    id,
    title,
    applies: () => true,
    status: () => Promise.resolve({ state: 'todo', detail }),
    run,
  });
  return [
    action('cluster-status', 'Workgroup status and usage', 'endpoint, RPUs, usage and cost so far', (ctx) =>
      runServerlessStatus(ctx),
    ),
    serverlessTeardownStep,
  ];
}
