/**
 * Builds the one Context a command runs with, and runs a command inside it: lock, signals,
 * error printing and the exit status. src/cli.ts only maps argv onto this.
 */
import { statSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { AwsClients, AwsSettings } from './aws/clients.js';
import type { ConfigStore, Target } from './config/types.js';
import { systemClock, type AppContext, type Clock, type GlobalOptions, type StepResult } from './context.js';
import { InterruptedError, UsageError, UserError } from './errors.js';
import { isInteractive } from './ui/interactive.js';
import type { PlanView } from './ui/plan.js';
import type { Prompts, Ui } from './ui/types.js';
import type { Warehouse } from './warehouse/types.js';

export interface AppIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** process.version unless a test says otherwise: the AWS SDK's Node-version notice depends on it. */
  nodeVersion?: string;
}

export interface ContextOptions extends GlobalOptions {
  /** -c/--config as typed (default ./dwh.cfg). */
  configPath: string;
}

/** Make the context: config opened, secrets registered for redaction, UI and prompts chosen. */
export async function createContext(
  options: ContextOptions,
  io: AppIo,
  overrides: { prompts?: Prompts; ui?: Ui } = {},
): Promise<AppContext> {
  const [{ openConfig, secretsIn }, { registerSecret }, { createTerminalUi }] = await Promise.all([
    import('./config/store.js'),
    import('./ui/redact.js'),
    import('./ui/terminal.js'),
  ]);
  const configPath = resolve(io.cwd, options.configPath);
  checkConfigPath(options.configPath, configPath);
  const fileConfig = await openConfig(configPath, options.configPath);
  for (const secret of secretsIn(fileConfig)) registerSecret(secret);
  // Secrets from the environment are redacted too: they must never be echoed back either.
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'PGPASSWORD']) {
    const value = io.env[name];
    if (value) registerSecret(value);
  }

  // Questions need stdin and stdout; spinners rewrite their line on stderr.
  const interactive = isInteractive(io.env, io.stdin, io.stdout);
  const ui =
    overrides.ui ??
    createTerminalUi({
      color: options.color,
      interactive: interactive && isInteractive(io.env, io.stderr),
      stdout: io.stdout,
      stderr: io.stderr,
    });
  const prompts = overrides.prompts ?? (await choosePrompts(options.yes, interactive, options.color, io.stdin));
  // --dry-run swaps the seams below (dwh.cfg, warehouse, AWS, clock) for planning ones; steps run unchanged.
  const planUi = options.dryRun ? await import('./ui/plan.js') : undefined;
  const plan = planUi ? new planUi.PlanView(ui) : undefined;
  const config = plan
    ? await (
        await import('./config/planning.js')
      ).planningConfigStore(fileConfig, {
        onWrite: (write) => plan.configWrite(write, fileConfig.displayPath),
        onCreate: (from) => plan.configCreate(fileConfig.displayPath, from),
      })
    : fileConfig;
  let awsOffline: boolean | undefined;

  let controller = new AbortController();
  let warehouse: Promise<Warehouse> | undefined;
  let releaseWarehouseLock: (() => Promise<void>) | undefined;
  // What the open warehouse was opened for (warehouseKey), and the closing of one it replaced.
  let openedFor: string | undefined;
  let closingWarehouse: Promise<void> = Promise.resolve();
  // The clients and the settings they were made with: another profile, keys or region makes new ones.
  let aws: { settings: AwsSettings; clients: Promise<AwsClients> } | undefined;
  // Outside `aws`: the notice is said once per run, however often the clients are made again.
  let nodeNoticeShown = false;
  // Once closed, nothing is opened again: a menu status still being read when the program ends
  // must not reopen the warehouse or the AWS clients after they were closed.
  let closed = false;
  const closedError = (): Promise<never> => Promise.reject(new Error('the program is ending'));

  /** Under --dry-run: the clients, wrapped so that nothing they send changes anything. */
  const planned = async (made: Promise<AwsClients>): Promise<AwsClients> => {
    const [clients, { hasCredentials, planAwsClients }] = await Promise.all([made, import('./aws/planning.js')]);
    const offline = !(await hasCredentials(clients));
    if (offline && awsOffline !== true) plan?.offline();
    awsOffline = offline;
    return planAwsClients(clients, { offline, onCall: (call) => plan?.awsCall(call) });
  };

  const ctx: AppContext = {
    cwd: io.cwd,
    env: io.env,
    options,
    config,
    prompts,
    ui: planUi ? planUi.PlanView.marked(ui) : ui,
    clock: plan ? plannedClock() : systemClock,
    get signal() {
      return controller.signal;
    },
    abort: () => controller.abort(new InterruptedError()),
    resetInterrupt: () => {
      if (controller.signal.aborted) controller = new AbortController();
    },
    target: () => effectiveTarget(options.target, config),
    warehouse: () => {
      if (closed) return closedError();
      // Another target (the menu's Warehouse entry) or other connection settings (a URL typed, a
      // cluster's endpoint written back) open the warehouse they name; the one open is closed.
      const key = warehouseKey(ctx.target(), config);
      if (warehouse && openedFor !== key) {
        const stale = warehouse;
        const release = releaseWarehouseLock;
        warehouse = undefined;
        releaseWarehouseLock = undefined;
        closingWarehouse = (async () => {
          await (await stale.catch(() => undefined))?.close().catch(() => undefined);
          await release?.().catch(() => undefined);
        })();
      }
      openedFor = key;
      const closing = closingWarehouse;
      warehouse ??= (async () => {
        // The one being replaced lets go of its folder's lock first.
        await closing;
        const values = config.values();
        const target = ctx.target();
        if (plan) {
          // Nothing is opened: no connection, no PGlite data folder, no lock file.
          const { openPlanningWarehouse } = await import('./warehouse/planning.js');
          const description = `the ${target} warehouse`;
          return openPlanningWarehouse({
            target,
            description,
            assume: PLANNED_FROM_EMPTY.includes(describeCommand()) ? 'empty' : 'ready',
            onStatement: (statement) => plan.statement(statement, description),
          });
        }
        if (target === 'embedded') {
          // Two processes on one PGlite data folder would corrupt it: one wizard at a time.
          const { acquireLock } = await import('./config/lock.js');
          const dir = resolve(dirname(config.path), values.warehouse.embeddedDir);
          const shown = relative(io.cwd, dir);
          // Locked under its real path: a symbolic link and the folder it points to are one warehouse.
          const real = await realpath(dir).catch(() => dir);
          releaseWarehouseLock = await acquireLock(`${real}.lock`, describeCommand(), {
            subject: `the embedded warehouse ${shown === '' ? '.' : shown.startsWith('..') ? dir : shown}`,
            onNote: (note) => ui.note(note),
          });
        }
        const { openWarehouse } = await import('./warehouse/open.js');
        // Other sessions see who we are when we hold, or wait for, a lock.
        return openWarehouse(target, values, config.displayPath, {
          applicationName: `sparkify-dwh ${describeCommand()}`,
          // Redshift: the Data API (private) or temporary credentials (no stored password).
          aws: () => ctx.aws(),
        });
      })();
      warehouse.catch(() => {
        warehouse = undefined;
      });
      return warehouse;
    },
    awsChoice: undefined,
    aws: async () => {
      if (closed) return closedError();
      const [{ resolveAwsSettings }, { createAwsClients, destroyAwsClients, sameAwsSettings }, { nodeVersionNotice }] =
        await Promise.all([import('./aws/credentials.js'), import('./aws/clients.js'), import('./aws/node-notice.js')]);
      const settings = await resolveAwsSettings(config.values(), io.env, ctx.awsChoice);
      if (closed) return closedError();
      if (aws && sameAwsSettings(aws.settings, settings)) return aws.clients;
      const previous = aws?.clients;
      const clients = plan ? planned(createAwsClients(settings)) : createAwsClients(settings);
      aws = { settings, clients };
      clients.catch(() => {
        if (aws?.clients === clients) aws = undefined;
      });
      void previous?.then(destroyAwsClients, () => undefined);
      if (!nodeNoticeShown) {
        nodeNoticeShown = true;
        const notice = nodeVersionNotice(io.nodeVersion ?? process.version);
        if (notice) ui.note(notice);
      }
      return clients;
    },
    close: async () => {
      closed = true;
      const open = warehouse;
      warehouse = undefined;
      await closingWarehouse;
      if (open) await (await open.catch(() => undefined))?.close();
      await releaseWarehouseLock?.();
      releaseWarehouseLock = undefined;
      if (aws) {
        const clients = await aws.clients.catch(() => undefined);
        if (clients) (await import('./aws/clients.js')).destroyAwsClients(clients);
        aws = undefined;
      }
    },
  };
  if (plan) {
    plans.set(ctx, plan);
    plan.banner();
  }
  return ctx;
}

/**
 * The commands whose dry run plans from an empty warehouse (they start from the beginning); the
 * others plan as if the steps before them had run (docs/commands.md, --dry-run).
 */
const PLANNED_FROM_EMPTY: readonly string[] = ['setup', 'menu', 'demo', 'tables create'];

/** The plan a --dry-run context shows, for runCommand's closing line. */
const plans = new WeakMap<AppContext, PlanView>();

/**
 * Time under --dry-run: nothing is happening, so a wait (a cluster being created, a retry's pause)
 * passes at once, and the clock moves on by as much so that time limits still end a loop.
 */
function plannedClock(): Clock {
  let waited = 0;
  return {
    now: () => Date.now() + waited,
    sleep: (ms, signal) => {
      if (signal?.aborted) return systemClock.sleep(ms, signal);
      waited += ms;
      return Promise.resolve();
    },
  };
}

/**
 * -c must name a file, or one still to be made: an empty path would name the current folder, and
 * reading a named pipe waits forever for a writer (a device reads as nothing, and could not be
 * written back). A folder is left to the store, which names it.
 */
function checkConfigPath(typed: string, path: string): void {
  if (typed === '') throw new UsageError('-c/--config needs the path of a dwh.cfg file; it was given an empty one');
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return; // Missing (the commands that need it say so) or unreadable (the store says why).
  }
  if (stats.isFile() || stats.isDirectory()) return;
  const kind = stats.isFIFO()
    ? 'a named pipe'
    : stats.isSocket()
      ? 'a socket'
      : stats.isCharacterDevice() || stats.isBlockDevice()
        ? 'a device'
        : 'a special file';
  throw new UsageError(`-c/--config ${typed}: is ${kind}, not a file`, { hint: 'pass the path of a dwh.cfg file' });
}

let commandDescription = 'sparkify-dwh';
/** What the lock file says this process is doing ("load", "menu"…). */
export function setCommandDescription(text: string): void {
  commandDescription = text;
}
function describeCommand(): string {
  return commandDescription;
}

/** The target and the settings its warehouse is opened with; undefined when dwh.cfg cannot be read. */
function warehouseKey(target: Target, config: ConfigStore): string | undefined {
  try {
    const values = config.values();
    return JSON.stringify([target, values.warehouse, values.cluster, values.dwh]);
  } catch {
    return undefined;
  }
}

function effectiveTarget(flag: Target | undefined, config: ConfigStore): Target {
  return flag ?? config.values().warehouse.target;
}

async function choosePrompts(
  yes: boolean,
  interactive: boolean,
  color: boolean,
  input: NodeJS.ReadStream,
): Promise<Prompts> {
  const prompts = await import('./ui/prompts.js');
  if (yes) return prompts.createUnattendedPrompts();
  if (interactive) return prompts.createInquirerPrompts({ color, terminal: input });
  return prompts.createNoTerminalPrompts();
}

/** Exit status for a finished command (docs/commands.md, Exit status). */
export type ExitStatus = 0 | 1 | 2 | 130;

/**
 * What a command does with dwh.cfg when it is missing:
 * - `required`: it reads the file, so a missing one is an error (not all defaults);
 * - `optional`: it runs without one (generate);
 * - `created`: its step creates a missing one (menu, setup, demo).
 */
export type ConfigNeed = 'required' | 'optional' | 'created';

/**
 * `config`: the command changes state (dwh.cfg, the warehouse, AWS), so it holds the dwh.cfg
 * lock while it runs: two of them at once could write the file or the tables over each other.
 * `none`: it only reads.
 */
export type LockNeed = 'config' | 'none';

/**
 * Run one command: take the dwh.cfg lock when it changes state, turn Ctrl-C into an abort of
 * the running step (a second Ctrl-C exits at once), print any failure as one line.
 */
export async function runCommand(
  ctx: AppContext,
  name: string,
  work: (ctx: AppContext) => Promise<StepResult>,
  needs: { config: ConfigNeed; lock: LockNeed },
): Promise<ExitStatus> {
  setCommandDescription(name);
  const { debugRequested, describeError, printError } = await import('./ui/errors.js');
  const onSigint = (): void => {
    if (!ctx.signal.aborted) {
      ctx.ui.warn('Interrupted: stopping safely (press Ctrl-C again to quit at once)…');
      ctx.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  let release: (() => Promise<void>) | undefined;
  const debug = debugRequested(ctx.env);
  try {
    // Before the lock: a mistyped -c must not leave a lock file beside a file that is not there.
    if (needs.config === 'required') requireConfig(ctx);
    // A dwh.cfg with secrets that others can read is worth a warning on every command.
    if (ctx.config.exists()) {
      const warning = (await import('./config/store.js')).permissionWarning(ctx.config);
      if (warning) ctx.ui.warn(warning);
    }
    // Without a file to protect, a command that may run without one takes no lock beside it; a dry
    // run changes nothing, so it takes none either (and leaves no lock file behind).
    const dryRun = ctx.options.dryRun === true;
    if (!dryRun && needs.lock === 'config' && (needs.config !== 'optional' || ctx.config.exists())) {
      const { acquireLock } = await import('./config/lock.js');
      release = await acquireLock(`${ctx.config.path}.lock`, name, { onNote: (note) => ctx.ui.note(note) });
    }
    // Tables load after start-up (src/ui/terminal.ts); the menu draws first and waits for them
    // before it runs a step.
    if (name !== 'menu') await ctx.ui.ready?.();
    const result = await work(ctx);
    plans.get(ctx)?.summary();
    return result.ok ? 0 : 1;
  } catch (error) {
    const described = describeError(error, { debug });
    if (described.exitCode !== 130) printError(ctx.ui, error, { debug });
    return described.exitCode as ExitStatus;
  } finally {
    process.off('SIGINT', onSigint);
    await ctx.close().catch(() => undefined);
    await release?.().catch(() => undefined);
  }
}

/** Commands that read dwh.cfg need the file to exist. */
function requireConfig(ctx: AppContext): void {
  if (!ctx.config.exists()) {
    throw new UserError(`${ctx.config.displayPath} does not exist`, {
      hint: 'run `sparkify-dwh setup` to create it, or pass -c FILE',
    });
  }
}
