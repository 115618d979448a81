/**
 * The terminal select the menu redraws through: a select given a `signal` is withdrawn by it with
 * SelectAbortedError (the highlighted value inside, the prompt's lines erased), never with the
 * InterruptedError of Ctrl-C. Inquirer is mocked here; test/e2e/menu-pty.test.ts runs it for real.
 */
import { beforeEach, expect, test, vi } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { createInquirerPrompts, SelectAbortedError } from '../../src/ui/prompts.js';

const inquirer = vi.hoisted(() => ({ select: vi.fn(), input: vi.fn(), password: vi.fn(), confirm: vi.fn() }));
vi.mock('@inquirer/select', () => ({ default: inquirer.select }));
vi.mock('@inquirer/input', () => ({ default: inquirer.input }));
vi.mock('@inquirer/password', () => ({ default: inquirer.password }));
vi.mock('@inquirer/confirm', () => ({ default: inquirer.confirm }));

interface SelectCall {
  config: {
    default?: unknown;
    theme: { style: { highlight: (text: string) => string; message?: (text: string) => string } };
  };
  context: { signal?: AbortSignal; clearPromptOnDone?: boolean };
}

const CHOICES = [
  { name: 'Guided setup (checking…)', value: 'setup' },
  { name: 'Load data                … checking…', value: 'load' },
  { name: 'Quit', value: 'quit' },
];

/** A select that, like inquirer's, rejects with AbortPromptError when its signal aborts. */
function abortableSelect(calls: SelectCall[]) {
  return (config: SelectCall['config'], context: SelectCall['context']) =>
    new Promise((_resolve, reject) => {
      calls.push({ config, context });
      context.signal?.addEventListener('abort', () =>
        reject(Object.assign(new Error('Prompt was aborted'), { name: 'AbortPromptError' })),
      );
    });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the prompt to fail');
}

beforeEach(() => {
  for (const fn of Object.values(inquirer)) fn.mockReset();
});

test('aborting the signal withdraws the select: SelectAbortedError with the highlighted value, erased', async () => {
  const calls: SelectCall[] = [];
  inquirer.select.mockImplementation(abortableSelect(calls));
  const refresh = new AbortController();
  const asked = createInquirerPrompts({ color: true }).select({
    message: 'What next?',
    choices: CHOICES,
    signal: refresh.signal,
  });
  await vi.waitFor(() => expect(calls).toHaveLength(1));
  const { config, context } = calls[0]!;
  expect(context.signal).toBe(refresh.signal);
  expect(context.clearPromptOnDone).toBe(false);
  // Inquirer styles the active line "❯ name" with highlight: first the first choice, then the user moves down.
  expect(config.theme.style.highlight(`❯ ${CHOICES[0]!.name}`)).toBe(`\u001b[36m❯ ${CHOICES[0]!.name}\u001b[39m`);
  config.theme.style.highlight(`❯ ${CHOICES[1]!.name}`);
  refresh.abort();
  const error = await failure(asked);
  expect(error).toBeInstanceOf(SelectAbortedError);
  expect(error).not.toBeInstanceOf(InterruptedError);
  expect((error as SelectAbortedError).highlighted).toBe('load');
  // Switched on at the abort, read by inquirer when it finishes: the withdrawn question is erased.
  expect(context.clearPromptOnDone).toBe(true);
});

test('without colour the highlight stays plain; nothing highlighted yet: the default comes back', async () => {
  const calls: SelectCall[] = [];
  inquirer.select.mockImplementation(abortableSelect(calls));
  const refresh = new AbortController();
  const asked = createInquirerPrompts({ color: false }).select({
    message: 'What next?',
    choices: CHOICES,
    default: 'quit',
    signal: refresh.signal,
  });
  await vi.waitFor(() => expect(calls).toHaveLength(1));
  expect(calls[0]!.config.default).toBe('quit');
  expect(calls[0]!.config.theme.style.message?.('What next?')).toBe('What next?');
  expect(calls[0]!.config.theme.style.highlight('> Quit')).toBe('> Quit');
  refresh.abort();
  const error = await failure(asked);
  expect((error as SelectAbortedError).highlighted).toBe('quit');
});

test('Ctrl-C at a select that has a signal is still InterruptedError, and the prompt is not erased', async () => {
  const calls: SelectCall[] = [];
  inquirer.select.mockImplementation((config: SelectCall['config'], context: SelectCall['context']) => {
    calls.push({ config, context });
    return Promise.reject(
      Object.assign(new Error('User force closed the prompt with SIGINT'), { name: 'ExitPromptError' }),
    );
  });
  const refresh = new AbortController();
  expect(
    await failure(
      createInquirerPrompts({ color: true }).select({
        message: 'What next?',
        choices: CHOICES,
        signal: refresh.signal,
      }),
    ),
  ).toBeInstanceOf(InterruptedError);
  expect(calls[0]!.context.clearPromptOnDone).toBe(false);
});

test('an answer before the abort is the answer; a signal aborted beforehand never draws the prompt', async () => {
  inquirer.select.mockResolvedValueOnce('load');
  const refresh = new AbortController();
  const prompts = createInquirerPrompts({ color: true });
  expect(await prompts.select({ message: 'What next?', choices: CHOICES, signal: refresh.signal })).toBe('load');
  refresh.abort();
  const error = await failure(
    prompts.select({ message: 'What next?', choices: CHOICES, default: 'setup', signal: refresh.signal }),
  );
  expect(error).toBeInstanceOf(SelectAbortedError);
  expect((error as SelectAbortedError).highlighted).toBe('setup');
  expect(inquirer.select).toHaveBeenCalledTimes(1);
});
