/** The bench's command line: `--help` prints the options; a mistake is one line, never a stack trace. */
import { expect, test } from 'vitest';
import { BENCH_USAGE, benchArguments, BenchUsageError } from '../../bench/run.js';

test('--help and -h ask for the usage, which lists every flag the bench accepts', () => {
  expect(benchArguments(['--help'], {})).toEqual({ help: true });
  expect(benchArguments(['--quick', '-h'], {})).toEqual({ help: true });
  for (const flag of [
    '--quick',
    '--sizes',
    '--repeat',
    '--embedded',
    '--no-startup',
    '--out',
    '--markdown',
    '--help',
  ]) {
    expect(BENCH_USAGE).toContain(flag);
  }
  // Without it, the flags are settings as before.
  expect(benchArguments(['--repeat', '4'], {})).toMatchObject({ help: false, env: { BENCH_REPEAT: '4' } });
});

test('an unknown flag, a flag without its value or a stray word is refused in one line that names it', () => {
  const refusal = (argv: string[]): string => {
    try {
      benchArguments(argv, {});
    } catch (error) {
      expect(error).toBeInstanceOf(BenchUsageError);
      return (error as Error).message;
    }
    throw new Error(`${argv.join(' ')} was accepted`);
  };
  expect(refusal(['--fast'])).toBe('unknown option --fast (npm run bench -- --help lists the options)');
  expect(refusal(['--quick', 'now'])).toBe('unexpected argument now (npm run bench -- --help lists the options)');
  const missing = refusal(['--repeat']);
  expect(missing).toMatch(/--repeat/);
  for (const message of [refusal(['--fast']), missing]) expect(message).not.toContain('\n');
});
