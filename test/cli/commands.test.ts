/**
 * The command table (src/commands.ts) and the command line built from it: every entry reaches
 * its step, says what it needs of dwh.cfg, and shows in --help where and as it always has.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { COMMANDS, GROUPS, MENU } from '../../src/commands.js';
import { ensureBuilt, runCli, tempDir } from './run.js';

const ALL = [MENU, ...COMMANDS];

describe('the table', () => {
  test('each command is named once; each two-word command belongs to a described group', () => {
    const names = ALL.map((command) => command.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names.filter((n) => n.includes(' '))) {
      expect(GROUPS.map((group) => group.name)).toContain(name.split(' ')[0]);
    }
  });

  test('what each command needs of dwh.cfg and of its lock', () => {
    const needs = Object.fromEntries(ALL.map((c) => [c.name, `${c.config}, lock ${c.lock}`]));
    expect(needs).toEqual({
      // The menu, setup and demo make a missing dwh.cfg; generate runs without one.
      menu: 'created, lock config',
      setup: 'created, lock config',
      demo: 'created, lock config',
      credentials: 'required, lock config',
      'cluster create': 'required, lock config',
      'cluster status': 'required, lock none',
      'cluster pause': 'required, lock config',
      'cluster resume': 'required, lock config',
      'tables create': 'required, lock config',
      load: 'required, lock config',
      // Read-only commands run beside a running load.
      check: 'required, lock none',
      analytics: 'required, lock none',
      sql: 'required, lock none',
      teardown: 'required, lock config',
      generate: 'optional, lock none',
    });
    expect(ALL.filter((c) => c.target !== undefined).map((c) => [c.name, c.target])).toEqual([['demo', 'embedded']]);
  });

  test("every command's step loads, and is a function", async () => {
    for (const command of ALL) expect(typeof (await command.load()), command.name).toBe('function');
  });
});

describe('the command line built from it', () => {
  let cwd: string;
  beforeAll(async () => {
    ensureBuilt();
    cwd = await tempDir('commands');
  });

  test('--help lists the commands in the table order, with their descriptions', async () => {
    const help = await runCli(['--help'], { cwd });
    expect(help.code).toBe(0);
    const commands = help.stdout.slice(help.stdout.indexOf('Commands:'));
    const listed = [...commands.matchAll(/^ {2}(\S+)/gm)].map((match) => match[1]);
    const words = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]))];
    expect(listed).toEqual(words);
    const flat = commands.replace(/\s+/g, ' ');
    for (const command of COMMANDS.filter((c) => !c.name.includes(' '))) expect(flat).toContain(command.description);
    for (const group of GROUPS) expect(flat).toContain(group.description);
  });

  test("a group's help lists its subcommands; arguments, defaults, choices and required options show", async () => {
    const cluster = await runCli(['cluster', '--help'], { cwd });
    expect(cluster.stdout).toMatch(/^ {2}create +create \(or reuse\) the IAM role/m);
    expect(cluster.stdout).toMatch(/^ {2}resume +resume a paused cluster/m);

    const sql = await runCli(['sql', '--help'], { cwd });
    expect(sql.stdout).toMatch(/Usage: sparkify-dwh sql \[options\] <query>/);
    expect(sql.stdout).toMatch(/^ {2}query +the SQL to run \(the database refuses writes\)/m);
    expect(sql.stdout.replace(/\s+/g, ' ')).toContain('(choices: "table", "csv", "json", default: "table")');

    const generate = await runCli(['generate', '--help'], { cwd });
    expect(generate.stdout).toMatch(/--seed <n> +seed: the same seed gives the same files \(default: 1\)/);
    const missing = await runCli(['generate'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: required option '--out <dir>' not specified/m);
  });
});
