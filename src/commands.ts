/**
 * Every command of the program, one entry each: its name, what it takes, how it treats dwh.cfg
 * and its lock, and its step, imported only when the command runs (so `--help` and `--version`
 * load none of them). src/cli.ts turns this table into the command line; docs/commands.md is
 * its reference.
 */
import { InvalidArgumentError } from 'commander';
import type { ConfigNeed, LockNeed } from './app.js';
import type { Target } from './config/types.js';
import type { AppContext, StepResult } from './context.js';
import type { AnalyticsOptions } from './steps/analytics.js';
import type { DemoOptions } from './steps/demo.js';
import type { GenerateOptions } from './steps/generate.js';
import type { LoadOptions } from './steps/load.js';
import type { ServerlessTeardownInput } from './steps/serverless-teardown.js';
import type { SqlOptions } from './steps/sql.js';

/** A positional argument; every one is required. */
export interface ArgumentSpec {
  /** Also the key its value has in the step's input. */
  name: string;
  description: string;
}

export interface OptionSpec {
  /** As commander spells them: `--events <n>`; the value's key is the camel-cased long name. */
  flags: string;
  description: string;
  /** Turns the typed text into the value; throws InvalidArgumentError for bad input (exit 2). */
  parse?: (text: string) => unknown;
  choices?: readonly string[];
  default?: unknown;
  /** The command cannot run without it. */
  required?: boolean;
}

/**
 * One command. `Input` is what its step receives: the values of its options, keyed by their
 * camel-cased long names, and of its arguments, keyed by `name`.
 */
export interface CommandSpec<Input extends object = Record<string, never>> {
  /** The words typed after the program's name: `load`, `cluster create`. */
  name: string;
  description: string;
  arguments?: readonly ArgumentSpec[];
  options?: readonly OptionSpec[];
  /** What a missing dwh.cfg means for it. */
  config: ConfigNeed;
  /** Whether it holds the dwh.cfg lock while it runs. */
  lock: LockNeed;
  /** The target it always runs on, whatever --target and dwh.cfg say (demo: embedded). */
  target?: Target;
  /** Imports the step's module and hands back the function that runs it. */
  load(): Promise<(ctx: AppContext, input: Input) => Promise<StepResult>>;
}

/**
 * Any entry of the table. A step taking `never` accepts every step's input type, which is what
 * the command line holds: values commander parsed as the entry's own options declare them.
 */
export type AnyCommandSpec = CommandSpec<never>;

/** A command group (`cluster`, `tables`): its subcommands are the entries named `group …`. */
export interface GroupSpec {
  name: string;
  description: string;
}

/**
 * Redshift Serverless has its own steps (src/steps/serverless-*.ts): the `cluster …` and `teardown`
 * entries run them for `TARGET = redshift-serverless`, the provisioned cluster's otherwise.
 */
async function serverless(ctx: AppContext) {
  return ctx.target() === 'redshift-serverless' ? await import('./steps/serverless-commands.js') : undefined;
}

const FORMATS = ['table', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

function positiveInteger(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1)
      throw new InvalidArgumentError(`${name} must be a whole number of at least 1.`);
    return Number(value);
  };
}

function nonNegativeInteger(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number.`);
    return Number(value);
  };
}

const formatOption: OptionSpec = {
  flags: '--format <format>',
  description: 'output format',
  choices: FORMATS,
  default: 'table',
};

/** No command word: the main menu. It offers to create a missing dwh.cfg, as setup does. */
export const MENU: CommandSpec = {
  name: 'menu',
  description: 'the main menu',
  config: 'created',
  lock: 'config',
  load: async () => (await import('./steps/menu.js')).runMenu,
};

export const GROUPS: readonly GroupSpec[] = [
  { name: 'cluster', description: 'the Redshift cluster and what it needs (IAM role, network access)' },
  { name: 'tables', description: 'tables of the warehouse' },
];

/** In the order `--help` lists them. */
export const COMMANDS: readonly AnyCommandSpec[] = [
  {
    name: 'setup',
    description:
      'the guided walkthrough: where the warehouse lives (--target records it), then every step not yet done, in order',
    config: 'created',
    lock: 'config',
    load: async () => (await import('./steps/setup.js')).runSetup,
  } satisfies CommandSpec,
  {
    name: 'demo',
    description: 'zero-setup run on the embedded warehouse: generated data → tables → load → checks → analytics',
    options: [
      { flags: '--events <n>', description: 'events to generate', parse: positiveInteger('--events') },
      { flags: '--songs <n>', description: 'songs to generate', parse: positiveInteger('--songs') },
    ],
    // It makes dwh.cfg from the example when there is none, so the menu and sql find its warehouse.
    config: 'created',
    lock: 'config',
    target: 'embedded',
    load: async () => (await import('./steps/demo.js')).runDemo,
  } satisfies CommandSpec<DemoOptions>,
  {
    name: 'credentials',
    description: 'choose and verify AWS credentials',
    config: 'required',
    lock: 'config',
    load: async () => {
      const { runCredentials } = await import('./steps/credentials.js');
      return (ctx) => runCredentials(ctx);
    },
  } satisfies CommandSpec,
  {
    name: 'cluster create',
    description: 'create (or reuse) the IAM role, security group and cluster; wait until available',
    config: 'required',
    lock: 'config',
    load: async () => {
      const { runClusterCreate } = await import('./steps/cluster.js');
      return async (ctx) => (await serverless(ctx))?.runServerlessCreate(ctx) ?? runClusterCreate(ctx);
    },
  } satisfies CommandSpec,
  {
    name: 'cluster status',
    description: 'status, endpoint, size, age and cost so far',
    config: 'required',
    lock: 'none',
    load: async () => {
      const { runClusterStatus } = await import('./steps/cluster.js');
      return async (ctx) => (await serverless(ctx))?.runServerlessStatus(ctx) ?? runClusterStatus(ctx);
    },
  } satisfies CommandSpec,
  {
    name: 'cluster pause',
    description: 'pause the cluster (compute billing stops)',
    config: 'required',
    lock: 'config',
    load: async () => {
      const { runClusterPause } = await import('./steps/cluster.js');
      return async (ctx) => (await serverless(ctx))?.runServerlessPause(ctx) ?? runClusterPause(ctx);
    },
  } satisfies CommandSpec,
  {
    name: 'cluster resume',
    description: 'resume a paused cluster',
    config: 'required',
    lock: 'config',
    load: async () => {
      const { runClusterResume } = await import('./steps/cluster.js');
      return async (ctx) => (await serverless(ctx))?.runServerlessResume(ctx) ?? runClusterResume(ctx);
    },
  } satisfies CommandSpec,
  {
    name: 'tables create',
    description: 'drop and create the staging and star-schema tables',
    config: 'required',
    lock: 'config',
    load: async () => {
      const { runTablesCreate } = await import('./steps/tables.js');
      return (ctx) => runTablesCreate(ctx);
    },
  } satisfies CommandSpec,
  {
    name: 'load',
    description: 'source → staging → star schema, with progress',
    options: [
      {
        flags: '--song-prefix <prefix>',
        description: 'load only the song files under this sub-prefix of SONG_DATA (e.g. A/A/) for a quick first run',
      },
    ],
    config: 'required',
    lock: 'config',
    load: async () => {
      const { runLoad } = await import('./steps/load.js');
      return (ctx, input) => runLoad(ctx, input);
    },
  } satisfies CommandSpec<Pick<LoadOptions, 'songPrefix'>>,
  {
    name: 'check',
    description: 'data-quality checks on the loaded tables',
    config: 'required',
    lock: 'none',
    load: async () => {
      const { runCheck } = await import('./steps/check.js');
      return (ctx) => runCheck(ctx);
    },
  } satisfies CommandSpec,
  {
    name: 'analytics',
    description: 'the sample analytics',
    options: [{ flags: '--query <name>', description: 'one named query (default: all)' }, formatOption],
    config: 'required',
    lock: 'none',
    load: async () => {
      const { runAnalytics } = await import('./steps/analytics.js');
      return (ctx, input) => runAnalytics(ctx, input);
    },
  } satisfies CommandSpec<Pick<AnalyticsOptions, 'query'> & { format: Format }>,
  {
    name: 'sql',
    description: 'one read-only query, printed as a table',
    arguments: [{ name: 'query', description: 'the SQL to run (the database refuses writes)' }],
    options: [
      formatOption,
      {
        flags: '--limit <n>',
        description: 'rows the table view shows (default 1000); csv and json write all',
        parse: positiveInteger('--limit'),
      },
    ],
    config: 'required',
    lock: 'none',
    load: async () => {
      const { runSql } = await import('./steps/sql.js');
      return (ctx, input) => runSql(ctx, input);
    },
  } satisfies CommandSpec<SqlOptions & { format: Format }>,
  {
    name: 'teardown',
    description: 'delete what the wizard created in AWS',
    options: [
      {
        flags: '--final-snapshot',
        description: 'keep a final snapshot of the Serverless namespace (billed for its storage until deleted)',
      },
    ],
    config: 'required',
    lock: 'config',
    load: async () => {
      const { runTeardown } = await import('./steps/teardown.js');
      return async (ctx, input) => (await serverless(ctx))?.runServerlessTeardown(ctx, input) ?? runTeardown(ctx);
    },
  } satisfies CommandSpec<ServerlessTeardownInput>,
  {
    name: 'generate',
    description: 'write a synthetic data set in the source layout',
    options: [
      { flags: '--out <dir>', description: 'folder to write song_data/ and log_data/ into', required: true },
      { flags: '--songs <n>', description: 'songs in the catalog', parse: positiveInteger('--songs'), default: 1000 },
      { flags: '--events <n>', description: 'events in the log', parse: positiveInteger('--events'), default: 10000 },
      {
        flags: '--seed <n>',
        description: 'seed: the same seed gives the same files',
        parse: nonNegativeInteger('--seed'),
        default: 1,
      },
    ],
    config: 'optional',
    lock: 'none',
    load: async () => {
      const { runGenerateCommand } = await import('./steps/generate.js');
      return (ctx, input) => runGenerateCommand(ctx, input);
    },
  } satisfies CommandSpec<GenerateOptions>,
];
