/** The test doubles every step test relies on must themselves be right. */
import { afterEach, describe, expect, test } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { clearSecrets, registerSecret } from '../../src/ui/redact.js';
import { recordingUi, scriptedPrompts } from '../support/ui.js';

afterEach(() => {
  clearSecrets();
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('scriptedPrompts', () => {
  test('answers in order and records each prompt asked', async () => {
    const prompts = scriptedPrompts(['b', 'dwhcluster', 'secret-pass', false]);
    expect(prompts.unattended).toBe(false);
    const choices = [
      { name: 'A', value: 'a' },
      { name: 'B', value: 'b' },
    ];
    expect(await prompts.select({ message: 'Pick?', choices })).toBe('b');
    expect(await prompts.input({ message: 'Cluster?' })).toBe('dwhcluster');
    expect(await prompts.password({ message: 'Password?' })).toBe('secret-pass');
    expect(await prompts.confirm({ message: 'Delete?', default: true })).toBe(false);
    expect(prompts.asked.map(({ kind, message }) => ({ kind, message }))).toEqual([
      { kind: 'select', message: 'Pick?' },
      { kind: 'input', message: 'Cluster?' },
      { kind: 'password', message: 'Password?' },
      { kind: 'confirm', message: 'Delete?' },
    ]);
    expect(prompts.messages()).toEqual(['Pick?', 'Cluster?', 'Password?', 'Delete?']);
    expect(prompts.remaining()).toBe(0);
  });

  test('fails loudly when a prompt has no scripted answer', async () => {
    const prompts = scriptedPrompts([true]);
    await prompts.confirm({ message: 'First?' });
    const error = await failure(prompts.input({ message: 'Host?' }));
    expect(error.message).toBe(
      'scriptedPrompts: no scripted answer for input prompt "Host?" (asked before: confirm "First?")',
    );
  });

  test('select by value (objects too), by name or by a unique name prefix; never disabled or unknown', async () => {
    const setup = { kind: 'setup' };
    const choices = [
      { name: 'Guided setup (3 steps to do)', value: setup },
      { name: 'Load data                ✔ done', value: { kind: 'load' } },
      { name: 'Teardown', value: { kind: 'teardown' }, disabled: 'nothing to delete' },
    ];
    const prompts = scriptedPrompts([setup, 'Load data', 'Guided setup (3 steps to do)', 'Teardown', 'Quit']);
    expect(await prompts.select({ message: 'Next?', choices })).toBe(setup);
    expect(await prompts.select({ message: 'Next?', choices })).toEqual({ kind: 'load' });
    expect(await prompts.select({ message: 'Next?', choices })).toBe(setup);
    expect((await failure(prompts.select({ message: 'Next?', choices }))).message).toBe(
      'scriptedPrompts: choice "Teardown" of select "Next?" is disabled',
    );
    expect((await failure(prompts.select({ message: 'Next?', choices }))).message).toContain(
      '"Quit" is not a choice of select "Next?"',
    );
  });

  test('answers are validated: a rejected one is recorded and the next one tried, as a person retypes', async () => {
    const portRule = (value: string): true | string => (/^\d+$/.test(value) ? true : 'use a number');
    const prompts = scriptedPrompts(['abc', '5439', 'x']);
    expect(await prompts.input({ message: 'Port?', validate: portRule })).toBe('5439');
    expect(prompts.asked[0]).toEqual({ kind: 'input', message: 'Port?', answer: '5439', rejected: ['use a number'] });
    const error = await failure(prompts.input({ message: 'Port again?', validate: portRule }));
    expect(error.message).toBe(
      'scriptedPrompts: no scripted answer for input prompt "Port again?"; ' +
        'scripted answers rejected by validate: use a number (asked before: input "Port?")',
    );
  });

  test('undefined or empty takes the default (Enter); an Error answer rejects (Ctrl-C)', async () => {
    const prompts = scriptedPrompts([undefined, '', undefined, new InterruptedError()]);
    expect(await prompts.input({ message: 'Region?', default: 'us-west-2' })).toBe('us-west-2');
    expect(await prompts.password({ message: 'Password?', default: 'kept' })).toBe('kept');
    expect(await prompts.confirm({ message: 'Go?', default: false })).toBe(false);
    expect(await failure(prompts.confirm({ message: 'Again?' }))).toBeInstanceOf(InterruptedError);
  });

  test('wrong answer types fail loudly', async () => {
    expect((await failure(scriptedPrompts([1]).input({ message: 'Name?' }))).message).toBe(
      'scriptedPrompts: input prompt "Name?" needs a string answer, got 1',
    );
    expect((await failure(scriptedPrompts(['yes']).confirm({ message: 'Go?' }))).message).toBe(
      'scriptedPrompts: confirm "Go?" needs a boolean answer, got "yes"',
    );
  });
});

describe('recordingUi', () => {
  test('records every line in order as plain text', () => {
    const ui = recordingUi();
    expect(ui.color).toBe(false);
    expect(ui.interactive).toBe(false);
    ui.heading('Load data');
    ui.info('reading');
    const spinner = ui.spinner('staging_events: reading…');
    spinner.update('staging_events: 500 rows');
    spinner.succeed('staging_events: 1,000 rows');
    ui.warn('3 rejected');
    ui.table([{ table: 'songs', rows: 1234, note: null }], { title: 'Counts' });
    ui.barChart([
      { label: 'free', value: 2 },
      { label: 'paid', value: 4 },
    ]);
    ui.note('next: check');
    ui.error('failed\n→ fix it');
    ui.success('done');
    ui.print('a,b\n');
    expect(ui.text()).toBe(
      [
        'Load data',
        'reading',
        '- staging_events: reading…',
        '✔ staging_events: 1,000 rows',
        '⚠ 3 rejected',
        'Counts',
        'table | rows | note',
        'songs | 1,234 | ∅',
        `free  ${'█'.repeat(20)} 2`,
        `paid  ${'█'.repeat(40)} 4`,
        'next: check',
        '✖ failed\n→ fix it',
        '✔ done',
        'a,b',
      ].join('\n'),
    );
    expect(ui.of('spinner')).toEqual(['- staging_events: reading…', '✔ staging_events: 1,000 rows']);
    expect(ui.spinners).toEqual([
      {
        texts: ['staging_events: reading…', 'staging_events: 500 rows'],
        end: { state: 'succeed', text: 'staging_events: 1,000 rows' },
      },
    ]);
    expect(ui.tables[0]).toMatchObject({
      title: 'Counts',
      headers: ['table', 'rows', 'note'],
      rows: [['songs', '1,234', '∅']],
    });
    expect(ui.charts[0]?.bars.map(({ label, value, shown }) => ({ label, value, shown }))).toEqual([
      { label: 'free', value: 2, shown: '2' },
      { label: 'paid', value: 4, shown: '4' },
    ]);
  });

  test('spinner ends: last text when none given, stop shows nothing, only the first end counts', () => {
    const ui = recordingUi();
    const a = ui.spinner('a');
    a.update('a2');
    a.fail();
    a.succeed('ignored');
    const b = ui.spinner('b');
    b.stop();
    expect(ui.spinners.map((s) => s.end)).toEqual([
      { state: 'fail', text: 'a2' },
      { state: 'stop', text: 'b' },
    ]);
    expect(ui.text()).toBe('- a\n✖ a2\n- b');
  });

  test('redacts, like the terminal', () => {
    registerSecret('topsecretvalue');
    const ui = recordingUi();
    ui.info('key topsecretvalue');
    ui.spinner('with topsecretvalue').succeed();
    ui.table([{ v: 'topsecretvalue' }]);
    expect(ui.text()).not.toContain('topsecretvalue');
    expect(ui.text()).toBe('key ****\n- with ****\n✔ with ****\nv\n****');
  });
});
