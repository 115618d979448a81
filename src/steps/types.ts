import type { Context, StepResult } from '../context.js';
import type { StepStatus } from '../ui/types.js';
import type { StatusSnapshot } from './state.js';

// Shared with the layers that draw them (StepStatus) and run them (StepResult); re-exported so a
// step finds everything it implements in one place.
export type { StepResult } from '../context.js';
export type { StepState, StepStatus } from '../ui/types.js';
export type { StatusSnapshot } from './state.js';

/**
 * A menu entry. The menu, `setup` and every subcommand call the same `run`, so rerunning one step
 * and running them all cannot drift apart.
 */
export interface MenuStep {
  id: string;
  title: string;
  /** Whether the step belongs in the walkthrough for this context (AWS steps only for redshift). */
  applies(ctx: Context): boolean;
  /**
   * The step's state for the menu. `snapshot` is what one drawing knows of the warehouse, read
   * at most once however many steps ask; a step that needs nothing of it ignores it.
   */
  status(ctx: Context, snapshot: StatusSnapshot): Promise<StepStatus>;
  run(ctx: Context): Promise<StepResult>;
}
