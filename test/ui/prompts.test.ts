import { beforeEach, describe, expect, test, vi } from 'vitest';
import { InterruptedError, UserError } from '../../src/errors.js';
import { createInquirerPrompts, createNoTerminalPrompts, createUnattendedPrompts } from '../../src/ui/prompts.js';

const inquirer = vi.hoisted(() => ({
  select: vi.fn(),
  input: vi.fn(),
  password: vi.fn(),
  confirm: vi.fn(),
}));
vi.mock('@inquirer/select', () => ({ default: inquirer.select }));
vi.mock('@inquirer/input', () => ({ default: inquirer.input }));
vi.mock('@inquirer/password', () => ({ default: inquirer.password }));
vi.mock('@inquirer/confirm', () => ({ default: inquirer.confirm }));

const portRule = (value: string): true | string => (/^\d+$/.test(value) ? true : 'use a number such as 5439');

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the prompt to fail');
}

describe('unattended prompts (--yes)', () => {
  const prompts = createUnattendedPrompts();

  test('is unattended; confirm is yes whatever the default', async () => {
    expect(prompts.unattended).toBe(true);
    expect(await prompts.confirm({ message: 'Delete the cluster?', default: false })).toBe(true);
    expect(await prompts.confirm({ message: 'Go on?' })).toBe(true);
  });

  test('select, input and password take their defaults', async () => {
    const region = await prompts.select({
      message: 'Region?',
      choices: [
        { name: 'us-east-1', value: 'us-east-1' },
        { name: 'us-west-2', value: 'us-west-2' },
      ],
      default: 'us-west-2',
    });
    expect(region).toBe('us-west-2');
    expect(await prompts.input({ message: 'Port:', default: '5439', validate: portRule })).toBe('5439');
    expect(await prompts.input({ message: 'SQL>', default: '' })).toBe('');
    expect(await prompts.password({ message: 'Password:', default: 'Passw0rd' })).toBe('Passw0rd');
  });

  test('a select default equal in value to an object choice picks that choice', async () => {
    const choice = { kind: 'setup' };
    const picked = await prompts.select({
      message: 'Next?',
      choices: [{ name: 'Setup', value: choice }],
      default: { kind: 'setup' },
    });
    expect(picked).toBe(choice);
  });

  test('no default: a UserError naming the prompt and what supplies it', async () => {
    const error = await failure(
      prompts.input({ message: 'Cluster identifier?', unattended: 'set [DWH] DWH_CLUSTER_IDENTIFIER in dwh.cfg' }),
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      'Cluster identifier is required under --yes: set [DWH] DWH_CLUSTER_IDENTIFIER in dwh.cfg',
    );
    expect((await failure(prompts.select({ message: 'Target:', choices: [{ name: 'a', value: 'a' }] }))).message).toBe(
      'Target is required under --yes: run without --yes to answer it',
    );
    expect(
      (
        await failure(
          prompts.password({ message: 'Database password:', default: '', unattended: 'set [DWH] DWH_DB_PASSWORD' }),
        )
      ).message,
    ).toBe('Database password is required under --yes: set [DWH] DWH_DB_PASSWORD');
  });

  test('an invalid default is a UserError naming the problem; a password is never echoed', async () => {
    const error = await failure(
      prompts.input({
        message: 'Port:',
        default: 'abc',
        validate: portRule,
        unattended: 'set [DWH] DWH_PORT in dwh.cfg',
      }),
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe('Port under --yes: "abc" is not valid: use a number such as 5439');
    expect((error as UserError).hint).toBe('set [DWH] DWH_PORT in dwh.cfg');
    const secret = await failure(
      prompts.password({ message: 'Password:', default: 'short', validate: () => 'at least 8 characters' }),
    );
    expect(secret.message).toBe('Password under --yes: the value given is not valid: at least 8 characters');
    expect(secret.message).not.toContain('short');
  });

  test('a select default that is not a choice, or a disabled one, is refused', async () => {
    const choices = [
      { name: 'embedded', value: 'embedded' },
      { name: 'redshift', value: 'redshift', disabled: 'needs AWS credentials' },
    ];
    expect((await failure(prompts.select({ message: 'Target?', choices, default: 'mysql' }))).message).toBe(
      'Target under --yes: "mysql" is not valid: it is not one of embedded, redshift',
    );
    expect((await failure(prompts.select({ message: 'Target?', choices, default: 'redshift' }))).message).toBe(
      'Target under --yes: "redshift" is not valid: needs AWS credentials',
    );
  });
});

describe('no-terminal prompts', () => {
  test('every prompt fails with what to do instead', async () => {
    const prompts = createNoTerminalPrompts();
    expect(prompts.unattended).toBe(false);
    const error = await failure(
      prompts.confirm({ message: 'dwh.cfg does not exist. Create it from dwh.cfg.example?', default: true }),
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      'dwh.cfg does not exist. Create it from dwh.cfg.example: needs an answer, but there is no terminal to ask in',
    );
    expect((error as UserError).hint).toBe(
      'run it in a terminal, or pass --yes to take the answers from dwh.cfg and the defaults',
    );
    const withSource = await failure(prompts.input({ message: 'Host?', unattended: 'set [CLUSTER] HOST' }));
    expect((withSource as UserError).hint).toBe(
      'run it in a terminal, or pass --yes to take the answers from dwh.cfg and the defaults (set [CLUSTER] HOST)',
    );
  });
});

describe('inquirer prompts', () => {
  beforeEach(() => {
    for (const fn of Object.values(inquirer)) fn.mockReset();
  });

  test('passes message, choices, default and validation through', async () => {
    inquirer.select.mockResolvedValue('b');
    inquirer.input.mockResolvedValue('5439');
    inquirer.confirm.mockResolvedValue(false);
    const prompts = createInquirerPrompts({ color: true });
    expect(prompts.unattended).toBe(false);
    expect(
      await prompts.select({
        message: 'Pick',
        choices: [
          { name: 'A', value: 'a', description: 'first' },
          { name: 'B', value: 'b', disabled: 'not now' },
        ],
        default: 'a',
      }),
    ).toBe('b');
    expect(inquirer.select).toHaveBeenCalledWith({
      message: 'Pick',
      choices: [
        { name: 'A', value: 'a', description: 'first' },
        { name: 'B', value: 'b', disabled: 'not now' },
      ],
      default: 'a',
      pageSize: 7,
    });
    expect(await prompts.input({ message: 'Port:', default: '5439', validate: portRule })).toBe('5439');
    expect(inquirer.input).toHaveBeenCalledWith({ message: 'Port:', default: '5439', validate: portRule });
    expect(await prompts.confirm({ message: 'Sure?', default: true })).toBe(false);
    expect(inquirer.confirm).toHaveBeenCalledWith({ message: 'Sure?', default: true });
  });

  test('password masks with *; a known password is kept by pressing Enter', async () => {
    const prompts = createInquirerPrompts({ color: true });
    inquirer.password.mockResolvedValueOnce('typed-secret');
    expect(await prompts.password({ message: 'Password:' })).toBe('typed-secret');
    expect(inquirer.password.mock.calls[0]?.[0]).toMatchObject({ message: 'Password:', mask: '*' });

    inquirer.password.mockResolvedValueOnce('');
    expect(await prompts.password({ message: 'Password:', default: 'from-dwh-cfg', validate: () => 'too short' })).toBe(
      'from-dwh-cfg',
    );
    const config = inquirer.password.mock.calls[1]?.[0] as {
      message: string;
      validate: (value: string) => true | string;
    };
    expect(config.message).toBe('Password (Enter keeps the current one):');
    expect(config.validate('')).toBe(true);
    expect(config.validate('abc')).toBe('too short');
  });

  test('Ctrl-C (ExitPromptError) becomes InterruptedError; other errors pass through', async () => {
    const prompts = createInquirerPrompts({ color: true });
    inquirer.confirm.mockRejectedValueOnce(
      Object.assign(new Error('User force closed the prompt with SIGINT'), { name: 'ExitPromptError' }),
    );
    expect(await failure(prompts.confirm({ message: 'Go?' }))).toBeInstanceOf(InterruptedError);
    const other = new Error('stdin closed');
    inquirer.input.mockRejectedValueOnce(other);
    expect(await failure(prompts.input({ message: 'x' }))).toBe(other);
  });

  test('colour off: a plain theme with no escape codes', async () => {
    inquirer.confirm.mockResolvedValue(true);
    await createInquirerPrompts({ color: false }).confirm({ message: 'Go?' });
    const config = inquirer.confirm.mock.calls[0]?.[0] as {
      theme: { prefix: { idle: string }; style: Record<string, (...args: never[]) => string> };
    };
    expect(config.theme.prefix.idle).toBe('?');
    expect(config.theme.style.message?.('text' as never)).toBe('text');
    expect(config.theme.style.error?.('bad' as never)).toBe('> bad');
    expect(JSON.stringify(config.theme)).not.toContain('\u001b');
  });
});

test('the inquirer prompts are not imported statically (start-up stays fast for commands that never ask)', async () => {
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL('../../src/ui/prompts.ts', import.meta.url), 'utf8');
  // `import type` is erased from the JavaScript (verbatimModuleSyntax), so it costs nothing at start-up.
  expect(source).not.toMatch(/^import (?!type )[^;]*from '@inquirer\//m);
  for (const kind of ['select', 'input', 'password', 'confirm'])
    expect(source).toContain(`import('@inquirer/${kind}')`);
});
