/**
 * The cost guard of `cluster create`: pause a provisioned cluster automatically N hours after it
 * was made (a one-time Redshift scheduled action through a role only the Redshift scheduler may
 * assume; src/aws/schedule.ts). Asked for a new cluster, taken from [DWH] DWH_PAUSE_AFTER_HOURS
 * when set (and so under --yes); teardown removes both (docs/redshift.md, Automatic pause).
 */
import type { AwsClients } from '../aws/clients.js';
import { ensurePauseSchedule, type PauseScheduleOutcome } from '../aws/schedule.js';
import type { ConfigChange, DwhConfig } from '../config/types.js';
import { validatePauseAfterHours } from '../config/validate.js';
import type { Context } from '../context.js';

/**
 * Hours until the automatic pause (0: none), and the key to write when the user chose one (a "never"
 * is not written: the next new cluster asks again).
 */
export async function askPauseAfterHours(
  ctx: Context,
  config: DwhConfig,
): Promise<{ hours: number; changes: ConfigChange[] }> {
  if (config.dwh.pauseAfterHours !== undefined) return { hours: config.dwh.pauseAfterHours, changes: [] };
  const answer = await ctx.prompts.input({
    message: 'Pause the cluster automatically after how many hours? (1–168; 0: never)',
    default: '0',
    validate: validatePauseAfterHours,
    unattended: 'set [DWH] DWH_PAUSE_AFTER_HOURS in dwh.cfg',
  });
  const hours = Number(answer);
  return {
    hours,
    changes: hours === 0 ? [] : [{ section: 'DWH', key: 'DWH_PAUSE_AFTER_HOURS', value: String(hours) }],
  };
}

/** The summary's line for the choice. */
export function autoPauseText(hours: number): string {
  return hours === 0
    ? 'none (pause or tear down by hand: compute is billed while it runs)'
    : `${hours} h after creation (a Redshift scheduled action; storage is still billed while paused)`;
}

/** Schedule the pause `hours` after `fromMs` (replacing an earlier one of the wizard's), and say what happened. */
export async function scheduleAutoPause(
  ctx: Context,
  clients: AwsClients,
  identifier: string,
  hours: number,
  fromMs: number,
): Promise<PauseScheduleOutcome> {
  const spinner = ctx.ui.spinner(`Scheduling the automatic pause of cluster ${identifier}…`);
  let outcome: PauseScheduleOutcome;
  try {
    outcome = await ensurePauseSchedule(clients, {
      clusterIdentifier: identifier,
      hours,
      fromMs,
      region: clients.region,
      clock: ctx.clock,
      signal: ctx.signal,
    });
  } catch (error) {
    spinner.fail('The automatic pause was not scheduled');
    throw error;
  }
  switch (outcome.kind) {
    case 'created':
    case 'replaced':
      spinner.succeed(
        `Cluster ${identifier} pauses automatically at ${outcome.at.toISOString().slice(0, 16).replace('T', ' ')} ` +
          `UTC (scheduled action ${outcome.name}; \`sparkify-dwh cluster resume\` brings it back)`,
      );
      break;
    case 'not-ours':
      spinner.fail(
        `No automatic pause: ${outcome.what === 'action' ? 'scheduled action' : 'IAM role'} ${outcome.name}`,
      );
      ctx.ui.warn(
        `${outcome.what === 'action' ? 'Scheduled action' : 'IAM role'} ${outcome.name} exists and was not made by ` +
          'sparkify-dwh for this cluster: it is left alone, and nothing is scheduled.',
      );
      break;
    case 'interrupted':
      spinner.stop();
      ctx.ui.warn('Stopped before the automatic pause was scheduled: run `sparkify-dwh cluster create` again.');
  }
  return outcome;
}
