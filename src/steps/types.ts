import type { Context } from '../context.js';
import type { StepStatus } from '../ui/types.js';

// The status is drawn by src/ui/menu.ts, so its type lives there, below the steps.
export type { StepState, StepStatus } from '../ui/types.js';

export interface StepResult {
  ok: boolean;
  /** One line for the menu and `setup` to show after the step. */
  summary?: string;
}

/**
 * A menu entry. The menu, `setup` and every subcommand call the same `run`, so rerunning one step
 * and running them all cannot drift apart.
 */
export interface MenuStep {
  id: string;
  title: string;
  /** Whether the step belongs in the walkthrough for this context (AWS steps only for redshift). */
  applies(ctx: Context): boolean;
  status(ctx: Context): Promise<StepStatus>;
  run(ctx: Context): Promise<StepResult>;
}
