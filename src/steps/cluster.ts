/**
 * The `cluster` command group (create | status | pause | resume) and its menu entry. Each command
 * lives in its own file; this one names them together for the CLI and the menu.
 */
import { runClusterCreate } from './cluster-create.js';
import { planThenApply } from './plan-first.js';
import { clusterStatus } from './cluster-status.js';
import type { MenuStep } from './types.js';

export { runClusterCreate } from './cluster-create.js';
export { runClusterPause, runClusterResume } from './cluster-power.js';
export { clusterStatus, runClusterStatus } from './cluster-status.js';

export const clusterStep: MenuStep = {
  id: 'cluster',
  title: 'Redshift cluster',
  applies: (ctx) => ctx.target() === 'redshift',
  status: clusterStatus,
  run: (ctx) => planThenApply(ctx, (context) => runClusterCreate(context)),
};
