import type { Context } from '../context.js';

/** What the menu shows next to a step, read live from the warehouse and dwh.cfg. */
export type StepState = 'done' | 'todo' | 'stale' | 'unavailable';

export interface StepStatus {
  state: StepState;
  /** Short detail: "42 songplays", "cluster available", "dwh.cfg changed since the load". */
  detail?: string;
}

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
