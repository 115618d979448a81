/**
 * argv → a command of the table in src/commands.ts, or the menu; nothing else. Everything heavy
 * is imported inside the action that needs it, so `--version` and `--help` start as fast as Node
 * itself.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { AppIo, ContextOptions } from './app.js';
import { COMMANDS, GROUPS, MENU, type AnyCommandSpec, type OptionSpec } from './commands.js';
import { TARGETS, type Target } from './config/types.js';
import type { AppContext } from './context.js';
import { isInteractive } from './ui/interactive.js';

const TARGET_CHOICES: readonly Target[] = TARGETS;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

interface RawGlobals {
  config: string;
  target?: Target;
  yes?: boolean;
  dryRun?: boolean;
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
    .option('--dry-run', 'print the plan (AWS calls, SQL, dwh.cfg keys) and change nothing')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .showSuggestionAfterError(true)
    .enablePositionalOptions(false)
    .exitOverride();

  program.action(async () => {
    // The menu takes no arguments, so a word here is a mistyped command, not an argument.
    const [word] = program.args;
    if (word !== undefined)
      program.error(`error: unknown command '${word}'`, { exitCode: 2, code: 'commander.unknownCommand' });
    process.exitCode = await execute(program, MENU, {});
  });

  const groups = new Map<string, Command>();
  for (const spec of COMMANDS) {
    const [first = '', second] = spec.name.split(' ');
    let parent = program;
    if (second !== undefined) {
      let group = groups.get(first);
      if (!group) {
        const described = GROUPS.find((g) => g.name === first);
        if (!described) throw new Error(`command ${spec.name}: no group ${first} in GROUPS`);
        group = program.command(first).description(described.description);
        groups.set(first, group);
      }
      parent = group;
    }
    const command = parent.command(second ?? first).description(spec.description);
    for (const argument of spec.arguments ?? []) command.argument(`<${argument.name}>`, argument.description);
    for (const option of spec.options ?? []) command.addOption(commanderOption(option));
    command.action(async (...args: unknown[]) => {
      // commander passes the arguments, then the options, then the command itself.
      const input: Record<string, unknown> = { ...command.opts() };
      (spec.arguments ?? []).forEach((argument, i) => (input[argument.name] = args[i]));
      process.exitCode = await execute(program, spec, input);
    });
  }

  // Root only (subcommands copied the setting when they were made): a mistyped command then
  // reaches the menu's action, which names it, instead of "too many arguments".
  program.allowExcessArguments(true);
  return program;
}

/** Open the context for `spec` and run its step in it; resolves to the exit status. */
async function execute(program: Command, spec: AnyCommandSpec, input: Record<string, unknown>): Promise<number> {
  const globals = program.opts<RawGlobals>();
  const { createContext, runCommand } = await import('./app.js');
  const { detectColor } = await import('./ui/terminal.js');
  const io: AppIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
  const options: ContextOptions = {
    configPath: globals.config,
    target: spec.target ?? globals.target,
    yes: Boolean(globals.yes),
    dryRun: Boolean(globals.dryRun),
    color: globals.color && detectColor(process.argv, io.env, io.stdout),
  };
  let ctx: AppContext;
  try {
    ctx = await createContext(options, io);
  } catch (error) {
    const [{ debugRequested, describeError, printError }, { createTerminalUi }] = await Promise.all([
      import('./ui/errors.js'),
      import('./ui/terminal.js'),
    ]);
    const debug = debugRequested(io.env);
    printError(createTerminalUi({ color: options.color, interactive: false }), error, { debug });
    return describeError(error, { debug }).exitCode;
  }
  // The input is what commander parsed from the entry's own arguments and options, which are
  // what its step's input type describes; commander itself cannot type it.
  const work = async (context: AppContext) => (await spec.load())(context, input as never);
  return runCommand(ctx, spec.name, work, { config: spec.config, lock: spec.lock });
}

function commanderOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.parse) option.argParser(spec.parse);
  if (spec.choices) option.choices(spec.choices);
  if (spec.default !== undefined) option.default(spec.default);
  if (spec.required) option.makeOptionMandatory();
  return option;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const noCommand = argv.length <= 2;
  if (noCommand && !isInteractive(process.env, process.stdin, process.stdout)) {
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
