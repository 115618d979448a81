import { afterEach, describe, expect, test } from 'vitest';
import { ConfigError, InterruptedError, UsageError, UserError } from '../../src/errors.js';
import { describeError, printError } from '../../src/ui/errors.js';
import { clearSecrets, registerSecret } from '../../src/ui/redact.js';
import { recordingUi } from '../support/ui.js';

const quiet = { debug: false };
const debug = { debug: true };

/** An AWS SDK v3 service exception as the SDK throws it: a name and $metadata. */
function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: 400, requestId: 'abc' },
    $fault: 'client',
  });
}

afterEach(() => {
  clearSecrets();
});

describe('describeError', () => {
  test('UserError: its message and exit code, hint on a second line', () => {
    expect(
      describeError(new UserError('the tables are empty', { hint: 'run `sparkify-dwh load` first' }), quiet),
    ).toEqual({
      message: 'the tables are empty\n→ run `sparkify-dwh load` first',
      exitCode: 1,
    });
    expect(describeError(new UserError('lock held', { exitCode: 3 }), quiet)).toEqual({
      message: 'lock held',
      exitCode: 3,
    });
  });

  test('UsageError exits 2, ConfigError names file, section and key', () => {
    expect(
      describeError(new UsageError('unknown target "mysql"', { hint: 'use embedded, postgres or redshift' }), quiet),
    ).toEqual({
      message: 'unknown target "mysql"\n→ use embedded, postgres or redshift',
      exitCode: 2,
    });
    expect(describeError(new ConfigError('dwh.cfg', 'DWH', 'DWH_PORT', 'not a port: "abc"'), quiet)).toEqual({
      message: 'dwh.cfg [DWH] DWH_PORT: not a port: "abc"',
      exitCode: 1,
    });
  });

  test('Ctrl-C: exit 130, no message; inquirer and abort errors count as Ctrl-C', () => {
    expect(describeError(new InterruptedError(), quiet)).toEqual({ message: '', exitCode: 130 });
    const exitPrompt = Object.assign(new Error('User force closed the prompt with SIGINT'), {
      name: 'ExitPromptError',
    });
    expect(describeError(exitPrompt, quiet)).toEqual({ message: '', exitCode: 130 });
    const abort = Object.assign(new Error('The wait was interrupted'), { name: 'AbortError' });
    expect(describeError(abort, quiet).exitCode).toBe(130);
  });

  test('an AWS SDK error not wrapped by us: one line, with a hint where one helps', () => {
    expect(describeError(awsError('ClusterNotFoundFault', 'Cluster dwhcluster not found.\nmore text'), quiet)).toEqual({
      message: 'AWS ClusterNotFoundFault: Cluster dwhcluster not found.',
      exitCode: 1,
    });
    expect(
      describeError(awsError('InvalidClientTokenId', 'The security token included in the request is invalid.'), quiet),
    ).toEqual({
      message:
        'AWS InvalidClientTokenId: The security token included in the request is invalid.\n' +
        '→ check [AWS] KEY and SECRET in dwh.cfg, or the AWS profile in use',
      exitCode: 1,
    });
  });

  test('missing AWS credentials say what to set', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(describeError(error, quiet).message).toBe(
      'no AWS credentials found: Could not load credentials from any providers\n' +
        '→ set [AWS] KEY and SECRET in dwh.cfg, ' +
        'or AWS_PROFILE / the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables',
    );
  });

  test('anything else is a bug: one line, no stack without DEBUG', () => {
    const described = describeError(new TypeError("Cannot read properties of undefined (reading 'rows')"), quiet);
    expect(described).toEqual({
      message: "unexpected error: Cannot read properties of undefined (reading 'rows') (set DEBUG=1 for details)",
      exitCode: 1,
    });
    expect(describeError('a thrown string', quiet)).toEqual({
      message: 'unexpected error: a thrown string (set DEBUG=1 for details)',
      exitCode: 1,
    });
  });

  test('with DEBUG: the stack, and its causes', () => {
    const cause = new Error('connection reset');
    const error = new UserError('could not load', { cause });
    const described = describeError(error, debug);
    expect(described.message).toBe('could not load');
    expect(described.detail).toMatch(/^UserError: could not load\n\s+at /);
    expect(described.detail).toContain('Caused by: Error: connection reset');
    const bug = describeError(new RangeError('boom'), debug);
    expect(bug.message).toBe('unexpected error: boom');
    expect(bug.detail).toMatch(/^RangeError: boom\n\s+at /);
  });

  test('secrets are masked in the message and the detail', () => {
    registerSecret('s3cr3t-password');
    const described = describeError(new Error('password authentication failed for s3cr3t-password'), debug);
    expect(described.message).toBe('unexpected error: password authentication failed for ****');
    expect(described.detail).not.toContain('s3cr3t-password');
  });
});

describe('printError', () => {
  test('prints one error line (and the hint) through the Ui', () => {
    const ui = recordingUi();
    printError(
      ui,
      new UserError('no data in data/song_data', { hint: 'run `sparkify-dwh generate --out data`' }),
      quiet,
    );
    expect(ui.lines).toEqual([
      { kind: 'error', text: '✖ no data in data/song_data\n→ run `sparkify-dwh generate --out data`' },
    ]);
  });

  test('nothing for Ctrl-C; no stack without DEBUG; the stack with it', () => {
    const ui = recordingUi();
    printError(ui, new InterruptedError(), quiet);
    expect(ui.lines).toEqual([]);
    printError(ui, new Error('boom'), quiet);
    expect(ui.text()).toBe('✖ unexpected error: boom (set DEBUG=1 for details)');
    expect(ui.text()).not.toContain('    at ');
    printError(ui, new Error('bang'), debug);
    expect(ui.of('error')[1]).toMatch(/^✖ unexpected error: bang\nError: bang\n\s+at /);
  });

  test('redacted', () => {
    registerSecret('AKIAEXAMPLESECRET');
    const ui = recordingUi();
    printError(ui, new UserError('bad key AKIAEXAMPLESECRET'), quiet);
    expect(ui.text()).toBe('✖ bad key ****');
  });
});
