/**
 * Teardown's part for the automatic pause (src/steps/cluster-auto-pause.ts): the cluster's
 * scheduled action and the role the Redshift scheduler assumes for it, listed with the rest of
 * the plan and deleted when the wizard made them for this cluster; anything else of those names
 * is listed and left alone.
 */
import type { AwsClients } from '../aws/clients.js';
import { executeScheduleTeardown, planScheduleTeardown, type ScheduleTeardownPlan } from '../aws/schedule.js';
import type { Context } from '../context.js';

/** Look the pause up and list it; how many of its parts teardown will delete. */
export async function planPauseRemoval(
  ctx: Context,
  clients: AwsClients,
  clusterIdentifier: string,
): Promise<{ plan: ScheduleTeardownPlan; deleting: number }> {
  const plan = await planScheduleTeardown(clients, clusterIdentifier, clients.region);
  const action = (ours: boolean): string => (ours ? 'delete' : 'left alone: not made by sparkify-dwh for this cluster');
  const rows: Array<{ resource: string; name: string; action: string }> = [];
  if (plan.action) {
    rows.push({ resource: 'Scheduled action', name: plan.action.name, action: action(plan.action.ours) });
  }
  if (plan.role) rows.push({ resource: 'IAM role (pause)', name: plan.role.name, action: action(plan.role.ours) });
  if (rows.length > 0) {
    ctx.ui.table(rows, {
      title: 'Automatic pause',
      columns: [
        { key: 'resource', header: 'Resource' },
        { key: 'name', header: 'Name' },
        { key: 'action', header: 'Teardown' },
      ],
    });
  }
  return { plan, deleting: rows.filter((row) => row.action === 'delete').length };
}

/** Delete what the plan marks as the wizard's, and say so. */
export async function removePause(ctx: Context, clients: AwsClients, plan: ScheduleTeardownPlan): Promise<void> {
  const done = await executeScheduleTeardown(clients, plan, clients.region);
  if (done.action === 'deleted' && plan.action) ctx.ui.success(`Scheduled action ${plan.action.name} deleted`);
  if (done.role === 'deleted' && plan.role) ctx.ui.success(`IAM role ${plan.role.name} deleted`);
}
