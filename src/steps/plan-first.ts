/**
 * In the menu, the cluster and teardown steps show their plan before asking (docs/commands.md,
 * --dry-run): the step runs once on a planning copy of the context (the same seams as --dry-run:
 * AWS clients that send nothing that changes anything, dwh.cfg kept in memory, a warehouse that
 * records SQL), which prints every AWS call, SQL statement and dwh.cfg key; then the step's own
 * "go ahead?" question is asked; then, only on yes, the step runs for real with the answers the
 * user already gave, showing its progress and outcome but not again what the plan showed before the
 * question. There is no second description of what a step does: the plan is the step.
 */
import { hasCredentials, planAwsClients } from '../aws/planning.js';
import { planningConfigStore } from '../config/planning.js';
import type { Clock, Context, StepResult } from '../context.js';
import { PlanView } from '../ui/plan.js';
import type { Prompts, SelectPrompt, Spinner, Ui } from '../ui/types.js';
import { openPlanningWarehouse } from '../warehouse/planning.js';
import type { Warehouse } from '../warehouse/types.js';

/** The step's "go ahead?" question; true to go on. */
export type ApplyQuestion = (prompts: Prompts) => Promise<boolean>;

interface Gate {
  mode: 'planning' | 'approved';
  /** The question the planning run reached (asked after the plan is shown). */
  question?: ApplyQuestion;
  /** The approved run has reached the question's place: from here on it shows its progress. */
  passed?: boolean;
}

const gates = new WeakMap<Context, Gate>();

/**
 * Where a step asks whether to change anything. Run on its own it just asks. In the planning run
 * it answers yes without asking (the plan goes on to its end) and keeps the question; in the real
 * run after the user said yes to the plan it is not asked again.
 */
export async function askToApply(ctx: Context, question: ApplyQuestion): Promise<boolean> {
  const gate = gates.get(ctx);
  if (!gate) return question(ctx.prompts);
  if (gate.mode === 'planning') gate.question ??= question;
  else gate.passed = true;
  return true;
}

interface Answer {
  kind: keyof Omit<Prompts, 'unattended'>;
  message: string;
  value: unknown;
}

/** `prompts`, keeping every answer in `answers`. */
function recording(prompts: Prompts, answers: Answer[]): Prompts {
  const kept =
    <P extends { message: string }, R>(kind: Answer['kind'], ask: (prompt: P) => Promise<R>) =>
    async (prompt: P): Promise<R> => {
      const value = await ask(prompt);
      answers.push({ kind, message: prompt.message, value });
      return value;
    };
  return {
    unattended: prompts.unattended,
    select: <T>(prompt: SelectPrompt<T>) => kept('select', (asked: SelectPrompt<T>) => prompts.select(asked))(prompt),
    input: kept('input', (prompt) => prompts.input(prompt)),
    password: kept('password', (prompt) => prompts.password(prompt)),
    confirm: kept('confirm', (prompt) => prompts.confirm(prompt)),
  };
}

/**
 * `prompts` that give the planning run's answers again, in order, while the questions are the same;
 * from the first other question on (AWS answered differently between the two runs), they ask.
 */
function replaying(prompts: Prompts, answers: Answer[]): Prompts {
  const queue = [...answers];
  const replayed =
    <P extends { message: string }, R>(kind: Answer['kind'], ask: (prompt: P) => Promise<R>) =>
    (prompt: P): Promise<R> => {
      const next = queue[0];
      if (next && next.kind === kind && next.message === prompt.message) {
        queue.shift();
        return Promise.resolve(next.value as R);
      }
      queue.length = 0;
      return ask(prompt);
    };
  return {
    unattended: prompts.unattended,
    select: <T>(prompt: SelectPrompt<T>) =>
      replayed('select', (asked: SelectPrompt<T>) => prompts.select(asked))(prompt),
    input: replayed('input', (prompt) => prompts.input(prompt)),
    password: replayed('password', (prompt) => prompts.password(prompt)),
    confirm: replayed('confirm', (prompt) => prompts.confirm(prompt)),
  };
}

/** A spinner that shows nothing. */
const SILENT_SPINNER: Spinner = { update: () => {}, succeed: () => {}, fail: () => {}, warn: () => {}, stop: () => {} };

/**
 * `ui` that shows nothing until `open()` (errors always: a failure is never hidden). A spinner
 * started while closed stays silent to its end.
 */
function quietUntil(ui: Ui, open: () => boolean): Ui {
  const quiet = new Set<PropertyKey>(['heading', 'info', 'success', 'warn', 'note', 'print', 'table', 'barChart']);
  return new Proxy(ui, {
    get: (target, key, receiver) => {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key === 'spinner') return (text: string): Spinner => (open() ? target.spinner(text) : SILENT_SPINNER);
      if (quiet.has(key) && typeof value === 'function') {
        return (...args: unknown[]): unknown =>
          open() ? (value as (...a: unknown[]) => unknown).apply(target, args) : undefined;
      }
      return value;
    },
  });
}

/** Waits in a plan pass at once, the clock moving on so that time limits still end a loop. */
function plannedClock(clock: Clock): Clock {
  let waited = 0;
  return {
    now: () => clock.now() + waited,
    sleep: (ms, signal) => {
      if (signal?.aborted) return clock.sleep(ms, signal);
      waited += ms;
      return Promise.resolve();
    },
  };
}

/**
 * Run `step` with its plan shown before its question. Under --dry-run (the plan is all there is)
 * and under --yes (nothing is asked) the step simply runs.
 */
export async function planThenApply(ctx: Context, step: (ctx: Context) => Promise<StepResult>): Promise<StepResult> {
  if (ctx.options.dryRun === true || ctx.prompts.unattended) return step(ctx);
  const view = new PlanView(ctx.ui);
  const answers: Answer[] = [];
  const config = await planningConfigStore(ctx.config, {
    onWrite: (write) => view.configWrite(write, ctx.config.displayPath),
    onCreate: (from) => view.configCreate(ctx.config.displayPath, from),
  });
  const real = await ctx.aws();
  const offline = !(await hasCredentials(real));
  const clients = await planAwsClients(real, { offline, onCall: (call) => view.awsCall(call) });
  let warehouse: Warehouse | undefined;
  const target = ctx.target();
  const description = `the ${target} warehouse`;
  const planning: Context = {
    cwd: ctx.cwd,
    env: ctx.env,
    options: { ...ctx.options, dryRun: true },
    config,
    prompts: recording(ctx.prompts, answers),
    ui: PlanView.marked(ctx.ui),
    clock: plannedClock(ctx.clock),
    signal: ctx.signal,
    target: () => target,
    warehouse: () =>
      Promise.resolve(
        (warehouse ??= openPlanningWarehouse({
          target,
          description,
          assume: 'empty',
          onStatement: (statement) => view.statement(statement, description),
        })),
      ),
    aws: () => Promise.resolve(clients),
    awsChoice: ctx.awsChoice,
    close: () => Promise.resolve(),
  };
  const gate: Gate = { mode: 'planning' };
  gates.set(planning, gate);
  ctx.ui.note('The plan first: nothing is changed until you say yes.');
  if (offline) view.offline();
  const planned = await step(planning);
  const question = gate.question;
  const approved = (): Context => {
    const gate: Gate = { mode: 'approved' };
    // What the step shows before its question (its summary, the table of what it will delete,
    // costs, warnings) is on screen already, in the plan: shown once. After yes, the real run
    // shows its progress and its outcome only.
    const ui = question === undefined ? ctx.ui : quietUntil(ctx.ui, () => gate.passed === true);
    const applying = Object.create(ctx, {
      prompts: { value: replaying(ctx.prompts, answers) },
      ui: { value: ui },
    }) as Context;
    gates.set(applying, gate);
    return applying;
  };
  if (!question) {
    // No question on the way (an existing cluster reused as it is, nothing left to delete): the
    // step changes nothing worth asking about; it runs for real only if the plan changed anything.
    const { aws, sql, config: keys } = view.counts;
    return aws + sql + keys === 0 ? planned : step(approved());
  }
  const { aws, sql, config: keys } = view.counts;
  ctx.ui.info(`That is the plan: ${aws} AWS call(s) that change something, ${sql} SQL statement(s), ${keys} key(s).`);
  if (!(await question(ctx.prompts))) {
    ctx.ui.info('Nothing changed.');
    return { ok: false, summary: 'nothing changed' };
  }
  return step(approved());
}
