/**
 * argv → a command or the menu; nothing else. Everything heavy is imported inside the action
 * that needs it, so `--version` and `--help` start as fast as Node itself.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { AppContext, ContextOptions } from './app.js';
import type { Target } from './config/types.js';

const TARGET_CHOICES: readonly Target[] = ['embedded', 'postgres', 'redshift'];
const FORMATS = ['table', 'csv', 'json'] as const;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

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

interface RawGlobals {
  config: string;
  target?: Target;
  yes?: boolean;
  color: boolean;
}

export function buildProgram(): Command {
  const program = new Command('sparkify-dwh');
  program
    .description('Build and run the Sparkify music data warehouse: embedded PGlite, PostgreSQL or Amazon Redshift.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('-c, --config <file>', 'the dwh.cfg file', './dwh.cfg')
    .addOption(
      new Option('--target <target>', 'warehouse to use (overrides [WAREHOUSE] TARGET)').choices(TARGET_CHOICES),
    )
    .option('-y, --yes', 'never prompt: take values from dwh.cfg and defaults')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .showSuggestionAfterError(true)
    .enablePositionalOptions(false)
    .exitOverride();

  const run = (name: string, lockConfig: boolean, work: (ctx: AppContext) => Promise<boolean>) => async () => {
    process.exitCode = await execute(program, name, lockConfig, work, { requireConfig: true });
  };

  program.action(async () => {
    // The menu takes no arguments, so a word here is a mistyped command, not an argument.
    const [word] = program.args;
    if (word !== undefined)
      program.error(`error: unknown command '${word}'`, { exitCode: 2, code: 'commander.unknownCommand' });
    // The menu (like setup) offers to create a missing dwh.cfg instead of requiring it.
    process.exitCode = await execute(program, 'menu', true, async (ctx) => {
      const { runMenu } = await import('./steps/menu.js');
      return runMenu(ctx);
    });
  });

  program
    .command('setup')
    .description('the guided walkthrough: every step not yet done, in order')
    .action(async () => {
      // setup offers to create a missing dwh.cfg instead of requiring it.
      process.exitCode = await execute(program, 'setup', true, async (ctx) =>
        (await import('./steps/setup.js')).runSetup(ctx),
      );
    });

  program
    .command('demo')
    .description('zero-setup run on the embedded warehouse: generated data → tables → load → checks → analytics')
    .option('--events <n>', 'events to generate', positiveInteger('--events'))
    .option('--songs <n>', 'songs to generate', positiveInteger('--songs'))
    .action(async (options: { events?: number; songs?: number }) => {
      process.exitCode = await execute(
        program,
        'demo',
        true,
        async (ctx) => (await import('./steps/demo.js')).runDemo(ctx, options),
        { forceTarget: 'embedded' },
      );
    });

  program
    .command('credentials')
    .description('choose and verify AWS credentials')
    .action(
      run('credentials', true, async (ctx) => (await (await import('./steps/credentials.js')).runCredentials(ctx)).ok),
    );

  const cluster = program
    .command('cluster')
    .description('the Redshift cluster and what it needs (IAM role, network access)');
  cluster
    .command('create')
    .description('create (or reuse) the IAM role, security group and cluster; wait until available')
    .action(
      run('cluster create', true, async (ctx) => (await (await import('./steps/cluster.js')).runClusterCreate(ctx)).ok),
    );
  cluster
    .command('status')
    .description('status, endpoint, size, age and cost so far')
    .action(
      run(
        'cluster status',
        false,
        async (ctx) => (await (await import('./steps/cluster.js')).runClusterStatus(ctx)).ok,
      ),
    );
  cluster
    .command('pause')
    .description('pause the cluster (compute billing stops)')
    .action(
      run('cluster pause', true, async (ctx) => (await (await import('./steps/cluster.js')).runClusterPause(ctx)).ok),
    );
  cluster
    .command('resume')
    .description('resume a paused cluster')
    .action(
      run('cluster resume', true, async (ctx) => (await (await import('./steps/cluster.js')).runClusterResume(ctx)).ok),
    );

  program
    .command('tables')
    .description('tables of the warehouse')
    .command('create')
    .description('drop and create the staging and star-schema tables')
    .action(
      run('tables create', true, async (ctx) => (await (await import('./steps/tables.js')).runTablesCreate(ctx)).ok),
    );

  program
    .command('load')
    .description('source → staging → star schema, with progress')
    .option(
      '--song-prefix <prefix>',
      'redshift: load only song_data under this sub-prefix (e.g. A/A/) for a quick first run',
    )
    .action(async (options: { songPrefix?: string }) => {
      process.exitCode = await execute(
        program,
        'load',
        true,
        async (ctx) => (await (await import('./steps/load.js')).runLoad(ctx, options)).ok,
        { requireConfig: true },
      );
    });

  program
    .command('check')
    .description('data-quality checks on the loaded tables')
    .action(run('check', false, async (ctx) => (await (await import('./steps/check.js')).runCheck(ctx)).ok));

  program
    .command('analytics')
    .description('the sample analytics')
    .option('--query <name>', 'one named query (default: all)')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .action(async (options: { query?: string; format: (typeof FORMATS)[number] }) => {
      process.exitCode = await execute(
        program,
        'analytics',
        false,
        async (ctx) => (await (await import('./steps/analytics.js')).runAnalytics(ctx, options)).ok,
        {
          requireConfig: true,
        },
      );
    });

  program
    .command('sql')
    .description('one read-only query, printed as a table')
    .argument('<query>', 'the SQL to run (the database refuses writes)')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .option(
      '--limit <n>',
      'rows the table view shows (default 1000); csv and json write all',
      positiveInteger('--limit'),
    )
    .action(async (query: string, options: { format: (typeof FORMATS)[number]; limit?: number }) => {
      process.exitCode = await execute(
        program,
        'sql',
        false,
        async (ctx) => (await (await import('./steps/sql.js')).runSql(ctx, { query, ...options })).ok,
        {
          requireConfig: true,
        },
      );
    });

  program
    .command('teardown')
    .description('delete what the wizard created in AWS')
    .action(run('teardown', true, async (ctx) => (await (await import('./steps/teardown.js')).runTeardown(ctx)).ok));

  program
    .command('generate')
    .description('write a synthetic data set in the source layout')
    .requiredOption('--out <dir>', 'folder to write song_data/ and log_data/ into')
    .option('--songs <n>', 'songs in the catalog', positiveInteger('--songs'), 1000)
    .option('--events <n>', 'events in the log', positiveInteger('--events'), 10000)
    .option('--seed <n>', 'seed: the same seed gives the same files', nonNegativeInteger('--seed'), 1)
    .action(async (options: { out: string; songs: number; events: number; seed: number }) => {
      process.exitCode = await execute(
        program,
        'generate',
        false,
        async (ctx) => (await (await import('./steps/generate.js')).runGenerate(ctx, options)).ok,
        {
          configOptional: true,
        },
      );
    });

  // Root only (subcommands copied the setting when they were made): a mistyped command then
  // reaches the menu's action, which names it, instead of "too many arguments".
  program.allowExcessArguments(true);
  return program;
}

async function execute(
  program: Command,
  name: string,
  lockConfig: boolean,
  work: (ctx: AppContext) => Promise<boolean>,
  /** requireConfig: the command reads dwh.cfg, so a missing file is an error, not all defaults. */
  extra: { forceTarget?: Target; configOptional?: boolean; requireConfig?: boolean } = {},
): Promise<number> {
  const globals = program.opts<RawGlobals>();
  const { createContext, runCommand } = await import('./app.js');
  const { detectColor } = await import('./ui/terminal.js');
  const options: ContextOptions = {
    configPath: globals.config,
    target: extra.forceTarget ?? globals.target,
    yes: Boolean(globals.yes),
    color: globals.color && detectColor(process.argv, process.env, process.stdout),
  };
  let ctx: AppContext;
  try {
    ctx = await createContext(options, {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: process.env,
      cwd: process.cwd(),
    });
  } catch (error) {
    const [{ describeError, printError }, { createTerminalUi }] = await Promise.all([
      import('./ui/errors.js'),
      import('./ui/terminal.js'),
    ]);
    const debug = Boolean(process.env.DEBUG);
    printError(createTerminalUi({ color: options.color, interactive: false }), error, { debug });
    return describeError(error, { debug }).exitCode;
  }
  return runCommand(ctx, name, work, {
    lockConfig: lockConfig && (!extra.configOptional || ctx.config.exists()),
    requireConfig: Boolean(extra.requireConfig),
    // The menu and setup warn through ensureConfig; warning here too would say it twice.
    warnPermissions: name !== 'menu' && name !== 'setup',
  });
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const noCommand = argv.length <= 2;
  if (noCommand && !(process.stdin.isTTY && process.stdout.isTTY)) {
    // No terminal to draw a menu in: say what the commands are and fail as a usage error.
    process.stderr.write(program.helpInformation());
    process.exitCode = 2;
    return;
  }
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help';
      process.exitCode = ok ? 0 : 2;
      return;
    }
    throw error;
  }
}

await main(process.argv);
